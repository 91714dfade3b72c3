"""A person's cash-application actions: a receipt allocated by hand to one or several open
invoices with an amount split, a matcher's proposal approved, a correcting journal asked
for; each then carried to SAP at once, exactly once, through the same claimed functions as
``arbridge allocate`` and ``arbridge journal correct``.

Used by the web app, its API and the ``arbridge allocations`` commands alike.

The split is validated whole before anything is stored (:func:`check_split`, pure):
each amount positive with at most two decimals, no invoice twice, no invoice paid beyond
what is open on it (less leaves a residual open item, as a short payment does), and the
splits add up to the receipt; a remainder is allowed only when the person says to post it
on account. The receipt is claimed with a conditional update (``open``/``proposed`` →
``allocated``), so a matching run or a second person at the same moment cannot allocate it
too; its proposals are set aside in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from sqlalchemy import select, update

from config.errors import InputError
from config.settings import Settings
from connectors.cash import invoice_items
from connectors.errors import SplitRefused
from connectors.journals import request_correction, run_journal
from connectors.posting import PostSummary, post_one, run_owner
from sap.errors import SapError
from sap.factory import make_sap_client
from sync.cash import allocations, journals
from sync.cash import store as cash_store
from sync.cash.allocations import Allocation
from sync.cash.journals import Journal
from sync.cash.matching import ZERO
from sync.store import Store
from sync.txn import writing

log = logging.getLogger(__name__)
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1e15")  # beyond any receipt; keeps quantize and the store's columns safe
TAKEN_FROM = ("open", "proposed")


@dataclass(frozen=True, slots=True)
class Split:
    invoice: str
    amount: Decimal


def parse_amount(text: str, where: str) -> Decimal:
    """``1234.50`` (a point, no grouping) → Decimal; anything else names ``where``."""
    cleaned = text.strip().replace(" ", "").replace("\u202f", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise SplitRefused(f"{where}: {text!r} is not an amount (write it like 1234.50)"
                         ) from None
    if value.is_finite() and abs(value) >= MAX_AMOUNT:
        raise SplitRefused(f"{where}: {text!r} is too large for an amount")
    if not value.is_finite() or value != value.quantize(CENT):
        raise SplitRefused(f"{where}: {text!r} is not an amount with at most two decimals")
    if value <= 0:
        raise SplitRefused(f"{where}: the amount must be more than zero")
    return value.quantize(CENT)


def check_split(receipt_amount: Decimal, currency: str, splits: Sequence[Split], *,
                on_account: bool) -> Decimal:
    """The remainder left on account (zero when the splits add up to the receipt).

    Raises:
        InputError: no split, an invoice twice, more than the receipt, or a remainder the
            person did not ask to post on account.
    """
    if not splits:
        raise SplitRefused("name at least one invoice and the amount to apply to it")
    seen: set[str] = set()
    for split in splits:
        key = split.invoice.strip().lstrip("0").upper()
        if key in seen:
            raise SplitRefused(f"invoice {split.invoice} is named twice; put its whole amount "
                             "on one line")
        seen.add(key)
    total = sum((s.amount for s in splits), ZERO)
    left = receipt_amount - total
    if left < 0:
        raise SplitRefused(f"the splits add up to {total} {currency}, more than the receipt's "
                         f"{receipt_amount} {currency} (by {-left}); lower one of them")
    if left > 0 and not on_account:
        raise SplitRefused(f"the splits add up to {total} {currency}; the receipt is "
                         f"{receipt_amount} {currency}: apply the remaining {left} {currency} "
                         "to an invoice, or tick 'post the remainder on account'")
    return left


def allocate_by_hand(store: Store, receipt_id: int, splits: Sequence[Split], *, actor: str,
                     on_account: bool = False, note: str = "",
                     now: datetime | None = None) -> int:
    """Store an approved allocation of ``receipt_id`` to the named invoices (nothing is
    posted yet: see :func:`post_now`). Returns the allocation's id."""
    now = now or datetime.now(timezone.utc)
    entries = cash_store.ENTRIES
    with writing(store.engine) as conn:
        receipt = conn.execute(select(entries).where(
            entries.c.id == receipt_id, entries.c.is_receipt.is_(True)).with_for_update()
        ).first()
        if receipt is None:
            raise InputError(f"receipt {receipt_id} does not exist (arbridge bank unallocated "
                             "lists them)")
        # a receipt whose every allocation SAP refused (or was set aside) is allocated by
        # nothing: a person may allocate it again (a journal corrects only posted ones)
        table = allocations.ALLOCATIONS
        takeable = TAKEN_FROM + (("allocated",) if receipt.state == "allocated" and conn.execute(
            select(table.c.id).where(table.c.receipt_id == receipt_id,
                                     table.c.state.in_(allocations.ACTIVE))).first() is None
            else ())
        if receipt.state not in takeable:
            raise InputError(f"receipt {receipt_id} is {receipt.state}, not unallocated; "
                             "correct a posted allocation with a correcting journal")
        taken = conn.execute(update(entries).where(
            entries.c.id == receipt_id, entries.c.state.in_(takeable)).values(
            state="allocated"))
        if taken.rowcount != 1:
            raise InputError(f"receipt {receipt_id} was allocated by someone else a moment "
                             "ago; reload to see how")
        for proposal in allocations.suggestions(conn, receipt_id):
            allocations.set_state(conn, proposal.id, "rejected", now=now, actor=actor,
                                  reason=f"allocated by hand by {actor}")
        if not splits:
            raise SplitRefused("name at least one invoice and the amount to apply to it")
        try:
            items = invoice_items(conn, [s.invoice for s in splits], receipt.currency)
        except InputError as error:
            raise SplitRefused(str(error)) from None
        applications = []
        for split, item in zip(splits, items, strict=False):
            if split.amount > item.amount:
                raise SplitRefused(
                    f"invoice {split.invoice}: {split.amount} {receipt.currency} is more than "
                    f"the {item.amount} {receipt.currency} open on it; put the difference on "
                    "another invoice or on account")
            applications.append({
                "item": item.key, "document": item.document, "fiscal_year": item.fiscal_year,
                "line": item.line, "invoice": item.invoice, "open_amount": str(item.amount),
                "applied": str(split.amount), "deduction": "0.00", "reason": note[:50],
                "residual": str(item.amount - split.amount)})
        left = check_split(receipt.amount, receipt.currency, splits, on_account=on_account)
        allocation_id = allocations.insert_allocation(
            conn, receipt_id=receipt_id, state="approved", rule="manual", automatic=False,
            company_code=items[0].company_code, customer=items[0].customer,
            currency=receipt.currency, amount=receipt.amount, on_account=left,
            items=applications, now=now, actor=actor,
            evidence={"by": actor, "matched_on": "allocated by hand",
                      "splits": {s.invoice: str(s.amount) for s in splits},
                      **({"on_account": str(left)} if left else {}),
                      **({"note": note} if note else {})})
        conn.execute(update(allocations.ALLOCATIONS).where(
            allocations.ALLOCATIONS.c.id == allocation_id).values(approved_by=actor))
    return allocation_id


