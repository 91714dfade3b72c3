"""The demo's bank files: a camt.053 statement, an overlapping second statement and a
remittance advice file, consistent with the open items the store holds after a pull, with
the noise real files have:

* receipts with the invoice number as reference (one with leading zeros and spaces);
* one receipt paying several invoices, with a remittance advice;
* a short payment with a deduction on the advice (a residual item stays open);
* an overpayment (the excess goes on account);
* a truncated reference from a known customer (a proposal by payer name, for a person);
* one unknown payer (stays unallocated);
* the last line of the first statement repeated in the second, overlapping one;
* a payer who quoted the wrong invoice number: allocated by reference, then corrected by the
  administrator with a correcting journal (``corrections``: bank reference -> right invoice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from connectors.bank.camt_writer import Movement, write_camt053

ACCOUNT = "071234567"


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    customer: str
    customer_name: str
    billing_document: str
    amount: Decimal

    @property
    def number(self) -> str:
        return self.billing_document.lstrip("0")


@dataclass(frozen=True, slots=True)
class DemoFiles:
    statement: bytes
    overlap: bytes
    remittance: str
    corrections: dict[str, str]


def demo_files(invoices: list[OpenInvoice], day: date) -> DemoFiles | None:
    """Build the files from open invoices (sorted, so the same book gives the same files)."""
    by_customer: dict[str, list[OpenInvoice]] = {}
    for invoice in invoices:
        by_customer.setdefault(invoice.customer, []).append(invoice)
    multi = next((v for v in by_customer.values() if len(v) >= 3), None)
    pair = next((v for v in by_customer.values() if len(v) >= 2 and v is not multi), None)
    if multi is None or pair is None:
        return None
    taken = {multi[0].customer, pair[0].customer}
    singles = [v[0] for k, v in sorted(by_customer.items()) if k not in taken]
    if len(singles) < 7:
        return None
    plain, zeros, short, over, truncated = singles[0:3], singles[3], singles[4], singles[5], \
        singles[6]
    movements, n = [], 0

    def add(**kwargs: Any) -> None:
        nonlocal n
        n += 1
        movements.append(Movement(bank_ref=f"DEMO{day:%Y%m%d}{n:04d}", booking_date=day,
                                  **kwargs))

    for invoice in plain:
        add(amount=invoice.amount, reference=invoice.number, payer=invoice.customer_name,
            payer_account=f"62{int(invoice.customer):09d}")
    add(amount=zeros.amount, reference=f"00 {zeros.number[:4]} {zeros.number[4:]}",
        payer=zeros.customer_name)
    paid_multi = multi[:3]
    add(amount=sum((i.amount for i in paid_multi), Decimal("0.00")), reference="RA-DEMO-001",
        narrative="REMITTANCE RA-DEMO-001", payer=multi[0].customer_name)
    deduction = (short.amount * Decimal("0.10")).quantize(Decimal("0.01"))
    add(amount=short.amount - deduction, reference="RA-DEMO-002", payer=short.customer_name)
    add(amount=over.amount + Decimal("250.00"), reference=over.number,
        payer=over.customer_name)
    add(amount=truncated.amount, reference=truncated.number[:-3], narrative="PAYMENT",
        payer=truncated.customer_name)
    add(amount=Decimal("4321.00"), narrative="CASH DEPOSIT BRANCH 123", payer="J SMITH")
    right, wrong = pair[0], pair[1]
    add(amount=right.amount, reference=wrong.number, payer=right.customer_name)
    corrections = {movements[-1].bank_ref: right.number}
    statement = write_camt053(statement_id=f"DEMO-{day:%Y%m%d}-1", account=ACCOUNT,
                              currency="ZAR", opening=Decimal("100000.00"),
                              movements=movements, day=day)
    closing = Decimal("100000.00") + sum((m.amount for m in movements), Decimal("0.00"))
    repeated = movements[-1]
    overlap = write_camt053(statement_id=f"DEMO-{day:%Y%m%d}-2", account=ACCOUNT,
                            currency="ZAR", opening=closing - repeated.amount,
                            movements=[repeated], day=day)
    lines = ["Payer,Payment reference,Date,Invoice,Paid,Deduction,Reason"]
    for invoice in paid_multi:
        lines.append(f"{_csv(invoice.customer_name)},RA-DEMO-001,{day.isoformat()},"
                     f"{invoice.number},{invoice.amount},,")
    lines.append(f"{_csv(short.customer_name)},RA-DEMO-002,{day.isoformat()},{short.number},"
                 f"{short.amount - deduction},{deduction},damaged on delivery")
    return DemoFiles(statement=statement, overlap=overlap, remittance="\n".join(lines) + "\n",
                     corrections=corrections)


def _csv(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'
