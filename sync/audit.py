"""The audit trail: every change the store makes, with who and when. Personal data is masked."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection, insert

from sync.audit_models import AuditEventRow

SYSTEM_ACTOR = "arbridge"


def mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def mask_phone(value: str) -> str:
    digits = "".join(c for c in value if c.isdigit())
    return f"***{digits[-3:]}" if len(digits) > 3 else "***"


MASKS = {"email": mask_email, "phone": mask_phone}


def mask(field: str, value: Any) -> Any:
    """A value fit for logs and the audit trail: personal data masked, the rest as text."""
    if value is None:
        return None
    masker = MASKS.get(field)
    return masker(str(value)) if masker else str(value)


def event(*, action: str, entity: str, key: str, detail: dict[str, Any],
          actor: str = SYSTEM_ACTOR, at: datetime | None = None) -> dict[str, Any]:
    return {"at": at or datetime.now(timezone.utc), "actor": actor, "action": action,
            "entity": entity, "entity_key": key,
            "detail": json.dumps(detail, sort_keys=True, default=str)}


def record(conn: Connection, events: Iterable[dict[str, Any]]) -> None:
    """Write audit events in the caller's transaction."""
    rows = list(events)
    if rows:
        conn.execute(insert(AuditEventRow.__table__), rows)  # type: ignore[attr-defined]
