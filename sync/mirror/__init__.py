"""The SAP mirror: customers, billing documents and open items as last pulled, and the incremental
cursors."""
