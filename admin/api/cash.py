"""``/api/receipts``, ``/api/allocations`` and ``/api/journals``: cash application for
scripts, through the same functions as the pages (and the CLI)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from admin import actions
from admin.api.schemas import (
    AllocateIn,
    AllocationOut,
    AllocationPage,
    JournalIn,
    JournalOut,
    ReceiptOut,
    ReceiptPage,
    SuggestionOut,
)
from admin.context import MAX_PAGE, RowId, context
from admin.figures import receipt_listing
from admin.filters import allocation_filter, receipt_filter
from admin.security import Principal, current, require
from config.errors import InputError
from connectors import cash_actions
from connectors.cash import suggestions_for
from sync.cash import journals
from sync.cash import views as cash_view
from sync.cash.allocations import Allocation

router = APIRouter(tags=["cash"])
REFUSALS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such receipt, allocation or journal"},
    409: {"description": "the state does not allow it, or someone else acted first"},
    422: {"description": "the split or the request is not valid (the detail says why)"}}


def _refusal(error: InputError) -> HTTPException:
    text = str(error)
    if "does not exist" in text:
        return HTTPException(404, text)
    if isinstance(error, cash_actions.SplitRefused):
        return HTTPException(422, text)
    return HTTPException(409, text)


def _suggestion(s: dict[str, Any]) -> SuggestionOut:
    return SuggestionOut(allocation=s.get("allocation"), rule=s["rule"],
                         customer=s["customer"], invoices=s["invoices"], text=s["text"],
                         evidence=s.get("evidence") or {})


def _receipt(r: dict[str, Any], suggestions: list[dict[str, Any]]) -> ReceiptOut:
    return ReceiptOut(id=r["id"], booking_date=r["booking_date"], age_days=r["age_days"],
                      amount=r["amount"], currency=r["currency"], payer_name=r["payer_name"],
                      reference=r["reference"], narrative=r["narrative"], state=r["state"],
                      allocation=r.get("allocation_id"),
                      allocation_state=r.get("allocation_state"),
                      sap_document=r.get("sap_document"),
                      suggestions=[_suggestion(s) for s in suggestions])


def _allocation(a: Allocation, approved_by: str | None = None,
                journal_ids: list[int] | None = None) -> AllocationOut:
    return AllocationOut(id=a.id, receipt=a.receipt_id, state=a.state, rule=a.rule,
                         automatic=a.automatic, approved_by=approved_by, customer=a.customer,
                         currency=a.currency, amount=a.amount, on_account=a.on_account,
                         items=a.items, evidence=a.evidence, sap_document=a.sap_document,
                         sap_fiscal_year=a.sap_fiscal_year, sap_messages=a.messages,
                         journals=journal_ids or [])


def _full(request: Request, allocation_id: RowId) -> AllocationOut:
    with context(request).engine.connect() as conn:
        row = cash_view.allocation(conn, allocation_id)
    if row is None:
        raise HTTPException(404, f"no allocation {allocation_id}")
    return _allocation(row["allocation"], row["approved_by"], [j.id for j in row["journals"]])


@router.get("/receipts", response_model=ReceiptPage)
def list_receipts(request: Request, who: Principal = Depends(current),
                  state: str = Query("unallocated", description="unallocated (open or "
                                     "proposed), open, proposed, allocated, posted, returned "
                                     "or all"),
                  payer: str | None = Query(None, max_length=80,
                                            description="part of the payer or reference"),
                  since: date | None = None, until: date | None = None,
                  amount_min: str | None = Query(None, max_length=20),
                  amount_max: str | None = Query(None, max_length=20),
                  page: int = Query(1, ge=1, le=MAX_PAGE), per_page: int = Query(50, ge=1, le=200)
                  ) -> ReceiptPage:
    """Bank receipts, the longest waiting first; unallocated ones with the matcher's
    suggestions (rule and evidence) and their age in days."""
    chosen = receipt_filter(state, payer, since and since.isoformat(),
                                          until and until.isoformat(), amount_min, amount_max)
    found, suggestions = receipt_listing(request, chosen, page, per_page)
    return ReceiptPage(items=[_receipt(r, suggestions.get(r["id"], [])) for r in found.rows],
                       total=found.total, page=found.page, pages=found.pages,
                       per_page=found.per_page)


@router.get("/receipts/{receipt_id}", response_model=ReceiptOut, responses=REFUSALS)
def get_receipt(request: Request, receipt_id: RowId, who: Principal = Depends(current)
                ) -> ReceiptOut:
    """One receipt with its suggestions."""
    ctx = context(request)
    with ctx.engine.connect() as conn:
        row = cash_view.receipt(conn, receipt_id, today=ctx.clock().date())
        if row is None:
            raise HTTPException(404, f"no bank receipt {receipt_id}")
        suggestions = suggestions_for(conn, [row])[receipt_id] \
            if row["state"] in ("open", "proposed") else []
    return _receipt(row, suggestions)


@router.post("/receipts/{receipt_id}/allocate", response_model=AllocationOut,
             responses=REFUSALS)
def allocate(request: Request, receipt_id: RowId, body: AllocateIn,
             who: Principal = Depends(require("receipts.act"))) -> AllocationOut:
    """Allocate a receipt by hand to one customer's open invoices with an amount split, and
    post it to SAP at once (administrators). The amounts must add up to the receipt, unless
    ``on_account`` posts the remainder on account. Audited with the token's user."""
    try:
        splits = [cash_actions.Split(s.invoice, cash_actions.parse_amount(
            s.amount, f"split {n} (invoice {s.invoice})"))
            for n, s in enumerate(body.splits, start=1)]
        done = actions.allocate(request, who, receipt_id, splits,
                                      on_account=body.on_account, note=body.note)
    except InputError as error:
        raise _refusal(error) from None
    return _full(request, done.id)


