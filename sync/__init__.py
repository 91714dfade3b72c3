"""The store, one sub-package per domain: ``mirror`` (SAP data, cursors), ``work`` (claims,
job runs), ``users``, ``uploads``, ``cash`` and ``po``; plumbing at the root (db, txn, types,
tables, paging, files, upsert, store, audit, errors) and the Alembic migrations."""
