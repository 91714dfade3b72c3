"""``/api/pos`` and ``/api/alerts``: the PO ledger and its alerts, and the billing team's
actions on them (acknowledge, enter a PO, re-point an invoice) — through the same functions
as the pages and ``arbridge po``/``arbridge alerts``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from admin.actions import FORM_NAMES, acknowledge_all
from admin.api.po_schemas import (
    AlertOut,
    AlertPage,
    AssignIn,
    AssignOut,
    BalanceRead,
    ForecastOut,
    OpenAlertBrief,
    PoAdded,
    PoDetail,
    PoIn,
    PoOut,
    PoPage,
    WaitingInvoice,
)
from admin.context import MAX_PAGE, RowId, context
from admin.filters import ListQuery, alert_query, po_query
from admin.security import Principal, current, require
from config.errors import InputError
from portals.po_actions import assign_po, enter_po
from sync.po import view as po_view
from sync.po.entry import po_read
from sync.store import Store

router = APIRouter()
REFUSED = {409: {"description": "refused: the message says why"}}


def po_out(row: dict[str, Any]) -> PoOut:
    fc = row.get("forecast")
    return PoOut(**{k: row.get(k) for k in PoOut.model_fields
                    if k not in ("waiting", "forecast", "alerts")},
                 waiting={state: n for state, (n, _) in row.get("waiting", {}).items()},
                 forecast=ForecastOut(runout=fc.runout, note=fc.note,
                                      monthly_rate=fc.monthly_rate,
                                      invoices_left=fc.invoices_left) if fc else None,
                 alerts=[OpenAlertBrief(**{k: a[k] for k in OpenAlertBrief.model_fields})
                         for a in row.get("alerts", [])])


def alert_out(row: dict[str, Any]) -> AlertOut:
    return AlertOut(**{k: row.get(k) for k in AlertOut.model_fields})


@router.get("/pos", response_model=PoPage, tags=["pos"])
def list_pos(request: Request, who: Principal = Depends(current),
             asked: ListQuery[po_view.PoFilter] = Depends(po_query),
             page: int = Query(1, ge=1, le=MAX_PAGE),
             per_page: int = Query(50, ge=1, le=200)) -> PoPage:
    """Client POs, most urgent first: remaining balance, pending, forecast run-out, alerts."""
    ctx = context(request)
    with ctx.engine.connect() as conn:
        found = po_view.po_listing(conn, asked.chosen(), today=ctx.clock().date(), page=page,
                                   per_page=per_page)
    return PoPage(items=[po_out(r) for r in found.rows], total=found.total, page=found.page,
                  pages=found.pages, per_page=found.per_page)


@router.post("/pos", response_model=PoAdded, tags=["pos"],
             responses={422: {"description": "the PO was not accepted: the message says why"}})
def add_po(request: Request, body: PoIn, who: Principal = Depends(require("pos.act"))
           ) -> Any:
    """Enter a PO a client sent (billing, administrators): as ``arbridge po add``, audited
    with the token's user; the held invoices that now fit are released."""
    ctx = context(request)
    try:
        read = po_read(number=body.number, total=str(body.total), currency=body.currency,
                       valid_to=body.valid_to.isoformat() if body.valid_to else None,
                       invoiced=str(body.invoiced), names=FORM_NAMES)
        released = enter_po(ctx.settings, Store(ctx.engine), body.portal, read,
                            customer=body.customer, actor=who.user.name, now=ctx.clock())
    except InputError as refusal:
        return JSONResponse({"detail": str(refusal)}, status_code=422)
    return PoAdded(portal=body.portal, number=read.number, total=read.total,
                   currency=read.currency, released=released)


@router.post("/pos/assign", response_model=AssignOut, tags=["pos"],
             responses={404: {"description": "no upload for that billing document"},
                        **REFUSED})
def assign(request: Request, body: AssignIn, who: Principal = Depends(require("pos.act"))
           ) -> Any:
    """Re-point an invoice to another PO (billing, administrators), as ``arbridge po
    assign``; held invoices that now fit are released."""
    ctx = context(request)
    try:
        upload, released = assign_po(ctx.settings, Store(ctx.engine), body.document,
                                     body.po_number, actor=who.user.name, now=ctx.clock())
    except InputError as refusal:
        status = 404 if str(refusal).startswith("no upload") else 409
        return JSONResponse({"detail": str(refusal)}, status_code=status)
    return AssignOut(billing_document=upload.billing_document, po_number=upload.po_number,
                     state=upload.state, reason=upload.reason, released=released)


@router.get("/pos/{portal}/{number:path}", response_model=PoDetail, tags=["pos"])
def get_po(request: Request, portal: str, number: str, who: Principal = Depends(current)
           ) -> PoDetail:
    """One PO: figures, forecast, every balance read, the invoices waiting on it and its
    alerts (open and closed)."""
    ctx = context(request)
    with ctx.engine.connect() as conn:
        found = po_view.po_one(conn, portal, number, today=ctx.clock().date())
    if found is None:
        raise HTTPException(404, f"no PO {number} on {portal}")
    po = found["po"]
    return PoDetail(portal=portal, number=number, po=po_out(po) if po else None,
                    history=[BalanceRead(**h) for h in (po or {}).get("history", [])],
                    invoices=[WaitingInvoice(**i) for i in found["invoices"]],
                    alerts=[alert_out(a) for a in found["alerts"]])


@router.get("/alerts", response_model=AlertPage, tags=["alerts"])
def list_alerts(request: Request, who: Principal = Depends(current),
                asked: ListQuery[po_view.AlertFilter] = Depends(alert_query),
                page: int = Query(1, ge=1, le=MAX_PAGE), per_page: int = Query(50, ge=1, le=200)
                ) -> AlertPage:
    """PO alerts, highest level first."""
    ctx = context(request)
    with ctx.engine.connect() as conn:
        found = po_view.alert_listing(conn, asked.chosen(), page=page, per_page=per_page)
    return AlertPage(items=[alert_out(r) for r in found.rows], total=found.total,
                     page=found.page, pages=found.pages, per_page=found.per_page)


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertOut, tags=["alerts"],
             responses={404: {"description": "no such alert"}, **REFUSED})
def acknowledge(request: Request, alert_id: RowId,
                who: Principal = Depends(require("alerts.act"))) -> Any:
    """Acknowledge an open alert (billing, administrators): who and when are recorded; it
    stays open until resolved."""
    done, refused = acknowledge_all(request, who, [alert_id])
    if refused:
        status = 404 if refused[0].startswith("no alert") else 409
        return JSONResponse({"detail": refused[0]}, status_code=status)
    with context(request).engine.connect() as conn:
        return alert_out(po_view.alert_one(conn, alert_id) or {})
