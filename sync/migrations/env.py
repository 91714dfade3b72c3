"""Alembic environment: runs on the connection that ``sync.db.migrate`` hands over."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import sync.audit_models  # noqa: F401  (registers the tables for autogenerate)
import sync.cash.models  # noqa: F401
import sync.collections.models  # noqa: F401
import sync.mirror.models  # noqa: F401  (registers the tables for autogenerate)
import sync.po.models  # noqa: F401
import sync.reports.models  # noqa: F401
import sync.uploads.cxml_payloads  # noqa: F401
import sync.uploads.models  # noqa: F401  (registers the tables for autogenerate)
import sync.users.models  # noqa: F401
import sync.work.models  # noqa: F401

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=False,
)
with context.begin_transaction():
    context.run_migrations()
