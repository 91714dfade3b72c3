"""The PO ledger: every client PO with the portal's figures beside arbridge's own, and a
history of every balance read (the burn-down's points).

Refreshed from two sides: a portal read (``record_read``: total, invoiced, open, valid-to as
the portal shows them) and arbridge's own uploads (``refresh``: what is pending, what has
been sent since the read). A difference between what the portal counts as invoiced and what
arbridge had sent at the read is flagged with both figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update

from sync import audit
from sync.mirror.models import BillingDocumentRow, CustomerRow
from sync.po.models import PoBalanceReadRow, PoLedgerRow
from sync.tables import table_of
from sync.uploads.holds import PoBalance
from sync.uploads.models import PortalUploadRow
from sync.uploads.states import ON_PORTAL
from sync.upsert import upsert

LEDGER = table_of(PoLedgerRow)
READS = table_of(PoBalanceReadRow)
UPLOADS = table_of(PortalUploadRow)
DOCS = table_of(BillingDocumentRow)
CUSTOMERS = table_of(CustomerRow)
ZERO = Decimal("0.00")
WAITING_STATES = ("queued", "review", "ready", "submitting", "held")
COUNTED_STATES = tuple(sorted(ON_PORTAL - {"rejected"}))


@dataclass(frozen=True, slots=True)
class PoRead:
    """One PO as a portal shows it (or as an administrator entered it)."""

    number: str
    total: Decimal
    invoiced: Decimal
    currency: str
    open: bool = True
    valid_to: date | None = None


def mismatch_note(portal_invoiced: Decimal, own: Decimal, currency: str) -> str | None:
    """Both figures, and which side has more, or None when they agree."""
    if portal_invoiced == own:
        return None
    difference = portal_invoiced - own
    if difference > 0:
        what = "invoices on the portal that arbridge did not send"
    else:
        what = "invoices arbridge sent that the portal does not count"
    return (f"portal counts {portal_invoiced:,.2f} {currency} invoiced, arbridge sent "
            f"{own:,.2f} {currency}: {abs(difference):,.2f} {currency} of {what}")


def _own_on_portal(conn: Connection, portal: str) -> dict[tuple[str, str], Decimal]:
    """What arbridge sent per (PO, currency): only the PO's own currency is compared."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for po, net, currency in conn.execute(select(
            UPLOADS.c.po_number, UPLOADS.c.net, UPLOADS.c.currency).where(
            UPLOADS.c.portal == portal, UPLOADS.c.state.in_(COUNTED_STATES))):
        totals[(po or "", currency)] += net
    return totals


@dataclass(frozen=True, slots=True)
class ReadResult:
    grown: list[str]  # new POs and top-ups: what may release held invoices
    changed: set[str]  # any figure changed since the last read: what the rules must look at


def record_read(conn: Connection, portal: str, reads: Iterable[PoRead], *, now: datetime,
                source: str = "portal") -> ReadResult:
    """Store a read of ``portal``'s POs: history, ledger figures and the mismatch flag."""
    reads = list(reads)
    if not reads:
        return ReadResult([], set())
    own = _own_on_portal(conn, portal)
    known = {r.number: r for r in conn.execute(select(LEDGER).where(
        LEDGER.c.portal == portal, LEDGER.c.number.in_([r.number for r in reads])))}
    conn.execute(insert(READS), [
        {"portal": portal, "number": r.number, "read_at": now, "total": r.total,
         "invoiced": r.invoiced, "remaining": r.total - r.invoiced, "currency": r.currency,
         "source": source} for r in reads])
    rows, grown, events, changed = [], [], [], set()
    for r in reads:
        before = known.get(r.number)
        if before is None or (before.total, before.invoiced, before.open, before.valid_to,
                              before.currency) != (r.total, r.invoiced, r.open, r.valid_to,
                                                   r.currency):
            changed.add(r.number)
        mine = own.get((r.number, r.currency), ZERO)
        rows.append({"portal": portal, "number": r.number, "total": r.total,
                     "invoiced": r.invoiced, "pending": ZERO,
                     "remaining": r.total - r.invoiced, "currency": r.currency,
                     "open": r.open, "valid_to": r.valid_to, "source": source,
                     "own_invoiced": mine,
                     "mismatch": mismatch_note(r.invoiced, mine, r.currency),
                     "first_seen_at": before.first_seen_at if before else now,
                     "read_at": now, "updated_at": now,
                     "customer": before.customer if before else None,
                     "customer_name": before.customer_name if before else None})
        if before is None or r.total > before.total or (r.open and not before.open):
            grown.append(r.number)
            events.append(audit.event(
                action="po new" if before is None else "po topped up", entity="po_ledger",
                key=f"{portal}/{r.number}", at=now,
                detail={"total": r.total, "before": before.total if before else None,
                        "source": source}))
    upsert(conn, LEDGER, rows, ("portal", "number"))
    audit.record(conn, events)
    refresh(conn, now=now, portal=portal, numbers=[r.number for r in reads])
    return ReadResult(grown, changed)