@router.post("/allocations/{allocation_id}/approve", response_model=AllocationOut,
             responses=REFUSALS)
def approve(request: Request, allocation_id: RowId,
            who: Principal = Depends(require("receipts.act"))) -> AllocationOut:
    """Approve the matcher's proposal and post it to SAP at once (administrators)."""
    try:
        done = actions.approve(request, who, allocation_id)
    except InputError as error:
        raise _refusal(error) from None
    return _full(request, done.id)


@router.get("/allocations", response_model=AllocationPage)
def list_allocations(request: Request, who: Principal = Depends(current),
                     state: str | None = Query(None, max_length=20),
                     rule: str | None = Query(None, max_length=20),
                     customer: str | None = Query(None, max_length=80),
                     q: str | None = Query(None, max_length=40,
                                           description="part of the SAP document or invoice"),
                     page: int = Query(1, ge=1, le=MAX_PAGE),
                     per_page: int = Query(50, ge=1, le=200)
                     ) -> AllocationPage:
    """Allocations newest first, with their SAP documents, rule and who approved them."""
    chosen = allocation_filter(state, rule, customer, q)
    with context(request).engine.connect() as conn:
        found = cash_view.allocation_page(conn, chosen, page=page, per_page=per_page)
    return AllocationPage(items=[_allocation(r["allocation"], r["approved_by"],
                                             [j.id for j in r["journals"]])
                                 for r in found.rows],
                          total=found.total, page=found.page, pages=found.pages,
                          per_page=found.per_page)


@router.get("/allocations/{allocation_id}", response_model=AllocationOut, responses=REFUSALS)
def get_allocation(request: Request, allocation_id: RowId, who: Principal = Depends(current)
                   ) -> AllocationOut:
    return _full(request, allocation_id)


@router.post("/allocations/{allocation_id}/journal", response_model=JournalOut,
             responses=REFUSALS)
def request_journal(request: Request, allocation_id: RowId, body: JournalIn,
                    who: Principal = Depends(require("receipts.act"))) -> JournalOut:
    """Ask for a correcting journal of a posted allocation with a reason: the clearing is
    reset, the payment reversed and the receipt posted again to the right invoices, in SAP
    at once (administrators). Follow it with ``GET /api/journals/{id}``."""
    try:
        journal = actions.request_journal(request, who, allocation_id,
                                                   body.invoices, body.reason)
    except InputError as error:
        raise _refusal(error) from None
    return JournalOut(**journals.as_json(journal))


@router.get("/journals/{journal_id}", response_model=JournalOut, responses=REFUSALS)
def get_journal(request: Request, journal_id: RowId, who: Principal = Depends(current)
                ) -> JournalOut:
    """A correcting journal with every SAP document number it made so far."""
    with context(request).engine.connect() as conn:
        journal = cash_view.journal(conn, journal_id)
    if journal is None:
        raise HTTPException(404, f"no correcting journal {journal_id}")
    return JournalOut(**journals.as_json(journal))
