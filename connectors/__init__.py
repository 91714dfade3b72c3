"""Flows between outside systems and the store: the SAP pull run (``pull_run``, ``pull``),
posting allocations and correcting journals to SAP, bank statement and remittance import,
invoice PDFs, and notification delivery. Its errors are in :mod:`connectors.errors`."""
