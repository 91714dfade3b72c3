"""Flows between outside systems and the store: the SAP pull run (``pull_run``, ``pull``),
posting and journals, bank and remittance import, PDFs, notification delivery."""
