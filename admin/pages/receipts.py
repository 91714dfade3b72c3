"""Bank receipts: filter by state, payer, date and amount; each unallocated receipt with the
matcher's suggestions (rule and evidence); allocate by hand with an amount split, or approve
a proposal — both through ``connectors.cash_actions`` (as the CLI), then posted to SAP.

Why posted at once, in the request, rather than left for a run as the upload queue's
approve does: an approved upload is carried out by the scheduled ``portal-upload`` job,
while cash has no scheduled job (posting happens in ``arbridge allocate``), so an approved
allocation would wait for someone to type a command. Posting one allocation is one claimed
BAPI call (``connectors.posting.post_one``, exactly once, looked up first after a timeout),
and ``arbridge journal correct`` already runs its journal at once the same way. When SAP
cannot be reached the allocation stays approved and the next ``arbridge allocate`` posts it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import Response

from admin.context import MAX_PAGE, RowId, flash_redirect, form_day, query
from admin.security import Principal, context, current, require
from config.errors import InputError
from connectors import cash_actions
from connectors.cash import open_items, suggestions_for
from sync.cash import allocations, views as cash_view
from sync.cash.allocations import Allocation
from sync.store import Store

router = APIRouter()
SPLIT_LINES = 5
MAX_CANDIDATES = 10  # open invoices of exactly the receipt's amount, shown as a lead


def store_of(request: Request) -> Store:
    ctx = context(request)
    return Store(ctx.engine)


def receipt_filter(state: str | None, payer: str | None, since: str | None,
                   until: str | None, amount_min: str | None,
                   amount_max: str | None) -> cash_view.ReceiptFilter:
    state = state or "unallocated"
    if state not in cash_view.RECEIPT_STATES:
        raise HTTPException(422, f"state must be one of {', '.join(cash_view.RECEIPT_STATES)}")
    bounds: list[Decimal | None] = []
    for name, text in (("amount from", amount_min), ("amount to", amount_max)):
        if not text or not text.strip():
            bounds.append(None)
            continue
        try:
            bounds.append(Decimal(text.strip().replace(" ", "")))
        except ArithmeticError:
            raise HTTPException(422, f"{name}: {text!r} is not an amount (like 1234.50)"
                                ) from None
    return cash_view.ReceiptFilter(state=state, payer=payer or None,
                                   since=form_day(since, "booked from"),
                                   until=form_day(until, "booked to"),
                                   amount_min=bounds[0], amount_max=bounds[1])


def listing(request: Request, chosen: cash_view.ReceiptFilter, page: int, per_page: int
            ) -> tuple[Any, dict[int, list[dict[str, Any]]]]:
    """A page of receipts and, for those still unallocated, their suggestions."""
    ctx = context(request)
    with ctx.engine.connect() as conn:
        found = cash_view.receipts(conn, chosen, today=ctx.clock().date(), page=page,
                                   per_page=per_page)
        waiting = [r for r in found.rows if r["state"] in ("open", "proposed")]
        suggestions = suggestions_for(conn, waiting) if waiting else {}
    return found, suggestions


@router.get("/receipts")
def receipts_page(request: Request, who: Principal = Depends(current),
                  state: str | None = Query(None, max_length=20),
                  payer: str | None = Query(None, max_length=80),
                  since: str | None = Query(None, max_length=10),
                  until: str | None = Query(None, max_length=10),
                  amount_min: str | None = Query(None, max_length=20),
                  amount_max: str | None = Query(None, max_length=20),
                  page: int = Query(1, ge=1, le=MAX_PAGE),
                  notice: str | None = Query(None, max_length=500),
                  error: str | None = Query(None, max_length=500)) -> Response:
    ctx = context(request)
    chosen = receipt_filter(state, payer, since, until, amount_min, amount_max)
    found, suggestions = listing(request, chosen, page, ctx.settings.admin.page_size)
    params = {"state": chosen.state, "payer": payer or "",
              "since": chosen.since.isoformat() if chosen.since else "",
              "until": chosen.until.isoformat() if chosen.until else "",
              "amount_min": amount_min or "", "amount_max": amount_max or ""}
    return ctx.render(request, "receipts.html", found=found, params=params,
                      suggestions=suggestions, states=cash_view.RECEIPT_STATES, notice=notice,
                      error=error, back=f"/receipts?{query(params, page=page)}")


@router.get("/receipts/{receipt_id}")
def receipt_page(request: Request, receipt_id: RowId, who: Principal = Depends(current),
                 notice: str | None = Query(None, max_length=500),
                 error: str | None = Query(None, max_length=500)) -> Response:
    ctx = context(request)
    with ctx.engine.connect() as conn:
        row = cash_view.receipt(conn, receipt_id, today=ctx.clock().date())
        if row is None:
            raise HTTPException(404, f"no bank receipt {receipt_id}")
        suggestions = suggestions_for(conn, [row]).get(receipt_id, []) \
            if row["state"] in ("open", "proposed") else []
        history = cash_view.allocations_of_receipt(conn, receipt_id)
        candidates = [i for i in open_items(conn) if i.currency == row["currency"]
                      and i.amount == row["amount"]][:MAX_CANDIDATES] \
            if row["state"] in ("open", "proposed") else []
    prefill = _prefill(suggestions)
    # every allocation SAP refused or set aside: the person allocates it again
    stuck = row["state"] == "allocated" and not any(
        a.state in allocations.ACTIVE for a in history)
    return ctx.render(request, "receipt.html", row=row, suggestions=suggestions,
                      history=history, notice=notice, error=error, prefill=prefill,
                      split_lines=SPLIT_LINES, candidates=candidates, stuck=stuck)


def _prefill(suggestions: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The allocate form's lines, filled from the first suggestion (a person corrects them)."""
    if not suggestions:
        return []
    first = suggestions[0]
    if first.get("items"):
        return [(i["invoice"], i["applied"]) for i in first["items"]][:SPLIT_LINES]
    return [(invoice, "") for invoice in first.get("invoices", [])][:SPLIT_LINES]


