"""Helpers for the PO-depletion store tests: a bound customer, billing documents, uploads."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from sync.mirror.writes import BILLING_DOCUMENTS, CUSTOMERS
from sync.uploads import queue as uploads
from sync.upsert import upsert

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)
CUSTOMER = "0000100001"


def customer(conn, number: str = CUSTOMER, portal: str = "demo-coupa") -> None:
    upsert(conn, CUSTOMERS.table, [{
        "company_code": "1000", "number": number, "name": "Karoo Mining (Pty) Ltd",
        "vat_number": None, "payment_terms": None, "email": None, "phone": None, "city": None,
        "country": "ZA", "customer_group": None, "portal": portal, "synced_at": NOW}],
        CUSTOMERS.keys)


def document(conn, number: int, po: str, net: str, billed: date,
             sold_to: str = CUSTOMER, currency: str = "ZAR") -> str:
    value = Decimal(net)
    doc = f"{number:010d}"
    upsert(conn, BILLING_DOCUMENTS.table, [{
        "number": doc, "doc_type": "F2", "company_code": "1000", "sold_to": sold_to,
        "payer": sold_to, "billing_date": billed, "net": value, "tax": value * Decimal("0.15"),
        "gross": value * Decimal("1.15"), "currency": currency, "customer_po": po,
        "accounting_document": None, "fiscal_year": 2026, "cancelled": False,
        "changed_at": NOW, "synced_at": NOW}], BILLING_DOCUMENTS.keys)
    return doc


def queue(conn, billed_from: date | None = None) -> None:
    uploads.enqueue(conn, now=NOW, portals=["demo-coupa"], billed_from=billed_from)
    uploads.route_queued(conn, now=NOW, review_portals=set())


def set_state(conn, doc: str, *path: str, reason: str | None = None) -> None:
    upload = uploads.by_document(conn, doc)
    for state in path:
        uploads.transition(conn, upload.id, state, now=NOW, reason=reason)
