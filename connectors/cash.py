"""Cash application flow: read receipts, open items and advices from the store, run the
matcher (pure), store its decisions; list what is still unallocated."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import Connection, select

from config.cash import MatchingPolicy
from sync import allocations, cash_store
from sync.matching import Advice, AdviceLine, Item, NameIndex, Receipt, match
from sync.models import CustomerRow, OpenItemRow
from sync.store import Store

OPEN_ITEMS = OpenItemRow.__table__  # type: ignore[attr-defined]
CUSTOMERS = CustomerRow.__table__  # type: ignore[attr-defined]


def item_key(company_code: str, document: str, fiscal_year: int, line: int) -> str:
    return f"{company_code}/{document}/{fiscal_year}/{line}"


def open_items(conn: Connection) -> list[Item]:
    """Debit open items from the last pull, minus those an active allocation holds."""
    busy = allocations.busy_items(conn)
    items = []
    for r in conn.execute(select(OPEN_ITEMS).where(OPEN_ITEMS.c.amount > 0)):
        key = item_key(r.company_code, r.document, r.fiscal_year, r.line)
        if key in busy:
            continue
        invoice = (r.billing_document or "").lstrip("0") or (r.reference or r.document)
        refs = tuple(x for x in (r.billing_document, r.reference, r.assignment) if x)
        items.append(Item(key=key, company_code=r.company_code, customer=r.customer,
                          document=r.document, fiscal_year=r.fiscal_year, line=r.line,
                          amount=r.amount, currency=r.currency, due_date=r.due_date,
                          refs=refs, invoice=invoice))
    return items


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


def unallocated_receipts(store: Store, today: date) -> list[dict[str, Any]]:
    """Receipts still open or only proposed, oldest first, with age and suggestions."""
    with store.engine.connect() as conn:
        rows = cash_store.open_receipts(conn, ("open", "proposed"))
        names = NameIndex(_names(conn)) if rows else None
        items_by_customer: dict[str, list[Item]] = {}
        for item in open_items(conn) if rows else []:
            items_by_customer.setdefault(item.customer, []).append(item)
        result = []
        for r in rows:
            suggestions = [{"allocation": a.id, "rule": a.rule, "customer": a.customer,
                            "invoices": [i["invoice"] for i in a.items],
                            "text": f"#{a.id} {a.rule}: customer {a.customer.lstrip('0')} "
                                    f"invoices {', '.join(i['invoice'] for i in a.items)}"}
                           for a in allocations.suggestions(conn, r["id"])]
            suggestions = suggestions or _hints(r, names, items_by_customer)
            result.append({"id": r["id"], "booking_date": r["booking_date"].isoformat(),
                           "age_days": (today - r["booking_date"]).days,
                           "amount": str(r["amount"]), "currency": r["currency"],
                           "payer_name": r["payer_name"], "reference": r["reference"],
                           "narrative": r["narrative"], "state": r["state"],
                           "suggestions": suggestions})
        return result

