"""Allocations with their SAP documents, the rule that made them and who approved them; a
correcting journal asked for with a reason (run in SAP at once, as ``arbridge journal
correct``) and followed to its reversal and re-post documents."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import Response

from admin.actions import request_journal
from admin.context import MAX_PAGE, RowId, context
from admin.filters import allocation_filter
from admin.pages.receipts import _redirect
from admin.security import Principal, current, require
from admin.templating import render
from config.errors import InputError
from sync.cash import allocations
from sync.cash import views as cash_view

router = APIRouter()


@router.get("/allocations")
def allocations_page(request: Request, who: Principal = Depends(current),
                     state: str | None = Query(None, max_length=20),
                     rule: str | None = Query(None, max_length=20),
                     customer: str | None = Query(None, max_length=80),
                     q: str | None = Query(None, max_length=40),
                     page: int = Query(1, ge=1, le=MAX_PAGE)) -> Response:
    ctx = context(request)
    with ctx.engine.connect() as conn:
        found = cash_view.allocation_page(conn, allocation_filter(state, rule, customer, q),
                                          page=page, per_page=ctx.settings.admin.page_size)
        rules = cash_view.rules(conn)
    params = {"state": state or "", "rule": rule or "", "customer": customer or "",
              "q": q or ""}
    return render(request, "allocations.html", found=found, params=params,
                  states=allocations.STATES, rules=rules)


@router.get("/allocations/{allocation_id}")
def allocation_page(request: Request, allocation_id: RowId, who: Principal = Depends(current),
                    notice: str | None = Query(None, max_length=500),
                    error: str | None = Query(None, max_length=500)) -> Response:
    ctx = context(request)
    with ctx.engine.connect() as conn:
        found = cash_view.allocation(conn, allocation_id)
        if found is None:
            raise HTTPException(404, f"no allocation {allocation_id}")
        receipt = cash_view.receipt(conn, found["allocation"].receipt_id,
                                    today=ctx.clock().date())
    return render(request, "allocation.html", row=found, a=found["allocation"],
                  receipt=receipt, notice=notice, error=error)


@router.post("/allocations/{allocation_id}/journal")
def journal_form(request: Request, allocation_id: RowId,
                 who: Principal = Depends(require("receipts.act")),
                 to: str = Form("", max_length=400), reason: str = Form("", max_length=500)
                 ) -> Response:
    invoices = [x.strip() for x in to.replace(";", ",").split(",") if x.strip()]
    try:
        journal = request_journal(request, who, allocation_id, invoices, reason)
    except InputError as refusal:
        return _redirect(request, f"/allocations/{allocation_id}", None, str(refusal))
    if journal.state == "failed":
        return _redirect(request, f"/journals/{journal.id}", None,
                         f"journal {journal.id}: SAP refused it: {journal.message}")
    return _redirect(request, f"/journals/{journal.id}",
                     f"correcting journal {journal.id} {journal.state}", None)


@router.get("/journals/{journal_id}")
def journal_page(request: Request, journal_id: RowId, who: Principal = Depends(current),
                 notice: str | None = Query(None, max_length=500),
                 error: str | None = Query(None, max_length=500)) -> Response:
    ctx = context(request)
    with ctx.engine.connect() as conn:
        journal = cash_view.journal(conn, journal_id)
        if journal is None:
            raise HTTPException(404, f"no correcting journal {journal_id}")
        old = cash_view.allocation(conn, journal.allocation_id)
        new = cash_view.allocation(conn, journal.new_allocation_id) \
            if journal.new_allocation_id else None
    return render(request, "journal.html", j=journal, old=old, new=new, notice=notice,
                  error=error)
