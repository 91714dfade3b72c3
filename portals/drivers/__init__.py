"""Portal drivers: one Playwright page-object class per portal kind, on the shared base."""
