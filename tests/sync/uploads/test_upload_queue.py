"""The upload queue on SQLite and PostgreSQL: what gets queued, the state machine, backoff."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from sync.errors import IllegalTransition
from sync.mirror.writes import BILLING_DOCUMENTS, CUSTOMERS
from sync.uploads import queue as uploads
from sync.upsert import upsert

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def _customer(number: str, portal: str | None) -> dict:
    return {"company_code": "1000", "number": number, "name": f"Client {number}",
            "vat_number": None, "payment_terms": None, "email": None, "phone": None,
            "city": None, "country": "ZA", "customer_group": None, "portal": portal,
            "synced_at": NOW}


def _doc(number: str, customer: str, *, billed: date = date(2026, 11, 20),
         cancelled: bool = False, doc_type: str = "F2") -> dict:
    return {"number": number, "doc_type": doc_type, "company_code": "1000", "sold_to": customer,
            "payer": customer, "billing_date": billed, "net": Decimal("100.00"),
            "tax": Decimal("15.00"), "gross": Decimal("115.00"), "currency": "ZAR",
            "customer_po": "PO1", "accounting_document": None, "fiscal_year": 2026,
            "cancelled": cancelled, "changed_at": NOW, "synced_at": NOW}


@pytest.fixture
def book(store):
    with store.engine.begin() as conn:
        upsert(conn, CUSTOMERS.table, [_customer("0000000001", "demo-coupa"),
                                       _customer("0000000002", None)], CUSTOMERS.keys)
        upsert(conn, BILLING_DOCUMENTS.table, [
            _doc("0090000001", "0000000001"), _doc("0090000002", "0000000002"),
            _doc("0090000003", "0000000001", cancelled=True),
            _doc("0090000004", "0000000001", doc_type="G2"),
            _doc("0090000005", "0000000001", billed=date(2026, 1, 1))], BILLING_DOCUMENTS.keys)
    return store


def test_only_live_invoices_of_bound_customers_since_go_live_are_queued(book):
    with book.engine.begin() as conn:
        queued = uploads.enqueue(conn, now=NOW, portals=["demo-coupa"],
                                 billed_from=date(2026, 11, 1))
        again = uploads.enqueue(conn, now=NOW, portals=["demo-coupa"],
                                billed_from=date(2026, 11, 1))
        rows = uploads.by_state(conn, "queued")
    assert (queued, again) == (1, 0)
    assert [(u.billing_document, u.invoice_number, u.gross) for u in rows] == [
        ("0090000001", "90000001", Decimal("115.00"))]


def test_state_machine_refuses_impossible_moves_and_audits_the_rest(book):
    with book.engine.begin() as conn:
        uploads.enqueue(conn, now=NOW, portals=["demo-coupa"])
        upload = uploads.by_state(conn, "queued")[0]
        with pytest.raises(IllegalTransition, match="cannot go from queued to submitted"):
            uploads.transition(conn, upload.id, "submitted", now=NOW)
        uploads.route_queued(conn, now=NOW, review_portals={"demo-coupa"})
        assert uploads.get(conn, upload.id).state == "review"
        uploads.transition(conn, upload.id, "ready", now=NOW, actor="thandi.admin")
        attempt = uploads.begin_attempt(conn, uploads.get(conn, upload.id), now=NOW)
        assert uploads.get(conn, upload.id).state == "submitting" and attempt > 0
        assert uploads.attempts_of(conn, upload.id)[0]["idempotency_key"] == \
            "demo-coupa:90000001"


def test_technical_failures_back_off_then_go_to_a_person(book):
    with book.engine.begin() as conn:
        uploads.enqueue(conn, now=NOW, portals=["demo-coupa"], billed_from=date(2026, 11, 1))
        uploads.route_queued(conn, now=NOW, review_portals=set())
        upload = uploads.by_state(conn, "ready")[0]
        due_after_3_minutes = []
        for _ in range(3):
            uploads.begin_attempt(conn, uploads.get(conn, upload.id), now=NOW)
            state = uploads.retry_later(conn, upload, now=NOW, reason="portal answered 503",
                                        max_attempts=3)
            if state == "ready":
                assert uploads.due(conn, "demo-coupa", NOW) == []
                due_after_3_minutes.append(
                    bool(uploads.due(conn, "demo-coupa", NOW + timedelta(minutes=3))))
        final = uploads.get(conn, upload.id)
    assert due_after_3_minutes == [True, False]  # 2 minutes, then 4: the wait doubles
    assert final.state == "failed" and "gave up after 3 attempts" in final.reason


def test_queue_counts_name_every_state(book):
    with book.engine.begin() as conn:
        uploads.enqueue(conn, now=NOW, portals=["demo-coupa"])
        counts = uploads.counts(conn)
    assert counts["queued"] == 2 and counts["held"] == 0 and set(counts) >= {"review", "failed"}


def test_invoice_cancelled_in_sap_is_never_submitted_and_flagged_once_on_a_portal(book):
    from sqlalchemy import update

    with book.engine.begin() as conn:
        upsert(conn, BILLING_DOCUMENTS.table, [_doc("0090000006", "0000000001")],
               BILLING_DOCUMENTS.keys)
        uploads.enqueue(conn, now=NOW, portals=["demo-coupa"], billed_from=date(2026, 11, 1))
        uploads.route_queued(conn, now=NOW, review_portals=set())
        first = uploads.by_document(conn, "0090000001")
        on_portal = uploads.by_document(conn, "0090000006")
        uploads.transition(conn, on_portal.id, "submitting", now=NOW)
        uploads.transition(conn, on_portal.id, "submitted", now=NOW)
        # VF11 in SAP: the next pull marks both invoices cancelled
        conn.execute(update(BILLING_DOCUMENTS.table).where(
            BILLING_DOCUMENTS.table.c.number.in_(["0090000001", "0090000006"])).values(
            cancelled=True))
        assert uploads.due(conn, "demo-coupa", NOW) == []
        uploads.enqueue(conn, now=NOW, portals=["demo-coupa"], billed_from=date(2026, 11, 1))
        uploads.enqueue(conn, now=NOW, portals=["demo-coupa"], billed_from=date(2026, 11, 1))
        ready = uploads.get(conn, first.id)
        submitted = uploads.get(conn, on_portal.id)
    assert ready.reason == "cancelled in SAP: it will not be submitted"
    assert submitted.reason.startswith("cancelled in SAP after it reached the portal: raise "
                                       "a credit note")
    assert submitted.state == "submitted"
