"""The PO ledger and alerts in the store (SQLite and PostgreSQL): balance history, pending
and mismatch, one alert per PO and rule, escalation, closing, acknowledgement."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from config.po_alerts import AlertScope, PoAlertSettings
from sync.audit_models import AuditEventRow
from sync.po import alerts
from sync.po import deliveries as alert_deliveries
from sync.po import ledger as po_ledger
from sync.po.evaluation import run_rules
from sync.po.ledger import PoRead
from sync.tables import table_of
from tests.sync.po.po_fixtures import NOW, customer, document, queue, set_state

D = Decimal


def read(conn, total: str, invoiced: str = "0", number: str = "4500000001", *, at=NOW,
         valid_to: date | None = None):
    return po_ledger.record_read(conn, "demo-coupa", [
        PoRead(number, D(total), D(invoiced), "ZAR", True, valid_to)], now=at)


def test_every_read_is_history_and_the_ledger_counts_pending_and_flags_mismatch(store):
    with store.engine.begin() as conn:
        customer(conn)
        sent = document(conn, 90000001, "4500000001", "1000.00", NOW.date())
        document(conn, 90000002, "4500000001", "2500.00", NOW.date())
        queue(conn)
        set_state(conn, sent, "submitting", "submitted")
        assert read(conn, "10000.00", "1000.00").grown == ["4500000001"]
        row = po_ledger.rows(conn)[0]
        assert (row["total"], row["invoiced"], row["pending"], row["remaining"]) == (
            D("10000.00"), D("1000.00"), D("2500.00"), D("9000.00"))
        assert row["customer"] == "0000100001" and row["customer_name"].startswith("Karoo")
        assert row["mismatch"] is None
        # the portal now counts an invoice arbridge never sent (typed in by hand)
        changed = read(conn, "10000.00", "1500.00", at=NOW + timedelta(hours=1))
        assert (changed.grown, changed.changed) == ([], {"4500000001"})
        flagged = po_ledger.rows(conn)[0]["mismatch"]
        assert "portal counts 1,500.00 ZAR invoiced, arbridge sent 1,000.00 ZAR" in flagged
        assert "did not send" in flagged
        # a top-up is reported as such; history keeps every read
        assert read(conn, "20000.00", "1500.00", at=NOW + timedelta(hours=2)).grown == [
            "4500000001"]
        points = po_ledger.history(conn, "demo-coupa", "4500000001")
    assert [(p["total"], p["remaining"]) for p in points] == [
        (D("10000.00"), D("9000.00")), (D("10000.00"), D("8500.00")),
        (D("20000.00"), D("18500.00"))]


def test_invoices_sent_after_the_read_count_as_pending_until_the_next_read(store):
    with store.engine.begin() as conn:
        customer(conn)
        doc = document(conn, 90000001, "4500000001", "4000.00", NOW.date())
        queue(conn)
        read(conn, "10000.00")
        set_state(conn, doc, "submitting", "submitted")
        po_ledger.refresh(conn, now=NOW)
        row = po_ledger.rows(conn)[0]
    assert (row["pending"], row["remaining"], row["mismatch"]) == (D("4000.00"),
                                                                   D("6000.00"), None)


def deliveries(conn):
    return sorted((d["recipient"], d["level"]) for d in alert_deliveries.rows(conn))


def test_one_open_alert_per_po_and_rule_escalated_closed_and_never_sent_twice(store):
    settings = PoAlertSettings(recipients=["outbox", "billing"])
    with store.engine.begin() as conn:
        read(conn, "10000.00", "8500.00")  # 15% left: warning
        run_rules(conn, settings, now=NOW)
        run_rules(conn, settings, now=NOW)  # again: nothing new
        [warning] = alerts.listing(conn)
        assert (warning["rule"], warning["level"]) == ("remaining_pct", "warning")
        assert deliveries(conn) == [("billing", "warning"), ("outbox", "warning")]
        alerts.acknowledge(conn, warning["id"], who="thandi", now=NOW)
        read(conn, "10000.00", "9500.00")  # 5%: critical, the acknowledgement is reset
        run_rules(conn, settings, now=NOW)
        [critical] = alerts.listing(conn)
        assert critical["id"] == warning["id"] and critical["level"] == "critical"
        assert critical["acknowledged_by"] is None
        read(conn, "10000.00", "8500.00")  # back to warning: no new message
        run_rules(conn, settings, now=NOW)
        read(conn, "10000.00", "9500.00")  # and critical again: already told
        run_rules(conn, settings, now=NOW)
        assert deliveries(conn) == [("billing", "critical"), ("billing", "warning"),
                                    ("outbox", "critical"), ("outbox", "warning")]
        read(conn, "50000.00", "9500.00")  # topped up
        run_rules(conn, settings, now=NOW)
        assert alerts.listing(conn) == []
        [closed] = alerts.listing(conn, include_closed=True)
    assert closed["state"] == "closed" and closed["close_reason"] == \
        "PO 4500000001 topped up to 50,000.00 ZAR"


def test_acknowledgement_records_who_and_when_and_refuses_closed_alerts(store):
    import pytest

    from config.errors import InputError

    with store.engine.begin() as conn:
        read(conn, "10000.00", "10000.00")
        run_rules(conn, PoAlertSettings(), now=NOW)
        [exhausted] = alerts.listing(conn)
        acked = alerts.acknowledge(conn, exhausted["id"], who="thandi", now=NOW)
        assert (acked["acknowledged_by"], acked["acknowledged_at"]) == ("thandi", NOW)
        later = NOW + timedelta(minutes=5)
        again = alerts.acknowledge(conn, exhausted["id"], who="sipho", now=later)
        assert (again["acknowledged_by"], again["acknowledged_at"]) == ("thandi", NOW)
        table = table_of(AuditEventRow)
        acks = conn.execute(select(table.c.actor).where(
            table.c.action == "alert acknowledged")).scalars().all()
        assert acks == ["thandi"], "a second acknowledgement is not a new event"
        with pytest.raises(InputError, match="no alert 999"):
            alerts.acknowledge(conn, 999, who="thandi", now=NOW)
        read(conn, "30000.00", "10000.00")
        run_rules(conn, PoAlertSettings(), now=NOW)
        with pytest.raises(InputError, match="is closed"):
            alerts.acknowledge(conn, exhausted["id"], who="thandi", now=NOW)


def test_recipients_per_portal_and_customer(store):
    settings = PoAlertSettings(portals={"demo-coupa": AlertScope(recipients=["coupa-team"])},
                               customers={"0000100001": AlertScope(recipients=["karoo-desk"])})
    with store.engine.begin() as conn:
        customer(conn)
        document(conn, 90000001, "4500000001", "100.00", NOW.date())
        read(conn, "1000.00", "1000.00")
        read(conn, "1000.00", "1000.00", number="4500000077")  # customer unknown
        run_rules(conn, settings, now=NOW)
        assert deliveries(conn) == [("coupa-team", "exhausted"), ("karoo-desk", "exhausted")]


def test_expiring_po_alerts_before_its_end_date(store):
    with store.engine.begin() as conn:
        read(conn, "10000.00", valid_to=NOW.date() + timedelta(days=5))
        run_rules(conn, PoAlertSettings(), now=NOW)
        [expiring] = alerts.listing(conn)
    assert (expiring["rule"], expiring["level"]) == ("expiry_days", "critical")
    assert "expires on" in expiring["summary"]


def test_invoice_held_on_a_po_the_portal_lacks_alerts_until_it_is_re_pointed(store):
    from sync.po import release as po_release

    with store.engine.begin() as conn:
        customer(conn)
        doc = document(conn, 90000001, "4599999999", "1000.00", NOW.date())
        queue(conn)
        set_state(conn, doc, "held", reason="PO 4599999999 is not on demo-coupa")
        read(conn, "50000.00")  # the portal shows another PO of the client
        run_rules(conn, PoAlertSettings(), now=NOW)
        [missing] = alerts.listing(conn)
        assert (missing["po_number"], missing["rule"]) == ("4599999999", "held")
        assert "which is not on demo-coupa: 90000001" in missing["summary"]
        po_release.assign(conn, doc, "4500000001", who="thandi", now=NOW)
        po_release.release_held(conn, "demo-coupa", po_ledger.balances(conn, "demo-coupa"),
                                now=NOW)
        run_rules(conn, PoAlertSettings(), now=NOW)
        [closed] = alerts.listing(conn, include_closed=True)
    assert closed["state"] == "closed"
    assert closed["close_reason"] == "nothing waits on this PO any more"
