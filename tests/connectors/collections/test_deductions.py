"""A short payment with a deduction: the remittance advice says the client paid an invoice
short, the receipt is allocated with the deduction, and the next collections run asks billing
for a credit note with the remittance line as evidence; once the pull brings the credit memo
the request is linked and closed. Over the SAP simulator's book, through the real import and
matching."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select

from config.cash import CashSettings
from config.collections import CollectionSettings
from connectors.bank.camt_writer import Movement
from connectors.bank.importer import import_statements
from connectors.cash import allocate
from connectors.collections.run import run_collections
from connectors.remittance.importer import import_advices
from sync.collections.disputes import REQUESTS, counts
from sync.mirror.models import BillingDocumentRow
from sync.tables import table_of
from sync.txn import writing
from tests.connectors.cash_helpers import open_invoices, statement_file

DAY = date(2026, 12, 7)
NOW = datetime(2026, 12, 7, 6, tzinfo=timezone.utc)


def _short_payment(store, tmp_path: Path, deduction: str, reason: str):  # type: ignore[no-untyped-def]
    [invoice] = open_invoices(store, 1)
    paid = invoice.amount - Decimal(deduction)
    advice = tmp_path / "ra.csv"
    advice.write_text("Payer,Payment reference,Date,Invoice,Paid,Deduction,Reason\n"
                      f"Client,RA-900,2026-11-20,{invoice.billing_document.lstrip('0')},"
                      f"{paid},{deduction},{reason}\n")
    import_advices(store, advice)
    import_statements(store, statement_file(tmp_path, "s1.xml", [Movement(
        amount=paid, bank_ref="B9", booking_date=date(2026, 11, 20), reference="RA-900",
        payer="Client")]))
    assert allocate(store, CashSettings().policy)["auto"] == 1
    return invoice


def _requests(store) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(REQUESTS).order_by(REQUESTS.c.id))]


def _credit_memo(store, number: str, customer: str, gross: Decimal, billed: date) -> None:  # type: ignore[no-untyped-def]
    """What the pull writes when billing posts the credit memo in SAP."""
    with writing(store.engine) as conn:
        conn.execute(insert(table_of(BillingDocumentRow)).values(
            number=number, doc_type="G2", company_code="1000", sold_to=customer,
            payer=customer, billing_date=billed, net=gross, tax=Decimal(0), gross=gross,
            currency="ZAR", changed_at=NOW, synced_at=NOW))


def test_short_payment_with_a_deduction_asks_billing_for_a_credit_note_until_sap_has_it(
        pulled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    invoice = _short_payment(pulled, tmp_path, "115.00", "damaged on delivery")
    settings = CollectionSettings()
    report = run_collections(pulled.engine, settings, tmp_path, as_of=DAY, now=NOW)
    assert report.credit_requests_from_deductions == 1
    [request] = _requests(pulled)
    assert (request["customer"], request["amount"], request["state"], request["currency"]) == \
        (invoice.customer, Decimal("115.00"), "requested", "ZAR")
    assert request["billing_document"] == invoice.billing_document
    line = json.loads(request["evidence"])["remittance_line"]
    assert (line["payment_reference"], line["invoice_ref"], line["deduction"],
            line["reason"]) == ("RA-900", invoice.billing_document.lstrip("0"), "115.00",
                                "damaged on delivery")
    assert line["paid"] == str(invoice.amount - Decimal("115.00"))
    with pulled.engine.connect() as conn:  # the demo's figure counts cases' requests only
        assert counts(conn)["credit_note_requests"] == 0

    later = run_collections(pulled.engine, settings, tmp_path, as_of=DAY + timedelta(days=1),
                            now=NOW + timedelta(days=1))
    assert later.credit_requests_from_deductions == 0 and len(_requests(pulled)) == 1

    _credit_memo(pulled, "0091000077", invoice.customer, Decimal("115.00"), DAY + timedelta(
        days=2))
    linked = run_collections(pulled.engine, settings, tmp_path, as_of=DAY + timedelta(days=2),
                             now=NOW + timedelta(days=2))
    assert linked.credit_memos_linked == 1
    [closed] = _requests(pulled)
    assert (closed["state"], closed["credit_memo"], closed["closed_on"]) == \
        ("linked", "0091000077", DAY + timedelta(days=2))


def test_payment_in_full_asks_for_no_credit_note(pulled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _short_payment(pulled, tmp_path, "0.00", "")
    report = run_collections(pulled.engine, CollectionSettings(), tmp_path, as_of=DAY, now=NOW)
    assert report.credit_requests_from_deductions == 0 and _requests(pulled) == []
