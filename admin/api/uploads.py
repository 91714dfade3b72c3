"""``/api/uploads`` and ``/api/dashboard``: the upload queue and a person's actions on it."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from admin.actions import apply_action
from admin.api.schemas import (
    ActionIn,
    AllocatedOut,
    AttemptOut,
    BulkIn,
    BulkOut,
    Dashboard,
    UnallocatedOut,
    UploadDetail,
    UploadOut,
    UploadPage,
    UrgentClient,
    UrgentPo,
)
from admin.context import MAX_PAGE, context
from admin.figures import summary
from admin.filters import ListQuery, queue_query
from admin.security import Principal, current, require
from sync.uploads import actions as upload_actions
from sync.uploads import view as queue_view

router = APIRouter(tags=["uploads"])


def _out(row: dict[str, Any]) -> UploadOut:
    return UploadOut(**{k: row.get(k) for k in UploadOut.model_fields if k != "actions"},
                     actions=upload_actions.actions_for(row["state"]))


@router.get("/uploads", response_model=UploadPage)
def list_uploads(request: Request, who: Principal = Depends(current),
                 asked: ListQuery[queue_view.QueueFilter] = Depends(queue_query),
                 page: int = Query(1, ge=1, le=MAX_PAGE), per_page: int = Query(50, ge=1, le=200)
                 ) -> UploadPage:
    """The upload queue, most recently changed first, filtered and paginated."""
    ctx = context(request)
    with ctx.engine.connect() as conn:
        found = queue_view.listing(conn, asked.chosen(), page=page, per_page=per_page)
    return UploadPage(items=[_out(r) for r in found.rows], total=found.total, page=found.page,
                      pages=found.pages, per_page=found.per_page)


@router.get("/uploads/{document}", response_model=UploadDetail)
def get_upload(request: Request, document: str, who: Principal = Depends(current)
               ) -> UploadDetail:
    """One upload (billing document with or without leading zeros) and its attempts."""
    ctx = context(request)
    with ctx.engine.connect() as conn:
        row = queue_view.one(conn, document)
        if row is None:
            raise HTTPException(404, f"no upload for billing document {document}")
        tries = queue_view.attempts(conn, row["id"])
    doc = row["billing_document"]
    return UploadDetail(**_out(row).model_dump(), attempt_list=[AttemptOut(
        number=a["number"], started_at=a["started_at"], finished_at=a["finished_at"],
        outcome=a["outcome"], detail=a["detail"],
        evidence_url=f"/uploads/{doc}/attempts/{a['number']}") for a in tries])


@router.post("/uploads/bulk", response_model=BulkOut)
def bulk(request: Request, body: BulkIn, who: Principal = Depends(require("uploads.act"))
         ) -> BulkOut:
    """One action on many uploads; each is done or refused on its own (administrators)."""
    done, refused = apply_action(request, who, body.documents, body.action, body.reason)
    return BulkOut(done=done, refused=refused)


@router.post("/uploads/{document}/{action}", response_model=UploadOut,
             responses={409: {"description": "the upload's state does not allow the action"}})
def act(request: Request, document: str, action: upload_actions.Action,
        body: ActionIn | None = None, who: Principal = Depends(require("uploads.act"))
        ) -> Any:
    """A person's action on one upload, through the upload state machine (administrators):
    approve (review), retry (failed, held, rejected), hold and cancel (with a reason), or
    mark_submitted (put on the portal by hand). Audited with the token's user."""
    done, refused = apply_action(request, who, [document], action, body.reason if body else None)
    if refused:
        status = 404 if refused[0].startswith("no upload") else 409
        return JSONResponse({"detail": refused[0]}, status_code=status)
    with context(request).engine.connect() as conn:
        row = queue_view.one(conn, document)
    return _out(row or {})


@router.get("/dashboard", response_model=Dashboard, tags=["dashboard"])
def dashboard(request: Request, who: Principal = Depends(current)) -> Dashboard:
    """What needs a person now (uploads, open PO alerts by level, unallocated receipts),
    today's upload attempts and allocations, and the clients with the most urgent POs."""
    ctx = context(request)
    with ctx.engine.connect() as conn:
        figures = summary(conn, ctx.clock())
    attention, waiting = figures["attention"], figures["unallocated"]
    return Dashboard(
        needs_a_person=attention.counts, oldest_waiting=attention.oldest,
        held_by_reason=attention.held_by_reason, today_by_outcome=figures["today"],
        open_alerts=figures["alerts"],
        unallocated_receipts=UnallocatedOut(
            count=waiting.count, proposed=waiting.proposed, oldest=waiting.oldest,
            age_days=waiting.age_days(ctx.clock().date()), amount=waiting.amount),
        allocations_today=AllocatedOut(**asdict(figures["allocated"])),
        urgent_clients=[UrgentClient(customer=c["customer"], name=c["name"], level=c["level"],
                                     pos=[UrgentPo(portal=p["portal"], number=p["number"],
                                                   remaining=p["remaining"],
                                                   currency=p["currency"],
                                                   runout=p["forecast"].runout
                                                   if p.get("forecast") and p.get("usable")
                                                   else None)
                                          for p in c["pos"]]) for c in figures["clients"]])
