"""PO depletion: the PO ledger, entry (and its rules: expiry, top-up), hold and release,
reservations, forecast, the alert rules, alerts and their deliveries."""
