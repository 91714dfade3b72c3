"""``/api/audit``: the audit trail, searchable and paginated."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query, Request

from admin.api.schemas import AuditEventOut, AuditPage
from admin.context import MAX_PAGE, context
from admin.filters import audit_filter
from admin.security import Principal, current
from sync import audit_search

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=AuditPage)
def audit_events(request: Request, who: Principal = Depends(current),
                 q: str | None = Query(None, max_length=200),
                 actor: str | None = Query(None, max_length=80),
                 entity: str | None = Query(None, max_length=40),
                 since: date | None = None, until: date | None = None,
                 page: int = Query(1, ge=1, le=MAX_PAGE), per_page: int = Query(50, ge=1, le=200)
                 ) -> AuditPage:
    """Who did what, when, to which document: newest first; dates are whole UTC days."""
    ctx = context(request)
    with ctx.engine.connect() as conn:
        found = audit_search.search(conn, audit_filter(q, actor, entity, since, until),
                                    page=page, per_page=per_page)
    return AuditPage(items=[AuditEventOut(**r) for r in found.rows], total=found.total,
                     page=found.page, pages=found.pages, per_page=found.per_page)
