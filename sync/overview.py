"""What ``arbridge status`` shows, read with SQLAlchemy Core and plain SQL only.

The ORM models (SQLModel) cost more to import than the whole status query takes; this module
reads the same tables without them, so ``arbridge status`` starts fast. ``tests/sync/
test_overview.py`` holds its answers equal to the model-based ones (``Store.counts``,
``uploads.counts``, ``cursors.all_cursors``) on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from sync.types import UtcDateTime
from sync.uploads.states import STATES

# entity name in ``arbridge demo --json`` → its table (``sync.mirror.models``)
ENTITY_TABLES = {"customers": "customer", "billing_documents": "billing_document",
                 "open_items": "open_item"}


def entity_counts(conn: Connection) -> dict[str, int]:
    return {name: int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
            for name, table in ENTITY_TABLES.items()}


def upload_counts(conn: Connection) -> dict[str, int]:
    found: dict[str, int] = dict(conn.execute(text(
        "SELECT state, COUNT(*) FROM portal_upload GROUP BY state")).all())
    return {state: int(found.get(state, 0)) for state in STATES}


def customers_per_portal(conn: Connection) -> dict[str | None, int]:
    """Customers per stored portal binding (None: bound to no portal)."""
    return {portal: int(count) for portal, count in conn.execute(
        text("SELECT portal, COUNT(*) FROM customer GROUP BY portal")).all()}


def cursors(conn: Connection) -> list[dict[str, Any]]:
    query = text("SELECT source, entity, scope, since, after_key, updated_at FROM sync_cursor "
                 "ORDER BY source, entity, scope").columns(updated_at=UtcDateTime())
    return [dict(row._mapping) for row in conn.execute(query)]
