"""Cash application flow: read receipts, open items and advices from the store, run the
matcher (pure), store its decisions; list what is still unallocated."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import Connection, select

from config.cash import MatchingPolicy
from config.errors import InputError
from sync.cash import allocations
from sync.cash import store as cash_store
from sync.cash.matching import Advice, AdviceLine, Item, NameIndex, Receipt, match, normalise
from sync.mirror.items import item_fields
from sync.mirror.models import CustomerRow, OpenItemRow
from sync.store import Store
from sync.tables import table_of

OPEN_ITEMS = table_of(OpenItemRow)
CUSTOMERS = table_of(CustomerRow)


def open_items(conn: Connection) -> list[Item]:
    """Debit open items from the last pull, minus those an active allocation holds."""
    busy = allocations.busy_items(conn)
    items = []
    for r in conn.execute(select(OPEN_ITEMS).where(OPEN_ITEMS.c.amount > 0)):
        item = Item(**item_fields(r._mapping))
        if item.key not in busy:
            items.append(item)
    return items


def invoice_items(conn: Connection, invoices: Sequence[str], currency: str) -> list[Item]:
    """The one open, unallocated item each invoice number names (as a payer would quote it),
    all of one customer; else an :class:`InputError` saying which invoice and why."""
    items = open_items(conn)
    chosen: list[Item] = []
    for invoice in invoices:
        wanted = normalise(invoice)
        found = [i for i in items if i.currency == currency and
                 any(normalise(r) == wanted for r in (*i.refs, i.invoice))]
        if len(found) != 1:
            raise InputError(f"invoice {invoice}: {'no' if not found else 'more than one'} "
                             f"open {currency} item not already allocated; pull from SAP "
                             "(arbridge sap pull) or name the invoice exactly")
        if twice := next((named for named, item in zip(invoices, chosen, strict=False)
                          if item.key == found[0].key), None):
            # 90002663 and INV-90002663 name one item: paying both would pay it twice over
            raise InputError(f"invoice {invoice} is named twice (also as {twice}); put its "
                             "whole amount on one line")
        chosen.append(found[0])
    if len({i.customer for i in chosen}) != 1:
        raise InputError("the invoices belong to different customers; a payment goes to "
                         "one customer's invoices at a time")
    return chosen


def _receipts(conn: Connection) -> list[Receipt]:
    return [Receipt(id=r["id"], amount=r["amount"], currency=r["currency"],
                    booking_date=r["booking_date"], reference=r["reference"],
                    narrative=r["narrative"], payer_name=r["payer_name"],
                    payer_account=r["payer_account"])
            for r in cash_store.open_receipts(conn)]


def _advices(conn: Connection) -> list[Advice]:
    used = {int(a.evidence["advice"]) for a in allocations.listing(conn)
            if a.rule == "remittance" and a.state in allocations.ACTIVE}
    return [Advice(id=a["id"], payer=a["payer"], payment_reference=a["payment_reference"],
                   currency=a["currency"], receipt_id=a["receipt_id"],
                   lines=tuple(AdviceLine(x["invoice_ref"], x["paid"], x["deduction"],
                                          x["reason"]) for x in a["lines"]))
            for a in cash_store.advices(conn) if a["id"] not in used]


def _names(conn: Connection) -> dict[str, str]:
    return dict(conn.execute(select(CUSTOMERS.c.number, CUSTOMERS.c.name)).all())


def allocate(store: Store, policy: MatchingPolicy, now: datetime | None = None
             ) -> dict[str, int]:
    """Match every open receipt; store automatic allocations (approved) and proposals."""
    now = now or datetime.now(timezone.utc)
    with store.engine.begin() as conn:
        decisions = match(_receipts(conn), open_items(conn), _advices(conn), policy=policy,
                          accounts=cash_store.payer_accounts(conn), names=_names(conn))
        return allocations.store_decisions(conn, decisions, now)


HINT_SCORE = 70.0  # a weaker name likeness is still a useful hint for the weekly chase


def _hints(receipt: dict[str, Any], names: NameIndex | None,
           items_by_customer: dict[str, list[Item]]) -> list[dict[str, Any]]:
    """For a receipt nobody proposed anything for: customers whose name resembles the payer's,
    and their open invoices of exactly the receipt's amount."""
    if names is None or not receipt["payer_name"]:
        return []
    found = names.best(receipt["payer_name"], HINT_SCORE)
    if found is None:
        return []
    customer, score = found
    exact = [i.invoice for i in items_by_customer.get(customer, ())
             if i.amount == receipt["amount"] and i.currency == receipt["currency"]]
    return [{"allocation": None, "rule": "hint", "customer": customer, "invoices": exact,
             "text": f"payer resembles customer {customer.lstrip('0')} ({score:.0f}%)"
                     + (f", invoice {', '.join(exact)} has this amount" if exact else "")}]


def suggestions_for(conn: Connection, rows: list[dict[str, Any]]
                    ) -> dict[int, list[dict[str, Any]]]:
    """For receipt rows (store mappings): the matcher's proposals with their rule, evidence
    and split, else a hint (a payer name like a customer's) for an open receipt."""
    found: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        found[r["id"]] = [{"allocation": a.id, "rule": a.rule, "customer": a.customer,
                           "invoices": [i["invoice"] for i in a.items], "items": a.items,
                           "amount": str(a.amount), "on_account": str(a.on_account),
                           "evidence": a.evidence,
                           "text": f"#{a.id} {a.rule}: customer {a.customer.lstrip('0')} "
                                   f"invoices {', '.join(i['invoice'] for i in a.items)}"}
                          for a in allocations.suggestions(conn, r["id"])]
    bare = [r for r in rows if not found[r["id"]] and r["state"] == "open"]
    if bare:
        names = NameIndex(_names(conn))
        items_by_customer: dict[str, list[Item]] = {}
        for item in open_items(conn):
            items_by_customer.setdefault(item.customer, []).append(item)
        for r in bare:
            found[r["id"]] = _hints(r, names, items_by_customer)
    return found


def unallocated_receipts(store: Store, today: date) -> list[dict[str, Any]]:
    """Receipts still open or only proposed, oldest first, with age and suggestions."""
    with store.engine.connect() as conn:
        rows = cash_store.open_receipts(conn, ("open", "proposed"))
        suggestions = suggestions_for(conn, rows)
        return [{"id": r["id"], "booking_date": r["booking_date"].isoformat(),
                 "age_days": (today - r["booking_date"]).days,
                 "amount": str(r["amount"]), "currency": r["currency"],
                 "payer_name": r["payer_name"], "reference": r["reference"],
                 "narrative": r["narrative"], "state": r["state"],
                 "suggestions": [{k: s[k] for k in ("allocation", "rule", "customer",
                                                    "invoices", "text")}
                                 for s in suggestions[r["id"]]]}
                for r in rows]