def approve_proposal(store: Store, allocation_id: int, *, actor: str,
                     now: datetime | None = None) -> Allocation:
    """The matcher's proposal approved by ``actor`` (audited); posted by :func:`post_now`."""
    with writing(store.engine) as conn:
        return allocations.approve(conn, allocation_id, actor=actor,
                                   now=now or datetime.now(timezone.utc))


def post_now(settings: Settings, store: Store, allocation_id: int,
             now: datetime | None = None) -> Allocation:
    """Post one approved allocation to SAP through the same claimed, looked-up-first path as
    ``arbridge allocate`` (:func:`connectors.posting.post_one`). When SAP cannot be reached
    the allocation stays approved (or claimed, for a look-up) and the next
    ``arbridge allocate`` posts it."""
    client = make_sap_client(settings)
    try:
        if hasattr(client, "post_payment"):
            post_one(store, client, settings.cash, allocation_id, owner=run_owner(None),
                     now=now or datetime.now(timezone.utc), summary=PostSummary())
        else:
            log.warning("allocation %s left approved: %s cannot post", allocation_id,
                        client.name)
    except SapError as exc:
        log.warning("allocation %s left for the next run: %s", allocation_id, exc)
    finally:
        client.close()
    with store.engine.connect() as conn:
        return allocations.get(conn, allocation_id)


def correct_now(settings: Settings, store: Store, allocation_id: int,
                invoices: Sequence[str], *, reason: str, actor: str,
                now: datetime | None = None) -> Journal:
    """Record a correcting journal (who, why, to which invoices) and run it in SAP at once, as
    ``arbridge journal correct`` does; a journal SAP could not finish stays pending for the
    next ``arbridge allocate``."""
    now = now or datetime.now(timezone.utc)
    journal_id = request_correction(store, allocation_id, invoices, reason=reason,
                                    actor=actor, now=now)
    client = make_sap_client(settings)
    try:
        run_journal(store, client, settings.cash, journal_id, owner=run_owner(None), now=now)
    except SapError as exc:
        log.warning("journal %s left pending: %s", journal_id, exc)
    finally:
        client.close()
    with store.engine.connect() as conn:
        return journals.get(conn, journal_id)
