"""The audit trail: every change the store makes, with who and when (personal values masked
with :func:`config.redaction.mask_field` before they are written)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection, insert

from sync.audit_models import AuditEventRow
from sync.tables import table_of

SYSTEM_ACTOR = "arbridge"


def event(*, action: str, entity: str, key: str, detail: dict[str, Any],
          actor: str = SYSTEM_ACTOR, at: datetime | None = None) -> dict[str, Any]:
    return {"at": at or datetime.now(timezone.utc), "actor": actor, "action": action,
            "entity": entity, "entity_key": key,
            "detail": json.dumps(detail, sort_keys=True, default=str)}


def record(conn: Connection, events: Iterable[dict[str, Any]]) -> None:
    """Write audit events in the caller's transaction."""
    rows = list(events)
    if rows:
        conn.execute(insert(table_of(AuditEventRow)), rows)
