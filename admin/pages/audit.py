"""The audit trail: who did what, when, to which document; searchable and paginated."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from admin.context import MAX_PAGE, context
from admin.filters import audit_filter, form_day
from admin.security import Principal, current
from admin.templating import render
from sync import audit_search

router = APIRouter()


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
    return render(request, "audit.html", found=found, params=params, entities=entities)
