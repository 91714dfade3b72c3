"""PO depletion: the PO ledger, entry, hold and release, reservations, forecast, the alert rules,
alerts and their deliveries."""