def refresh(conn: Connection, *, now: datetime, portal: str | None = None,
            numbers: Iterable[str] | None = None) -> None:
    """Recompute pending and remaining from arbridge's uploads; fill in unknown customers.
    Only ``numbers`` (of ``portal``) when given."""
    ledger_query = select(LEDGER)
    if portal is not None:
        ledger_query = ledger_query.where(LEDGER.c.portal == portal)
    if numbers is not None:
        numbers = sorted(set(numbers))
        ledger_query = ledger_query.where(LEDGER.c.number.in_(numbers))
    ledger = conn.execute(ledger_query).all()
    if not ledger:
        return
    # per (portal, PO, currency): an invoice in another currency than its PO's is never
    # added to the PO's figures (it is held, and shown apart)
    waiting: dict[tuple[str, str, str], Decimal] = defaultdict(lambda: ZERO)
    counted: dict[tuple[str, str, str], Decimal] = defaultdict(lambda: ZERO)
    customers: dict[tuple[str, str], str] = {}
    query = select(UPLOADS.c.portal, UPLOADS.c.po_number, UPLOADS.c.state, UPLOADS.c.net,
                   UPLOADS.c.customer, UPLOADS.c.currency).where(
        UPLOADS.c.po_number.is_not(None))
    if portal is not None:
        query = query.where(UPLOADS.c.portal == portal)
    if numbers is not None:
        query = query.where(UPLOADS.c.po_number.in_(numbers))
    for up_portal, po, state, net, customer, currency in conn.execute(query):
        customers.setdefault((up_portal, po), customer)
        if state in WAITING_STATES:
            waiting[(up_portal, po, currency)] += net
        elif state in COUNTED_STATES:
            counted[(up_portal, po, currency)] += net
    unknown = [r.number for r in ledger if r.customer is None and
               (r.portal, r.number) not in customers]
    from_sap = _customers_from_sap(conn, unknown)
    wanted = {customers.get((r.portal, r.number)) or from_sap.get(r.number) for r in ledger
              if not r.customer}
    names = _customer_names(conn, {number for number in wanted if number is not None})
    for r in ledger:
        key = (r.portal, r.number)
        same = (r.portal, r.number, r.currency)
        since = max(counted[same] - r.own_invoiced, ZERO)
        customer = r.customer or customers.get(key) or from_sap.get(r.number)
        values: dict[str, Any] = {"pending": waiting[same] + since,
                                  "remaining": r.total - r.invoiced - since}
        if customer and customer != r.customer:
            values.update(customer=customer, customer_name=names.get(customer))
        if any(getattr(r, k) != v for k, v in values.items()):
            conn.execute(update(LEDGER).where(LEDGER.c.portal == r.portal,
                                              LEDGER.c.number == r.number).values(
                updated_at=now, **values))


def _customers_from_sap(conn: Connection, po_numbers: list[str]) -> dict[str, str]:
    if not po_numbers:
        return {}
    return {po: sold_to for po, sold_to in conn.execute(
        select(DOCS.c.customer_po, func.min(DOCS.c.sold_to)).where(
            DOCS.c.customer_po.in_(po_numbers)).group_by(DOCS.c.customer_po))}


def _customer_names(conn: Connection, numbers: set[str]) -> dict[str, str]:
    if not numbers:
        return {}
    return dict(conn.execute(select(CUSTOMERS.c.number, func.min(CUSTOMERS.c.name)).where(
        CUSTOMERS.c.number.in_(numbers)).group_by(CUSTOMERS.c.number)).all())


def add_manual(conn: Connection, portal: str, read: PoRead, *, customer: str | None,
               actor: str, now: datetime) -> list[str]:
    """An administrator enters a PO the client loaded (audited with who)."""
    grown = record_read(conn, portal, [read], now=now, source="manual").grown
    if customer:
        conn.execute(update(LEDGER).where(LEDGER.c.portal == portal,
                                          LEDGER.c.number == read.number).values(
            customer=customer.zfill(10),
            customer_name=_customer_names(conn, {customer.zfill(10)}).get(customer.zfill(10))))
    audit.record(conn, [audit.event(action="po added", entity="po_ledger", actor=actor,
                                    key=f"{portal}/{read.number}", at=now,
                                    detail={"total": read.total, "currency": read.currency,
                                            "valid_to": read.valid_to})])
    return grown


def balances(conn: Connection, portal: str) -> dict[str, PoBalance]:
    """The ledger's POs of ``portal`` as the hold rules see them (remaining after what was
    sent since the read)."""
    return {r.number: PoBalance(r.number, r.remaining, r.currency, r.open, r.valid_to)
            for r in conn.execute(select(LEDGER).where(LEDGER.c.portal == portal))}


def rows(conn: Connection, portal: str | None = None) -> list[dict[str, Any]]:
    query = select(LEDGER).order_by(LEDGER.c.portal, LEDGER.c.number)
    if portal:
        query = query.where(LEDGER.c.portal == portal)
    return [dict(r._mapping) for r in conn.execute(query)]


def history(conn: Connection, portal: str, number: str) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(select(READS).where(
        and_(READS.c.portal == portal, READS.c.number == number)).order_by(READS.c.read_at,
                                                                             READS.c.id))]


def tracked(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(LEDGER)).scalar_one())
