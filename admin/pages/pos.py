"""The POs: remaining balance, pending, forecast run-out and history of every client PO;
enter a PO a client sent by e-mail; re-point a held invoice to another PO. The actions go
through ``portals.po_actions`` (``enter_po``, ``assign_po``), as ``arbridge po add`` and
``po assign`` do: same checks, same audit, and the held invoices that now fit are released."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import Response

from admin.actions import FORM_NAMES
from admin.charts import burndown, colours, series_of
from admin.context import MAX_PAGE, context
from admin.filters import LEVEL_CHOICES, ListQuery, po_query
from admin.security import Principal, current, require
from admin.templating import flash_redirect, render
from config.errors import InputError
from portals.po_actions import assign_po, enter_po, known_portals
from sync.po import view as po_view
from sync.po.entry import po_read
from sync.store import Store

router = APIRouter()
def po_url(portal: str, number: str) -> str:
    return f"/pos/{quote(portal, safe='')}/{quote(number, safe='')}"


@router.get("/pos")
def pos_page(request: Request, who: Principal = Depends(current),
             asked: ListQuery[po_view.PoFilter] = Depends(po_query),
             page: int = Query(1, ge=1, le=MAX_PAGE),
             notice: str | None = Query(None, max_length=500),
             error: str | None = Query(None, max_length=500)) -> Response:
    ctx = context(request)
    chosen = asked.chosen()
    with ctx.engine.connect() as conn:
        found = po_view.po_listing(conn, chosen, today=ctx.clock().date(), page=page,
                                   per_page=ctx.settings.admin.page_size)
        portals = po_view.po_portals(conn)
    params = {name: value or "" for name, value in asked.params.items()}
    return render(request, "pos.html", found=found, params=params, portals=portals,
                  levels=LEVEL_CHOICES, states=po_view.PO_STATES, notice=notice,
                  error=error, po_url=po_url)


def _form(request: Request, *, values: dict[str, str], error: str | None = None,
          status_code: int = 200) -> Response:
    ctx = context(request)
    return render(request, "po_new.html", status_code=status_code, values=values,
                  error=error, portals=known_portals(ctx.settings))


@router.get("/pos/new")
def new_po_form(request: Request, who: Principal = Depends(require("pos.act")),
                portal: str | None = Query(None, max_length=40),
                number: str | None = Query(None, max_length=35),
                customer: str | None = Query(None, max_length=10)) -> Response:
    if not portal:
        with context(request).engine.connect() as conn:
            portal = po_view.busiest_held_portal(conn)
    return _form(request, values={"portal": portal or "", "number": number or "",
                                  "customer": customer or "", "currency": "ZAR",
                                  "invoiced": "0"})


@router.post("/pos/new")
def add_po(request: Request, who: Principal = Depends(require("pos.act")),
           portal: str = Form(..., max_length=40), number: str = Form("", max_length=35),
           total: str = Form("", max_length=30), currency: str = Form("", max_length=5),
           valid_to: str | None = Form(None, max_length=10),
           invoiced: str | None = Form(None, max_length=30),
           customer: str | None = Form(None, max_length=10)) -> Response:
    """Same rules and audit as ``arbridge po add``; held invoices that now fit go out."""
    ctx = context(request)
    values = {"portal": portal, "number": number, "total": total, "currency": currency,
              "valid_to": valid_to or "", "invoiced": invoiced or "0",
              "customer": customer or ""}
    try:
        read = po_read(number=number, total=total, currency=currency, valid_to=valid_to,
                       invoiced=invoiced or "0", names=FORM_NAMES)
        if customer and not customer.strip().isdigit():
            raise InputError(f"Customer {customer!r} is not an SAP customer number")
        released = enter_po(ctx.settings, Store(ctx.engine), portal, read,
                            customer=(customer or "").strip() or None, actor=who.user.name,
                            now=ctx.clock())
    except InputError as refusal:
        return _form(request, values=values, error=str(refusal), status_code=422)
    notice = (f"PO {read.number} on {portal} entered: {read.total:,.2f} {read.currency}; "
              f"{released} held invoice(s) released")
    return flash_redirect(request, po_url(portal, read.number), notice=notice)


@router.post("/pos/assign")
def assign(request: Request, who: Principal = Depends(require("pos.act")),
           document: str = Form(..., max_length=10), po_number: str = Form("", max_length=35),
           back: str = Form("/pos", max_length=500)) -> Response:
    """Re-point an invoice to another PO, as ``arbridge po assign``; it goes out if it fits."""
    ctx = context(request)
    extra: dict[str, Any] = {}
    try:
        upload, released = assign_po(ctx.settings, Store(ctx.engine), document, po_number,
                                     actor=who.user.name, now=ctx.clock())
        extra["notice"] = (f"{upload.billing_document} now against PO {upload.po_number}: "
                           f"{upload.state}" + (f" ({upload.reason})" if upload.reason else "")
                           + f"; {released} held invoice(s) released")
    except InputError as refusal:
        extra["error"] = str(refusal)
    target = back if back.startswith("/pos") and not back.startswith("//") else "/pos"
    return flash_redirect(request, target.split("?")[0], **extra)


@router.get("/pos/{portal}/{number:path}")
def po_page(request: Request, portal: str, number: str, who: Principal = Depends(current),
            notice: str | None = Query(None, max_length=500),
            error: str | None = Query(None, max_length=500)) -> Response:
    ctx = context(request)
    now = ctx.clock()
    with ctx.engine.connect() as conn:
        found = po_view.po_one(conn, portal, number, today=now.date())
        if found is None:
            raise HTTPException(404, f"no PO {number} on {portal}")
        customer = (found["po"] or {}).get("customer") or next(
            (i["customer"] for i in found["invoices"]), None)
        choices = po_view.repoint_choices(conn, portal, customer, today=now.date())
    chart = None
    if found["po"] is not None:
        po = found["po"]
        chart = burndown([series_of(po, now)], now=now, currency=po["currency"],
                         title=f"Remaining balance of PO {number} over time", chart_id="po")
    return render(request, "po.html", found=found, po=found["po"], chart=chart,
                  choices=[c for c in choices if c["number"] != number],
                  colour=colours(1)[0], notice=notice, error=error, po_url=po_url,
                  here=po_url(portal, number))
