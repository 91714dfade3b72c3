"""The audit trail: who did what, when, to which document; searchable and paginated."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from admin.context import MAX_PAGE, form_day
from admin.security import Principal, context, current
from sync import audit_search

router = APIRouter()


def audit_filter(q: str | None, actor: str | None, entity: str | None,
                 since: date | None, until: date | None) -> audit_search.AuditFilter:
    """Dates are whole days (UTC): ``until`` includes its day."""
    return audit_search.AuditFilter(
        text=q or None, actor=actor or None, entity=entity or None,
        since=datetime.combine(since, time(0), tzinfo=timezone.utc) if since else None,
        until=(datetime.combine(until, time(0), tzinfo=timezone.utc) + timedelta(days=1)
               if until and until < date.max else None))  # 9999-12-31: no upper bound


@router.get("/audit")
def audit_page(request: Request, who: Principal = Depends(current),
               q: str | None = Query(None, max_length=200),
               actor: str | None = Query(None, max_length=80),
               entity: str | None = Query(None, max_length=40),
               since: str | None = Query(None, max_length=10),
               until: str | None = Query(None, max_length=10),
               page: int = Query(1, ge=1, le=MAX_PAGE)) -> Response:
    ctx = context(request)
    first, last = form_day(since, "from"), form_day(until, "to")
    with ctx.engine.connect() as conn:
        found = audit_search.search(conn, audit_filter(q, actor, entity, first, last),
                                    page=page, per_page=ctx.settings.admin.page_size)
        entities = audit_search.entities(conn)
    params = {"q": q or "", "actor": actor or "", "entity": entity or "",
              "since": first.isoformat() if first else "",
              "until": last.isoformat() if last else ""}
    return ctx.render(request, "audit.html", found=found, params=params, entities=entities)
