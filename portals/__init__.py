"""Portal drivers, the upload runner and the bundled demo portal (later issues)."""