def splits_from(invoices: list[str], amounts: list[str]) -> list[cash_actions.Split]:
    """Form lines → splits; blank lines are skipped, half-filled ones named."""
    if len(invoices) != len(amounts):
        raise cash_actions.SplitRefused(f"the form sent {len(invoices)} invoice line(s) and "
                                         f"{len(amounts)} amount(s); each line needs both")
    splits = []
    for number, (invoice, amount) in enumerate(zip(invoices, amounts), start=1):
        invoice, amount = invoice.strip(), amount.strip()
        if not invoice and not amount:
            continue
        if not invoice or not amount:
            raise cash_actions.SplitRefused(f"line {number}: give both the invoice and the "
                                             "amount")
        splits.append(cash_actions.Split(invoice, cash_actions.parse_amount(
            amount, f"line {number} (invoice {invoice})")))
    return splits


def allocate(request: Request, who: Principal, receipt_id: int,
             splits: list[cash_actions.Split], *, on_account: bool, note: str) -> Allocation:
    """Allocate by hand and post at once; audited with the person's name."""
    ctx = context(request)
    store = store_of(request)
    allocation_id = cash_actions.allocate_by_hand(store, receipt_id, splits,
                                                  actor=who.user.name, on_account=on_account,
                                                  note=note, now=ctx.clock())
    return cash_actions.post_now(ctx.settings, store, allocation_id, now=ctx.clock())


def approve(request: Request, who: Principal, allocation_id: int) -> Allocation:
    ctx = context(request)
    store = store_of(request)
    cash_actions.approve_proposal(store, allocation_id, actor=who.user.name, now=ctx.clock())
    return cash_actions.post_now(ctx.settings, store, allocation_id, now=ctx.clock())


def outcome(allocation: Allocation) -> tuple[str | None, str | None]:
    """(notice, error) telling the person where the money went in SAP."""
    what = f"allocation {allocation.id} of {allocation.amount} {allocation.currency}"
    if allocation.state == "posted":
        return (f"{what} posted to SAP as document {allocation.sap_document} "
                f"({allocation.sap_fiscal_year})", None)
    if allocation.state == "failed":
        reasons = "; ".join(m.get("MESSAGE", "") for m in allocation.messages) or "no reason"
        return None, f"{what}: SAP refused it: {reasons}"
    return (f"{what} {allocation.state}; SAP could not be reached just now, the next "
            "'arbridge allocate' posts it", None)


def _redirect(request: Request, target: str, notice: str | None,
              error: str | None) -> Response:
    if not target.startswith(("/receipts", "/allocations", "/journals")):
        target = "/receipts"
    return flash_redirect(request, target, notice=notice, error=error)


@router.post("/receipts/{receipt_id}/allocate")
def allocate_form(request: Request, receipt_id: RowId,
                  who: Principal = Depends(require("receipts.act")),
                  invoice: list[str] = Form(default_factory=list),
                  amount: list[str] = Form(default_factory=list),
                  on_account: bool = Form(False), note: str = Form("", max_length=200)
                  ) -> Response:
    try:
        done = allocate(request, who, receipt_id, splits_from(invoice, amount),
                        on_account=on_account, note=note)
    except InputError as refusal:
        return _redirect(request, f"/receipts/{receipt_id}", None, str(refusal))
    notice, error = outcome(done)
    return _redirect(request, f"/allocations/{done.id}", notice, error)


@router.post("/receipts/proposals/{allocation_id}/approve")
def approve_form(request: Request, allocation_id: RowId,
                 who: Principal = Depends(require("receipts.act")),
                 back: str = Form("/receipts")) -> Response:
    try:
        done = approve(request, who, allocation_id)
    except InputError as refusal:
        return _redirect(request, back, None, str(refusal))
    notice, error = outcome(done)
    return _redirect(request, back, notice, error)
