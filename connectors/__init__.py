"""Flows between outside systems and the store: SAP pull (and later posting, bank import,
notifications)."""
