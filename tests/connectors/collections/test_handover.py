"""The hand-over pack: refused while the National Credit Act forbids it, otherwise one
owner-only zip with the statement, invoice PDFs, contract references, contact log,
reminders, notices and disputes, listed in the audit trail."""

from __future__ import annotations

import zipfile
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from config.errors import BusinessError
from connectors.collections.handover import build_pack
from sync.audit_models import AuditEventRow
from sync.collections.contacts import log_contact
from sync.mirror.models import BillingDocumentRow, CustomerRow, OpenItemRow
from sync.tables import table_of
from sync.txn import writing

NOW = datetime(2026, 12, 5, 9, tzinfo=timezone.utc)
TODAY = NOW.date()


def _account(engine) -> None:  # type: ignore[no-untyped-def]
    with writing(engine) as conn:
        conn.execute(insert(table_of(CustomerRow)).values(
            company_code="1000", number="0000300001", name="Mrs T. Mokoena",
            email="t.mokoena@mail.example", synced_at=NOW))
        conn.execute(insert(table_of(BillingDocumentRow)).values(
            number="0090000501", doc_type="F2", company_code="1000", sold_to="0000300001",
            payer="0000300001", billing_date=TODAY - timedelta(days=120),
            net=Decimal("1000"), tax=Decimal("150"), gross=Decimal("1150"), currency="ZAR",
            customer_po="CONTRACT-77", changed_at=NOW, synced_at=NOW))
        conn.execute(insert(table_of(OpenItemRow)).values(
            company_code="1000", document="1400000501", fiscal_year=2026, line=1,
            customer="0000300001", amount=Decimal("1150"), currency="ZAR",
            posting_date=TODAY - timedelta(days=120), document_date=TODAY - timedelta(
                days=120), due_date=TODAY - timedelta(days=90), doc_type="RV",
            billing_document="0090000501", synced_at=NOW))
        log_contact(conn, company_code="1000", customer="0000300001", collector="sipho",
                    channel="phone", outcome="no answer", now=NOW)


def test_pack_refused_for_a_consumer_without_a_delivered_section_129(settings, store):
    _account(store.engine)
    marked = settings.model_copy(update={"collections": settings.collections.model_copy(
        update={"nca": {"0000300001": "natural"}})})
    with pytest.raises(BusinessError, match="no section 129 notice"):
        build_pack(marked, store.engine, company_code="1000", customer="0000300001",
                   today=TODAY, now=NOW, by="sipho")


def test_pack_holds_the_documents_owner_only_and_audited(settings, store):
    _account(store.engine)
    path = build_pack(settings, store.engine, company_code="1000", customer="0000300001",
                      today=TODAY, now=NOW, by="sipho")
    assert path.stat().st_mode & 0o077 == 0
    with zipfile.ZipFile(path) as pack:
        names = set(pack.namelist())
        contracts = pack.read("contracts.txt").decode()
        log = pack.read("contact_log.csv").decode()
        assert pack.read("statement.pdf").startswith(b"%PDF")
        assert pack.read("invoices/0090000501.pdf").startswith(b"%PDF")
    assert {"statement.pdf", "contact_log.csv", "reminders.csv", "notices.csv",
            "disputes.json", "contracts.txt", "invoices/0090000501.pdf"} <= names
    assert "CONTRACT-77" in contracts and "no answer" in log
    with store.engine.connect() as conn:
        actions = list(conn.execute(select(table_of(AuditEventRow).c.action)).scalars())
    assert "hand-over pack made" in actions


def test_a_note_that_looks_like_a_formula_stays_text_in_the_packs_csv():
    import csv as csv_module
    import io as io_module

    from connectors.collections.handover import _csv

    text = _csv([{"outcome": '=HYPERLINK("http://evil.example","pay here")',
                  "contact_person": "@SUM(A1)", "agreed": "+27 82 555 0101",
                  "amount": "-100.00", "call_back": None}])
    row = next(csv_module.DictReader(io_module.StringIO(text)))
    assert row == {"outcome": '\'=HYPERLINK("http://evil.example","pay here")',
                   "contact_person": "'@SUM(A1)", "agreed": "'+27 82 555 0101",
                   "amount": "-100.00", "call_back": ""}
