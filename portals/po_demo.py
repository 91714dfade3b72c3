"""The ``po`` part of ``arbridge demo``: the demo portal's clients have one PO close to
depletion, one expiring soon and one exhausted (an invoice typed in by hand took the rest,
so arbridge's invoices on it are held and the billing team is alerted). Then, in the same
run, the client loads a new PO for the exhausted one, SAP's billing documents carry the new
number, and the held invoices go out by themselves.

The SAP side of the story (SAP's billing documents carry the new number, pulled again) is
the ``arbridge demo`` command's (``workers.cli.demo``): portals never talk to SAP.

Staging is done once per demo portal: a second ``arbridge demo`` finds it done and changes
nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_UP, Decimal

from sqlalchemy import select

from portals.demo.state import PortalState
from sync.mirror.models import BillingDocumentRow, CustomerRow
from sync.store import Store
from sync.tables import table_of

HAND_TYPED = "HAND-"  # invoices the client's AP clerk typed in: not arbridge's
PORTAL = "demo-coupa"


@dataclass(frozen=True, slots=True)
class Staged:
    exhausted: str | None = None
    held_documents: tuple[str, ...] = ()


def _recent_by_po(store: Store, billed_from: date
                  ) -> dict[str, list[tuple[str, Decimal, str]]]:
    """The demo portal's recent invoices by the PO they quote: (number, net, currency)."""
    docs, customers = table_of(BillingDocumentRow), table_of(CustomerRow)
    query = select(docs.c.customer_po, docs.c.number, docs.c.net, docs.c.currency).join_from(
        docs, customers, (customers.c.number == docs.c.sold_to)
        & (customers.c.company_code == docs.c.company_code)).where(
        customers.c.portal == PORTAL, docs.c.cancelled.is_(False), docs.c.doc_type == "F2",
        docs.c.customer_po.is_not(None), docs.c.billing_date >= billed_from,
    ).order_by(docs.c.customer_po, docs.c.number)
    found: dict[str, list[tuple[str, Decimal, str]]] = defaultdict(list)
    with store.engine.connect() as conn:
        for po, number, net, currency in conn.execute(query):
            found[po].append((number, net, currency))
    return found


def stage(state: PortalState, store: Store, *, today: date, billed_from: date) -> Staged:
    """Set up the three POs on the demo portal, once."""
    if any(i.number.startswith(HAND_TYPED) for i in state.invoices(HAND_TYPED)):
        return Staged()
    every = _recent_by_po(store, billed_from)
    open_pos = [po for po in state.purchase_orders() if po.is_open(today) and po.invoiced == 0]
    # Only invoices in the PO's currency draw on it: one in another currency is held for that
    # and a new PO cannot release it, so the story is told with the PO's own currency.
    recent = {po.number: [(d, n) for d, n, c in every[po.number] if c == po.currency]
              for po in open_pos if po.number in every}
    recent = {number: found for number, found in recent.items() if found}
    billed = sorted((po for po in open_pos if po.number in recent
                     and sum(n for _, n in recent[po.number]) < po.total),
                    key=lambda po: (-len(recent[po.number]), po.number))
    if not billed:
        return Staged()
    exhausted, low = billed[0], (billed[1] if len(billed) > 1 else None)
    state.submit_invoice(number=f"{HAND_TYPED}{exhausted.number}", po_number=exhausted.number,
                         invoice_date=today - timedelta(days=20), net=exhausted.total,
                         tax=Decimal("0.00"), currency=exhausted.currency,
                         attachment_name="typed-by-hand.pdf", attachment_size=1, today=today)
    if low is not None:  # what arbridge uploads now leaves 7% of the PO: critical
        coming = sum(n for _, n in recent[low.number])
        _replace(state, low, total=(coming / Decimal("0.93")).quantize(Decimal("0.01"),
                                                                       rounding=ROUND_UP))
    expiring = next((po for po in open_pos if po not in (exhausted, low)), None)
    if expiring is not None:
        _replace(state, expiring, valid_to=today + timedelta(days=10))
    return Staged(exhausted=exhausted.number,
                  held_documents=tuple(d for d, _ in recent[exhausted.number]))


def _replace(state: PortalState, po, **changes) -> None:  # type: ignore[no-untyped-def]
    values = {"number": po.number, "client": po.client, "issued": po.issued,
              "total": po.total, "currency": po.currency, "status": po.status,
              "valid_to": po.valid_to, "description": po.description, **changes}
    state.add_purchase_order(**values)


def new_po_number(old: str) -> str:
    return f"49{old[2:]}" if old.isdigit() and len(old) > 2 else f"{old}-2"


def load_new_po(state: PortalState, staged: Staged, *, today: date) -> str | None:
    """The client loads a new PO on the portal for the exhausted one."""
    if staged.exhausted is None:
        return None
    old = state.purchase_order(staged.exhausted)
    assert old is not None
    number = new_po_number(old.number)
    state.add_purchase_order(number=number, client=old.client, issued=today,
                             total=(old.total * 2).quantize(Decimal("1"), rounding=ROUND_UP),
                             currency=old.currency, valid_to=today + timedelta(days=365),
                             description=f"Replaces PO {old.number}")
    return number


def stage_demo(settings, store: Store, server, billed_from: date | None  # type: ignore[no-untyped-def]
               ) -> Staged:
    """Hook for ``arbridge demo`` before the uploads."""
    from portals.demo.seed import FLAVOUR_OF

    today = date.today()
    return stage(server.states[FLAVOUR_OF[PORTAL]], store, today=today,
                 billed_from=billed_from or date.min)
