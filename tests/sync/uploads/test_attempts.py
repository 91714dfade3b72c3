"""Attempts a crash left open, on SQLite and PostgreSQL: closed as interrupted once the portal
has answered, not counted against max_attempts, and counted as crashes for the poison rule."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from sync.mirror.writes import BILLING_DOCUMENTS, CUSTOMERS
from sync.uploads import attempts
from sync.uploads import queue as uploads
from sync.uploads.amounts import amount_hold_reason
from sync.upsert import upsert

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
CUSTOMER = {"company_code": "1000", "number": "0000000001", "name": "Client",
            "vat_number": None, "payment_terms": None, "email": None, "phone": None,
            "city": None, "country": "ZA", "customer_group": None, "portal": "demo-coupa",
            "synced_at": NOW}
DOCUMENT = {"number": "0090000001", "doc_type": "F2", "company_code": "1000",
            "sold_to": "0000000001", "payer": "0000000001", "billing_date": date(2026, 11, 20),
            "net": Decimal("100.00"), "tax": Decimal("15.00"), "gross": Decimal("115.00"),
            "currency": "ZAR", "customer_po": "PO1", "accounting_document": None,
            "fiscal_year": 2026, "cancelled": False, "changed_at": NOW, "synced_at": NOW}


@pytest.fixture
def upload(store):  # type: ignore[no-untyped-def]
    with store.engine.begin() as conn:
        upsert(conn, CUSTOMERS.table, [CUSTOMER], CUSTOMERS.keys)
        upsert(conn, BILLING_DOCUMENTS.table, [DOCUMENT], BILLING_DOCUMENTS.keys)
        uploads.enqueue(conn, now=NOW, portals=["demo-coupa"])
        uploads.route_queued(conn, now=NOW, review_portals=set())
    return store


def begin(conn):  # type: ignore[no-untyped-def]
    return uploads.begin_attempt(conn, uploads.by_state(conn)[0], now=NOW)


def test_an_attempt_left_open_by_a_crash_is_closed_and_not_counted(upload):
    with upload.engine.begin() as conn:
        begin(conn)  # the run that died
        assert attempts.crashes(conn, uploads.by_state(conn)[0].id) == 1
        current = begin(conn)  # the next run: looks the invoice up, the portal has none
        upload_id = uploads.by_state(conn)[0].id
        assert attempts.close_interrupted(conn, upload_id, current=current, now=NOW,
                                          on_portal=False) == 1
        uploads.finish_attempt(conn, current, now=NOW, outcome="retry", detail="500",
                               evidence=None)
        state = uploads.retry_later(conn, uploads.get(conn, upload_id), now=NOW,
                                    reason="500", max_attempts=2)
        rows = uploads.attempts_of(conn, upload_id)
    assert state == "ready"  # two attempts made, one of them interrupted: one counts
    assert [r["outcome"] for r in rows] == ["interrupted", "retry"]
    assert "not counted against max_attempts" in rows[0]["detail"]


def test_two_crashes_count_for_the_poison_rule(upload):
    with upload.engine.begin() as conn:
        begin(conn)
        begin(conn)
        upload_id = uploads.by_state(conn)[0].id
        assert attempts.crashes(conn, upload_id) == attempts.CRASHES_BEFORE_SET_ASIDE
        attempts.set_aside_orphans(conn, upload_id, now=NOW + timedelta(minutes=1))
        assert attempts.open_attempts(conn, upload_id) == []


@pytest.mark.parametrize(("earlier", "may_have_sent"), [
    ([], False), (["held"], False), (["waiting", "held"], False), ([None], True),
    (["held", "retry"], True), (["failed"], True), (["submitted"], True)])
def test_only_attempts_decided_before_the_submit_prove_an_invoice_was_never_sent(
        upload, earlier, may_have_sent):  # type: ignore[no-untyped-def]
    """What lets the runner skip the lookup before submitting: an earlier attempt held, or
    waiting for its PDF, never reached the portal's submit; any other, or one left open by a
    crash, may have."""
    with upload.engine.begin() as conn:
        for outcome in earlier:
            attempt = begin(conn)
            if outcome is not None:
                uploads.finish_attempt(conn, attempt, now=NOW, outcome=outcome, detail="",
                                       evidence=None)
        current = begin(conn)
        upload_id = uploads.by_state(conn)[0].id
        assert attempts.may_have_reached_portal(conn, upload_id,
                                                besides=current) is may_have_sent


@pytest.mark.parametrize(("earlier", "failed"), [
    ([], False), (["retry"], True), (["failed"], True), (["retry", "held"], False),
    (["retry", None], False), (["waiting"], False)])
def test_only_a_failure_on_the_portal_makes_the_next_attempt_record_in_detail(
        upload, earlier, failed):  # type: ignore[no-untyped-def]
    with upload.engine.begin() as conn:
        for outcome in earlier:
            attempt = begin(conn)
            if outcome is not None:
                uploads.finish_attempt(conn, attempt, now=NOW, outcome=outcome, detail="",
                                       evidence=None)
        current = begin(conn)
        upload_id = uploads.by_state(conn)[0].id
        assert attempts.previous_failed(conn, upload_id, besides=current) is failed


@pytest.mark.parametrize(("net", "tax", "held"), [
    ("0.00", "0.00", "net amount is 0.00 ZAR"), ("-250.00", "-37.50", "credit note"),
    ("100.00", "-15.00", "VAT -15.00 ZAR is negative"), ("0.01", "0.00", None)])
def test_zero_and_negative_amounts_are_held(net, tax, held):
    reason = amount_hold_reason(net=Decimal(net), tax=Decimal(tax), currency="ZAR")
    assert (reason is None) if held is None else (held in reason)
