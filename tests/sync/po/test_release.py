"""Hold and release in the store (SQLite and PostgreSQL): held invoices go out in
billing-date order up to what fits; SAP's new PO number wins; an administrator re-points."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from config.errors import InputError
from sync.audit_models import AuditEventRow
from sync.mirror.models import BillingDocumentRow
from sync.po import release as po_release
from sync.po.release import Held, plan
from sync.tables import table_of
from sync.uploads import queue as uploads
from sync.uploads.holds import PoBalance
from tests.sync.po.po_fixtures import NOW, customer, document, queue, set_state

D = Decimal
DOCS = table_of(BillingDocumentRow)
HELD_REASON = "net exceeds the remaining balance of PO 4500000001: a new PO is needed"


def balance(number: str, remaining: str) -> dict[str, PoBalance]:
    return {number: PoBalance(number, D(remaining), "ZAR", True, None)}


def test_plan_releases_in_billing_date_order_up_to_what_fits():
    held = [Held(3, "0090000003", "PO1", D("400"), "ZAR", date(2026, 11, 20), "x"),
            Held(1, "0090000001", "PO1", D("500"), "ZAR", date(2026, 11, 22), "x"),
            Held(2, "0090000002", "PO1", D("300"), "ZAR", date(2026, 11, 10), "x")]
    decisions = plan(held, balance("PO1", "1000"), {"PO1": D("200")}, portal="p",
                     today=date(2026, 11, 25))
    assert [(d.held.document[-1], d.release) for d in decisions] == [
        ("2", True), ("3", True), ("1", False)]
    assert "exceeds the remaining balance of PO PO1 (100.00)" in decisions[2].reason


def test_sap_number_wins_unless_an_administrator_re_pointed_it_since():
    base = Held(1, "0090000001", "OLD", D("1"), "ZAR", date(2026, 11, 1), None, sap_po="OLD")
    assert base.target_po == "OLD"
    assert Held(1, "0090000001", "OLD", D("1"), "ZAR", date(2026, 11, 1), None,
                sap_po="NEW").target_po == "NEW"
    assigned = Held(1, "0090000001", "NEW", D("1"), "ZAR", date(2026, 11, 1), None,
                    sap_po="OLD", assigned_po="NEW", assigned_while_sap_had="OLD")
    assert assigned.target_po == "NEW"
    sap_changed = Held(1, "0090000001", "NEW", D("1"), "ZAR", date(2026, 11, 1), None,
                       sap_po="SAP2", assigned_po="NEW", assigned_while_sap_had="OLD")
    assert sap_changed.target_po == "SAP2"


@pytest.fixture
def held_book(store):
    """Three invoices held on an exhausted PO, billed on different days."""
    with store.engine.begin() as conn:
        customer(conn)
        docs = [document(conn, 90000001, "4500000001", "3000.00", date(2026, 11, 21)),
                document(conn, 90000002, "4500000001", "1000.00", date(2026, 11, 19)),
                document(conn, 90000003, "4500000001", "2000.00", date(2026, 11, 20))]
        queue(conn)
        for doc in docs:
            set_state(conn, doc, "held", reason=HELD_REASON)
    return store, docs


def test_top_up_releases_held_invoices_in_billing_date_order(held_book):
    store, (late, early, middle) = held_book
    with store.engine.begin() as conn:
        released = po_release.release_held(conn, "demo-coupa", balance("4500000001", "3500"),
                                           now=NOW)
        state = {d: uploads.by_document(conn, d) for d in (late, early, middle)}
        events = conn.execute(select(table_of(AuditEventRow).c.action)).scalars().all()
        count = po_release.released_count(conn)
    assert released == 2 and count == 2
    assert (state[early].state, state[middle].state, state[late].state) == (
        "ready", "ready", "held")
    assert "(500.00)" in state[late].reason  # still held, with the new figure
    assert events.count("upload released") == 2


def test_new_po_number_from_sap_wins_and_is_audited(held_book):
    store, docs = held_book
    table = table_of(AuditEventRow)
    with store.engine.begin() as conn:
        conn.execute(update(DOCS).where(DOCS.c.number.in_(docs)).values(
            customer_po="4500000099"))  # as the next SAP pull brings it
        released = po_release.release_held(conn, "demo-coupa", balance("4500000099", "10000"),
                                           now=NOW)
        moved = [uploads.by_document(conn, d) for d in docs]
        changed = conn.execute(select(table.c.detail).where(
            table.c.action == "upload po changed")).scalars().all()
    assert released == 3
    assert {(u.state, u.po_number) for u in moved} == {("ready", "4500000099")}
    assert len(changed) == 3 and all("SAP billing document" in c for c in changed)


def test_administrator_re_points_an_invoice_to_the_new_po(held_book):
    store, (late, early, middle) = held_book
    with store.engine.begin() as conn:
        po_release.assign(conn, "90000001", "4500000100", who="thandi", now=NOW)
        released = po_release.release_held(conn, "demo-coupa", {
            **balance("4500000100", "5000"), **balance("4500000001", "0")}, now=NOW)
        upload = uploads.by_document(conn, late)
        audit = conn.execute(select(table_of(AuditEventRow)).where(
            table_of(AuditEventRow).c.action == "upload po assigned")).one()
        with pytest.raises(InputError, match="no upload for billing document 123"):
            po_release.assign(conn, "123", "X", who="thandi", now=NOW)
        set_state(conn, late, "submitting", "submitted")
        with pytest.raises(InputError, match="is submitted"):
            po_release.assign(conn, late, "X", who="thandi", now=NOW)
    assert released == 1 and upload.state == "ready" and upload.po_number == "4500000100"
    assert audit.actor == "thandi" and "4500000001" in audit.detail


def test_held_invoice_without_room_anywhere_stays_held(held_book):
    store, docs = held_book
    with store.engine.begin() as conn:
        released = po_release.release_held(
            conn, "demo-coupa", {"4500000001": PoBalance("4500000001", D("9999"), "ZAR", True,
                                                         NOW.date() - timedelta(days=1))},
            now=NOW)
        reasons = {uploads.by_document(conn, d).reason for d in docs}
    assert released == 0 and reasons == {"PO 4500000001 expired on 2026-11-24"}


def test_an_invoice_is_not_re_pointed_to_another_clients_po(held_book):
    """Re-pointing 0090000624 (customer 100410) to 4500471742 (customer 100177's PO) was
    accepted and the invoice went out against the other client's PO."""
    from sync.po import ledger as po_ledger
    from sync.po.ledger import PoRead

    store, (late, _, _) = held_book
    with store.engine.begin() as conn:
        po_ledger.record_read(conn, "demo-coupa", [
            PoRead("4599999999", Decimal("90000.00"), Decimal("0.00"), "ZAR")], now=NOW)
        conn.execute(update(po_ledger.LEDGER).where(
            po_ledger.LEDGER.c.number == "4599999999").values(customer="0000100999"))
    with store.engine.begin() as conn, \
            pytest.raises(InputError, match="PO 4599999999 .* customer 0000100999"):
        po_release.assign(conn, late, "4599999999", who="thandi", now=NOW)
    with store.engine.connect() as conn:
        assert uploads.by_document(conn, late).po_number == "4500000001"
