"""The RFC adapter (pyrfc): reads through RFC_READ_TABLE and posts through the BAPIs and
arbridge's wrappers."""
