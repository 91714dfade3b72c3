"""PO balance reserved across runs, on SQLite and PostgreSQL: what one run has in flight or
put on the portal since another run read the PO counts against that run's read."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from sync.mirror.writes import BILLING_DOCUMENTS, CUSTOMERS
from sync.po import reservations as po_reservations
from sync.txn import writing
from sync.uploads import queue as uploads
from sync.uploads.holds import PoBalance
from sync.upsert import upsert
from tests.sync.uploads.test_upload_queue import _customer, _doc

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
TODAY = date(2026, 11, 23)
PO = PoBalance(number="PO1", remaining=Decimal("250.00"), currency="ZAR", open=True,
               valid_to=None)


@pytest.fixture
def submitting(store):  # type: ignore[no-untyped-def]
    """Three uploads of 100.00 net on PO1 of demo-coupa, each being submitted."""
    with store.engine.begin() as conn:
        upsert(conn, CUSTOMERS.table, [_customer("0000000001", "demo-coupa")], CUSTOMERS.keys)
        upsert(conn, BILLING_DOCUMENTS.table, [_doc(f"009000000{n}", "0000000001")
                                               for n in range(1, 4)], BILLING_DOCUMENTS.keys)
        uploads.enqueue(conn, now=NOW, portals=["demo-coupa"])
        uploads.route_queued(conn, now=NOW, review_portals=set())
        uploads.save_purchase_orders(conn, "demo-coupa", [{
            "number": "PO1", "total": Decimal("250.00"), "invoiced": Decimal("0"),
            "remaining": Decimal("250.00"), "currency": "ZAR", "open": True,
            "valid_to": None}], NOW)
        for upload in uploads.by_state(conn, "ready"):
            uploads.begin_attempt(conn, upload, now=NOW)
        return store, uploads.by_state(conn, "submitting")


def _reserve(store, upload, read_started: datetime) -> str | None:  # type: ignore[no-untyped-def]
    with writing(store.engine) as conn:
        return po_reservations.reserve(conn, upload, PO, read_started=read_started,
                                       owner_run="run", today=TODAY)


def _now(store) -> datetime:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        return po_reservations.store_now(conn)


def test_two_runs_that_read_the_same_balance_cannot_both_spend_it(submitting):
    store, (first, second, third) = submitting
    read = _now(store) - timedelta(seconds=1)  # both runs read 250.00 left
    assert _reserve(store, first, read) is None  # run A: 100 in flight
    assert _reserve(store, second, read) is None  # run B: 100 more, 50 left
    reason = _reserve(store, third, read)
    assert reason is not None and "(50.00)" in reason
    with store.engine.connect() as conn:
        assert po_reservations.held_on(conn, "demo-coupa", "PO1") == Decimal("200.00")


def test_an_invoice_on_the_portal_before_a_read_started_is_the_portal_s_to_count(submitting):
    store, (first, second, third) = submitting
    assert _reserve(store, first, _now(store)) is None
    with writing(store.engine) as conn:
        po_reservations.settle(conn, first.id)
    later_read = _now(store) + timedelta(microseconds=1)  # it counts the first invoice itself
    assert _reserve(store, second, later_read) is None
    assert _reserve(store, third, later_read) is None  # 250 read - 100 in flight: fits


def test_a_dropped_reservation_frees_its_amount(submitting):
    store, (first, second, third) = submitting
    read = _now(store)
    assert _reserve(store, first, read) is None
    assert _reserve(store, second, read) is None
    with writing(store.engine) as conn:
        po_reservations.drop(conn, first.id)  # held, failed or to be retried
    assert _reserve(store, third, read) is None


def test_a_reservation_whose_upload_is_no_longer_in_flight_holds_nothing(submitting):
    store, (first, second, third) = submitting
    read = _now(store)
    assert _reserve(store, first, read) is None
    assert _reserve(store, second, read) is None
    with writing(store.engine) as conn:  # a person took it out of the flow
        uploads.transition(conn, first.id, "failed", now=NOW, reason="set aside")
    assert _reserve(store, third, read) is None


def test_an_invoice_that_landed_while_the_po_was_read_is_a_reason_to_read_again(submitting):
    store, (first, _second, _third) = submitting
    started = _now(store)
    assert _reserve(store, first, started) is None
    with writing(store.engine) as conn:
        po_reservations.settle(conn, first.id)
    finished = _now(store) + timedelta(microseconds=1)
    with store.engine.connect() as conn:
        assert po_reservations.landed_while_read(conn, "demo-coupa", "PO1",
                                                 read_started=started, read_finished=finished)
        assert not po_reservations.landed_while_read(
            conn, "demo-coupa", "PO1", read_started=finished,
            read_finished=finished + timedelta(seconds=1))
