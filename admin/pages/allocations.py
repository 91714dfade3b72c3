"""Allocations with their SAP documents, the rule that made them and who approved them; a
correcting journal asked for with a reason (run in SAP at once, as ``arbridge journal
correct``) and followed to its reversal and re-post documents."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import Response

from admin.context import MAX_PAGE, RowId
from admin.pages.receipts import _redirect, store_of
from admin.security import Principal, context, current, require
from config.errors import InputError
from connectors import cash_actions
from sync.cash import allocations, views as cash_view
from sync.cash.journals import Journal

router = APIRouter()


def allocation_filter(state: str | None, rule: str | None, customer: str | None,
                      q: str | None) -> cash_view.AllocationFilter:
    if state and state not in allocations.STATES:
        raise HTTPException(422, f"state must be one of {', '.join(allocations.STATES)}")
    return cash_view.AllocationFilter(state=state or None, rule=rule or None,
                                      customer=customer or None, document=q or None)


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
    return ctx.render(request, "allocations.html", found=found, params=params,
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
    return ctx.render(request, "allocation.html", row=found, a=found["allocation"],
                      receipt=receipt, notice=notice, error=error)


def request_journal(request: Request, who: Principal, allocation_id: int,
                    invoices: list[str], reason: str) -> Journal:
    """Record the correcting journal with the person's name and reason, and run it in SAP."""
    ctx = context(request)
    if not invoices:
        raise InputError("name the invoice(s) the money should have gone to")
    return cash_actions.correct_now(ctx.settings, store_of(request), allocation_id, invoices,
                                    reason=reason, actor=who.user.name, now=ctx.clock())


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
    return ctx.render(request, "journal.html", j=journal, old=old, new=new, notice=notice,
                      error=error)
