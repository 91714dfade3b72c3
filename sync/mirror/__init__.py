"""The SAP mirror: customers, billing documents (with their items) and open items as last
pulled, and the incremental cursors."""
