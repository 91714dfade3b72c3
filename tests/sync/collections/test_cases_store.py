"""Disputes, credit-note requests, section 129 and retention in the store (SQLite and
PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from config.collections import CollectionSettings
from config.errors import InputError
from sync.audit_models import AuditEventRow
from sync.collections import contacts, disputes, legal
from sync.collections.positions import read_book
from sync.mirror.models import BillingDocumentRow
from sync.tables import table_of
from sync.txn import writing
from sync.uploads.models import PortalUploadRow
from tests.sync.collections.collections_book import NOW, TODAY

SETTINGS = CollectionSettings()
AUDIT = table_of(AuditEventRow)


def _upload(engine, state: str, document: str, customer: str) -> None:  # type: ignore[no-untyped-def]
    with writing(engine) as conn:
        conn.execute(insert(table_of(PortalUploadRow)).values(
            billing_document=document, portal="demo-coupa", company_code="1000",
            customer=customer, invoice_number=document.lstrip("0"), po_number="PO-1",
            invoice_date=TODAY - timedelta(days=40), net=Decimal("1000"),
            tax=Decimal("150"), gross=Decimal("1150"), currency="ZAR", state=state,
            reason="PO closed by the buyer", created_at=NOW, updated_at=NOW))


def _credit_memo(engine, number: str, customer: str, gross: str, billed: date) -> None:  # type: ignore[no-untyped-def]
    """What the pull writes when billing posts the credit memo in SAP."""
    with writing(engine) as conn:
        conn.execute(insert(table_of(BillingDocumentRow)).values(
            number=number, doc_type="G2", company_code="1000", sold_to=customer,
            payer=customer, billing_date=billed, net=Decimal(gross), tax=Decimal(0),
            gross=Decimal(gross), currency="ZAR", changed_at=NOW, synced_at=NOW))


def test_rejected_portal_invoice_becomes_a_case_then_a_credit_memo_closes_it(store, book):
    book.customer("0000100010")
    item = book.item("0000100010", "1150.00", 20, billing_document="0090000042")
    _upload(store.engine, "rejected", "0090000042", "0000100010")
    _upload(store.engine, "submitted", "0090000043", "0000100010")
    with writing(store.engine) as conn:
        made = disputes.from_uploads(conn, SETTINGS, today=TODAY, now=NOW)
        assert disputes.from_uploads(conn, SETTINGS, today=TODAY, now=NOW) == []  # once
        case = disputes.case(conn, made[0])
        request_id, new = disputes.request_for_case(conn, made[0], today=TODAY, now=NOW,
                                                    by="thandi")
    assert len(made) == 1 and new
    assert (case["reason"], json.loads(case["items"]), case["disputed"]) == \
        ("portal_rejected", [item], Decimal("1150"))
    assert "PO closed by the buyer" in case["text"]
    assert case["due_date"] == TODAY + timedelta(days=SETTINGS.reasons["portal_rejected"].days)
    with writing(store.engine) as conn:
        assert disputes.link_credit_memos(conn, today=TODAY, now=NOW) == []  # not in SAP yet
    _credit_memo(store.engine, "0091000001", "0000100010", "999.00", TODAY)  # wrong amount
    _credit_memo(store.engine, "0091000002", "0000100010", "1150.00", TODAY)
    with writing(store.engine) as conn:
        assert disputes.link_credit_memos(conn, today=TODAY, now=NOW) == [request_id]
        closed = disputes.case(conn, made[0])
    assert (closed["status"], closed["resolution"], closed["credited"]) == \
        ("resolved", "credited", Decimal("1150"))


def test_overdue_case_is_escalated_and_resolution_keeps_every_amount(store, book):
    book.customer("0000100011")
    item = book.item("0000100011", "5000.00", 10)
    with writing(store.engine) as conn:
        case_id, _ = disputes.open_case(
            conn, SETTINGS, source="manual:x", company_code="1000", customer="0000100011",
            items=[item], currency="ZAR", original=Decimal("5000"), disputed=Decimal("2000"),
            reason="price", root_cause="wrong_price", owner="thandi", today=TODAY, now=NOW)
        assert disputes.escalate_overdue(conn, TODAY + timedelta(days=14), now=NOW) == []
        assert disputes.escalate_overdue(conn, TODAY + timedelta(days=15), now=NOW) == [case_id]
        with pytest.raises(InputError, match="exceed the disputed"):
            disputes.resolve(conn, case_id, resolution="credited", today=TODAY, now=NOW,
                             by="t", credited=Decimal("1500"), written_off=Decimal("600"))
        disputes.resolve(conn, case_id, resolution="credited", today=TODAY, now=NOW, by="t",
                         credited=Decimal("1500"), written_off=Decimal("500"))
        row = disputes.case(conn, case_id)
    assert [row[k] for k in ("original", "disputed", "credited", "written_off")] == \
        [Decimal("5000"), Decimal("2000"), Decimal("1500"), Decimal("500")]


@pytest.mark.parametrize(("credited", "written_off"), [
    ("-1000", "1500"), ("1500", "-1000"), ("NaN", "0"), ("0", "-Infinity")])
def test_a_negative_or_impossible_resolution_amount_is_refused(store, book, credited,
                                                               written_off):
    book.customer("0000100012")
    item = book.item("0000100012", "5000.00", 10)
    with writing(store.engine) as conn:
        case_id, _ = disputes.open_case(
            conn, SETTINGS, source="manual:z", company_code="1000", customer="0000100012",
            items=[item], currency="ZAR", original=Decimal("5000"), disputed=Decimal("1000"),
            reason="price", root_cause="wrong_price", owner="thandi", today=TODAY, now=NOW)
        with pytest.raises(InputError, match="must be a number, zero or above"):
            disputes.resolve(conn, case_id, resolution="credited", today=TODAY, now=NOW,
                             by="t", credited=Decimal(credited),
                             written_off=Decimal(written_off))
        assert disputes.case(conn, case_id)["status"] != "resolved"


def test_an_item_already_in_an_open_case_is_not_disputed_twice(store, book):
    book.customer("0000100013")
    item = book.item("0000100013", "5000.00", 10)
    opened = {"company_code": "1000", "customer": "0000100013", "items": [item],
              "currency": "ZAR", "original": Decimal("5000"), "disputed": Decimal("1000"),
              "reason": "price", "root_cause": "wrong_price", "owner": "thandi",
              "today": TODAY, "now": NOW}
    with writing(store.engine) as conn:
        first, _ = disputes.open_case(conn, SETTINGS, source="manual:a", **opened)
        with pytest.raises(InputError, match=f"already in open dispute case {first}"):
            disputes.open_case(conn, SETTINGS, source="manual:b", **opened)
        assert [c["id"] for c in disputes.open_cases(conn, "1000", "0000100013")] == [first]


def test_unknown_root_cause_is_refused_naming_the_choices(store, book):
    with writing(store.engine) as conn, pytest.raises(InputError, match="wrong_price"):
        disputes.open_case(conn, SETTINGS, source="manual:y", company_code="1000",
                           customer="1", items=[], currency="ZAR", original=Decimal(1),
                           disputed=Decimal(1), reason="price", root_cause="typo",
                           owner="t", today=TODAY, now=NOW)


def test_section_129_after_twenty_business_days_and_handover_ten_after_delivery(store, book):
    nca = SETTINGS.model_copy(update={"nca": {"0000100012": "natural"}})
    book.customer("0000100012")
    book.customer("0000100013")  # a company: the Act does not apply
    due = date(2026, 3, 25)
    for customer in ("0000100012", "0000100013"):
        book.item(customer, "3000.00", (TODAY - due).days)
    with store.engine.connect() as conn:
        # 19 business days after 25 March 2026 (Easter in between): not yet
        assert legal.s129_due(conn, nca, date(2026, 4, 23)) == []
        due_now = legal.s129_due(conn, nca, date(2026, 4, 24))
    assert [d.customer for d in due_now] == ["0000100012"]
    with writing(store.engine) as conn:
        notice = legal.record_notice(conn, due_now[0], issued_on=date(2026, 4, 24), now=NOW,
                                     document=None)
        assert legal.record_notice(conn, due_now[0], issued_on=date(2026, 4, 24), now=NOW,
                                   document=None) is None
        assert legal.handover_allowed(conn, nca, "1000", "0000100012", TODAY)[0] is False
        legal.delivered(conn, notice, tracking_ref="RD123456789ZA",
                        delivered_on=date(2026, 8, 4), now=NOW, by="thandi")
        # ten business days after Tue 4 Aug 2026 (Women's Day Sunday 9 Aug -> Monday 10)
        assert legal.handover_allowed(conn, nca, "1000", "0000100012",
                                      date(2026, 8, 18))[0] is False
        assert legal.handover_allowed(conn, nca, "1000", "0000100012",
                                      date(2026, 8, 19))[0] is True
        assert legal.handover_allowed(conn, nca, "1000", "0000100013", TODAY)[0] is True


def test_prescription_warning_on_the_worklist_and_reset_by_acknowledgement(store, book):
    book.customer("0000100014")
    book.item("0000100014", "700.00", 3 * 365 - 30)  # prescribes in about a month
    book.item("0000100014", "-50.00", 3 * 365 - 10)  # a credit does not prescribe
    book.customer("0000100015")
    book.item("0000100015", "900.00", 400)  # far from prescribing
    with store.engine.connect() as conn:
        warned = legal.prescribing(conn, SETTINGS, TODAY)
        assert ("1000", "0000100014") in warned and ("1000", "0000100015") not in warned
        # the morning's shared read of the positions gives the same warnings
        assert legal.prescribing(conn, SETTINGS, TODAY, book=read_book(conn, TODAY)) == warned
    with writing(store.engine) as conn:
        legal.interrupt(conn, company_code="1000", customer="0000100014",
                        kind="acknowledgement", on=TODAY - timedelta(days=1), by="t", now=NOW)
    with store.engine.connect() as conn:
        assert legal.prescribing(conn, SETTINGS, TODAY) == {}


def test_retention_deidentifies_old_contacts_and_is_audited(store, book):
    with writing(store.engine) as conn:
        old = contacts.log_contact(conn, company_code="1000", customer="0000100015",
                                   collector="thandi", channel="phone", now=NOW,
                                   outcome="Mrs Naidoo will pay", contact_person="Mrs Naidoo")
        contacts.log_contact(conn, company_code="1000", customer="0000100015",
                             collector="thandi", channel="phone",
                             now=NOW + timedelta(days=400), outcome="recent call")
        done = contacts.deidentify(conn, older_than_days=365,
                                   now=NOW + timedelta(days=400))
        rows = {r.id: r for r in conn.execute(select(contacts.CONTACTS))}
        trail = conn.execute(select(AUDIT.c.detail).where(
            AUDIT.c.action == "retention run")).scalar_one()
    assert done == 1
    assert (rows[old].outcome, rows[old].contact_person, rows[old].collector) == \
        (contacts.REDACTED, None, "-")
    assert "Mrs Naidoo" not in trail and '"deidentified": 1' in trail
