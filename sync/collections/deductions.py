"""Credit-note requests from short payments: a receipt allocated to an invoice with a
deduction on the remittance line (damaged goods, a price difference, a discount taken) leaves
the deducted amount open in SAP. Billing must credit it, so each such line raises one
credit-note request to the billing manager, with the remittance line as its evidence, once the
allocation is accepted (approved, posting or posted). Like a dispute's request it stays
``requested`` until the pull brings the credit memo for that amount, then it is linked
(:func:`sync.collections.disputes.link_credit_memos`).

A request's source is ``deduction:<allocation>:<item>``: the same line never asks twice, and a
correcting journal that re-allocates the receipt (a new allocation) asks again only if the new
allocation still carries the deduction.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from sync.cash.models import AllocationRow, RemittanceAdviceRow, RemittanceLineRow
from sync.collections.disputes import REQUESTS, request_credit
from sync.collections.positions import PAID_STATES
from sync.tables import table_of

ALLOCATIONS = table_of(AllocationRow)
ADVICES = table_of(RemittanceAdviceRow)
LINES = table_of(RemittanceLineRow)
ZERO = Decimal(0)


def _line(conn: Connection, advice_id: Any, applied: dict[str, Any]) -> dict[str, Any] | None:
    """The remittance line that took the deduction: same advice, same deduction, quoting the
    invoice (by any of its numbers)."""
    if advice_id is None:
        return None
    wanted = {str(applied.get("invoice") or "").lstrip("0"),
              str(applied.get("document") or "").lstrip("0")} - {""}
    deduction = Decimal(applied["deduction"])
    rows = conn.execute(select(LINES, ADVICES.c.payer, ADVICES.c.payment_reference,
                               ADVICES.c.advice_date, ADVICES.c.source).join(
        ADVICES, ADVICES.c.id == LINES.c.advice_id).where(
        LINES.c.advice_id == int(advice_id)).order_by(LINES.c.id)).all()
    for r in rows:
        if r.deduction == deduction and r.invoice_ref.strip().lstrip("0") in wanted:
            return {"advice": r.advice_id, "line": r.id, "payer": r.payer,
                    "payment_reference": r.payment_reference,
                    "advice_date": r.advice_date.isoformat(), "source": r.source,
                    "invoice_ref": r.invoice_ref, "paid": str(r.paid),
                    "deduction": str(r.deduction), "reason": r.reason}
    return None


def requests_for_deductions(conn: Connection, *, today: date, now: datetime) -> list[int]:
    """One credit-note request per accepted allocation line with a deduction (new ids)."""
    have = {s for s in conn.execute(select(REQUESTS.c.source).where(
        REQUESTS.c.source.like("deduction:%"))).scalars()}
    made = []
    for a in conn.execute(select(ALLOCATIONS).where(
            ALLOCATIONS.c.state.in_(PAID_STATES)).order_by(ALLOCATIONS.c.id)).all():
        applications = [x for x in json.loads(a.items)
                        if Decimal(x.get("deduction") or "0") > ZERO]
        if not applications:
            continue
        evidence_of_match = json.loads(a.evidence)
        for applied in applications:
            source = f"deduction:{a.id}:{applied['item']}"
            if source in have:
                continue
            line = _line(conn, evidence_of_match.get("advice"), applied)
            evidence = {"allocation": a.id, "receipt": a.receipt_id, "item": applied["item"],
                        "invoice": applied.get("invoice"),
                        "open_amount": applied.get("open_amount"),
                        "applied": applied.get("applied"),
                        "deduction": applied["deduction"],
                        "reason": applied.get("reason") or "",
                        "remittance_line": line}
            new_id, new = request_credit(
                conn, source=source, company_code=a.company_code, customer=a.customer,
                currency=a.currency, amount=Decimal(applied["deduction"]),
                evidence=evidence, today=today, now=now, by="system",
                billing_document=_billing_document(applied))
            if new:
                made.append(new_id)
    return made


def _billing_document(applied: dict[str, Any]) -> str | None:
    invoice = str(applied.get("invoice") or "")
    return invoice.zfill(10) if invoice.isdigit() and len(invoice) <= 10 else None
