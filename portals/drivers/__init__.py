"""Portal drivers: one Playwright page-object class per browser portal kind, on the shared
base, and ``cxml/``, the machine-to-machine channel (``kind = "cxml"``)."""
