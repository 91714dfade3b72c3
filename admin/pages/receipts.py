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

from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import Response

from admin.actions import allocate, approve
from admin.context import MAX_PAGE, RowId, context
from admin.figures import receipt_listing
from admin.filters import receipt_filter
from admin.security import Principal, current, require
from admin.templating import flash_redirect, query, render
from config.errors import InputError
from connectors import cash_actions
from connectors.cash import open_items, suggestions_for
from sync.cash import allocations
from sync.cash import views as cash_view
from sync.cash.allocations import Allocation

router = APIRouter()
SPLIT_LINES = 5
MAX_CANDIDATES = 10  # open invoices of exactly the receipt's amount, shown as a lead


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
    found, suggestions = receipt_listing(request, chosen, page, ctx.settings.admin.page_size)
    params = {"state": chosen.state, "payer": payer or "",
              "since": chosen.since.isoformat() if chosen.since else "",
              "until": chosen.until.isoformat() if chosen.until else "",
              "amount_min": amount_min or "", "amount_max": amount_max or ""}
    return render(request, "receipts.html", found=found, params=params,
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
    return render(request, "receipt.html", row=row, suggestions=suggestions,
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
    for number, (invoice, amount) in enumerate(zip(invoices, amounts, strict=False), start=1):
        invoice, amount = invoice.strip(), amount.strip()
        if not invoice and not amount:
            continue
        if not invoice or not amount:
            raise cash_actions.SplitRefused(f"line {number}: give both the invoice and the "
                                             "amount")
        splits.append(cash_actions.Split(invoice, cash_actions.parse_amount(
            amount, f"line {number} (invoice {invoice})")))
    return splits


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
