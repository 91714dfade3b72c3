"""A bundled demo procurement portal in two flavours (Coupa-style and Ariba-style), served on
loopback for the tests, the benchmark and ``arbridge demo``. A real web application with its
own SQLite state, supplier login with optional TOTP, expiring sessions, POs and invoices, the
rejections real portals make, and switches for faults."""
