"""The OData adapter (S/4HANA) over requests."""
