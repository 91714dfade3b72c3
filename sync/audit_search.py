"""Searching the audit trail for people: who did what, when, to which document; paginated."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select

from sync.audit_models import AuditEventRow
from sync.paging import Page, containing, page_bounds
from sync.tables import table_of

EVENTS = table_of(AuditEventRow)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    text: str | None = None
    actor: str | None = None
    entity: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _where(query: Select, f: AuditFilter) -> Select:
    if f.text:
        text = containing(f.text.strip())
        query = query.where(or_(EVENTS.c.action.ilike(text, escape="\\"),
                                EVENTS.c.entity_key.ilike(text, escape="\\"),
                                EVENTS.c.detail.ilike(text, escape="\\")))
    if f.actor:
        query = query.where(EVENTS.c.actor == f.actor.strip())
    if f.entity:
        query = query.where(EVENTS.c.entity == f.entity.strip())
    if f.since:
        query = query.where(EVENTS.c.at >= f.since)
    if f.until:
        query = query.where(EVENTS.c.at < f.until)
    return query


def search(conn: Any, f: AuditFilter, *, page: int = 1, per_page: int = 50) -> Page:
    """Newest first. ``detail`` comes back parsed (it is stored as JSON)."""
    page, per_page = page_bounds(page, per_page)
    total = conn.execute(_where(select(func.count()).select_from(EVENTS), f)).scalar_one()
    query = _where(select(EVENTS), f).order_by(EVENTS.c.at.desc(), EVENTS.c.id.desc())
    rows = []
    for r in conn.execute(query.limit(per_page).offset((page - 1) * per_page)):
        row = dict(r._mapping)
        try:
            row["detail"] = json.loads(row["detail"])
        except ValueError:
            pass
        rows.append(row)
    return Page(rows=rows, total=int(total), page=page, per_page=per_page)


def entities(conn: Any) -> list[str]:
    return list(conn.execute(select(EVENTS.c.entity).distinct().order_by(EVENTS.c.entity))
                .scalars())
