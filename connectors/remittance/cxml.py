"""A cXML ``PaymentRemittanceRequest`` as a remittance advice, stored as CSV and remt.001
advices are (the same advice twice adds nothing)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from lxml import etree
from sqlalchemy import Connection

from config.errors import InputError
from connectors.bank.importer import line_row
from connectors.bank.model import RemittanceLine
from connectors.remittance.model import RemittanceAdvice
from sync.cash import store as cash_store

MAX_AMOUNT = Decimal(10) ** 15  # as for bank statements: beyond any payment


def _money(node: etree._Element | None, where: str) -> tuple[Decimal, str]:
    """A Money's amount and currency: a finite, non-negative amount of at most two decimals
    below MAX_AMOUNT, in a three-letter currency (as camt.054 advices are checked)."""
    money = node.find("Money") if node is not None else None
    try:
        text = (money.text or "").strip()  # type: ignore[union-attr]
        value, currency = Decimal(text), money.get("currency", "").strip()  # type: ignore[union-attr]
    except (InvalidOperation, AttributeError):
        raise InputError(f"{where}: no amount") from None
    exponent = value.as_tuple().exponent  # NaN and Infinity carry a letter, not an int
    if not isinstance(exponent, int) or value < 0 or value >= MAX_AMOUNT or exponent < -2:
        raise InputError(f"{where}: amount {text!r} must be a positive number of at most two "
                         f"decimals below {MAX_AMOUNT:.0f}")
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise InputError(f"{where}: currency {currency!r} is not a three-letter code")
    return value, currency


def parse_payment_remittance(root: etree._Element, *, payer: str, source: str
                             ) -> RemittanceAdvice:
    """The advice in a ``cXML`` root holding a PaymentRemittanceRequest."""
    request = root.find("Request/PaymentRemittanceRequest")
    header = request.find("PaymentRemittanceRequestHeader") if request is not None else None
    if request is None or header is None:
        raise InputError(f"{source}: no PaymentRemittanceRequest")
    lines, currencies = [], set()
    for number, detail in enumerate(request.findall("PaymentRemittanceDetail"), start=1):
        reference = detail.find("PayableInfo/PayableInvoiceInfo/InvoiceReference")
        invoice = reference.get("invoiceID", "") if reference is not None else ""
        paid, currency = _money(detail.find("NetAmount"), f"{source} detail {number}")
        deduction = Decimal("0.00")
        if detail.find("DiscountAmount") is not None:
            deduction = _money(detail.find("DiscountAmount"), f"{source} detail {number}")[0]
        currencies.add(currency)
        lines.append(RemittanceLine(invoice_ref=invoice, paid=paid, deduction=deduction,
                                    reason="discount" if deduction else ""))
    if len(currencies) != 1:
        raise InputError(f"{source}: one currency per remittance expected, found "
                         f"{sorted(currencies)}")
    when = header.get("paymentDate", "")
    try:
        day = datetime.fromisoformat(when).date() if "T" in when else date.fromisoformat(when)
    except ValueError:
        raise InputError(f"{source}: paymentDate {when!r} is not a date") from None
    reference = header.get("paymentReferenceNumber") or header.get("paymentRemittanceID", "")
    return RemittanceAdvice(payer=payer, payment_reference=reference, advice_date=day,
                            currency=currencies.pop(), lines=tuple(lines), where=source)


def store_advice(conn: Connection, advice: RemittanceAdvice, *, source: str,
                 now: datetime) -> bool:
    """Store the advice for cash application; False if the same advice is already there."""
    if cash_store.advice_exists(conn, advice.identity):
        return False
    cash_store.insert_advice(conn, {
        "identity": advice.identity, "payer": advice.payer[:140],
        "payment_reference": advice.payment_reference[:140],
        "advice_date": advice.advice_date, "currency": advice.currency,
        "total": advice.total, "source": source[:255], "receipt_id": None,
        "created_at": now}, [line_row(line) for line in advice.lines])
    return True
