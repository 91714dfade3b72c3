"""Alert delivery: e-mail to a real local SMTP server (aiosmtpd, started here), a webhook
(``responses``: a peer we cannot run), the embedded outbox, digests, and failures that are
retried and stay visible — never the same alert twice to a recipient for the same level."""

from __future__ import annotations

import json
import stat
from datetime import timedelta
from decimal import Decimal

import pytest
import responses
from sqlalchemy import select

from config.po_alerts import PoAlertSettings
from connectors.notify import Notifier, deliver
from sync.audit_models import AuditEventRow
from sync.po import alerts
from sync.po import deliveries as alert_deliveries
from sync.po import ledger as po_ledger
from sync.po.evaluation import run_rules
from sync.po.ledger import PoRead
from sync.po.models import OutboxMessageRow
from sync.tables import table_of
from sync.txn import writing
from sync.work import claims
from tests.sync.po.po_fixtures import NOW, customer, document, queue, set_state

HOOK = "https://hooks.example.co.za/arbridge/T0KEN-SECRET-123"
D = Decimal


def mail_url(port: int) -> str:
    return (f"mailto://127.0.0.1:{port}?from=arbridge@supplier.example&"
            "to=billing@supplier.example&mode=insecure")


@pytest.fixture
def exhausted(store):
    """PO 4500000001 of Karoo Mining: exhausted, two invoices held on it."""
    with store.engine.begin() as conn:
        customer(conn)
        docs = [document(conn, 90000001, "4500000001", "12000.00", NOW.date()),
                document(conn, 90000002, "4500000001", "8000.00", NOW.date())]
        queue(conn)
        for doc in docs:
            set_state(conn, doc, "held", reason="exceeds the remaining balance")
        po_ledger.record_read(conn, "demo-coupa", [
            PoRead("4500000001", D("50000.00"), D("50000.00"), "ZAR")], now=NOW)
    return store


def evaluate(store, settings: PoAlertSettings, now=NOW) -> None:
    with store.engine.begin() as conn:
        run_rules(conn, settings, now=now)


def test_alert_email_reaches_a_real_smtp_server_once(exhausted, smtp, tmp_path):
    port, inbox = smtp
    settings = PoAlertSettings(recipients=["billing"], channels={"billing": mail_url(port)})
    evaluate(exhausted, settings)
    report = deliver(exhausted.engine, settings, tmp_path / "outbox", now=NOW)
    again = deliver(exhausted.engine, settings, tmp_path / "outbox", now=NOW + timedelta(hours=1))
    assert (report.sent, report.failed, again.sent) == (2, 0, 0)  # held + exhausted rules
    subjects = sorted(m["subject"] for m in inbox.messages)
    assert subjects == ["[arbridge] EXHAUSTED: PO 4500000001 of Karoo Mining (Pty) Ltd on "
                        "demo-coupa"] * 2
    text = inbox.messages[0].get_body(("plain",)).get_content()
    assert "Remaining balance: 0.00 ZAR of 50,000.00 ZAR" in text.splitlines()
    assert "90000001" in text and "90000002" in text
    assert "Ask Karoo Mining (Pty) Ltd for a new PO" in text
    assert "of at least 20,000.00 ZAR" in text


@responses.activate
def test_failing_webhook_is_retried_visible_and_never_dropped(exhausted, tmp_path):
    settings = PoAlertSettings(recipients=["hook"], channels={"hook": HOOK.replace(
        "https://", "jsons://")}, digest=True)
    responses.add(responses.POST, HOOK, status=503)
    evaluate(exhausted, settings)
    first = deliver(exhausted.engine, settings, tmp_path / "outbox", now=NOW)
    assert (first.sent, first.failed) == (0, 2)
    assert len(responses.calls) == 3  # tenacity: three tries inside the one send
    with exhausted.engine.connect() as conn:
        problems = [p for a in alerts.listing(conn) for p in a["delivery_problems"]]
        rows = alert_deliveries.rows(conn)
    assert len(problems) == 2 and all("pending after 1 attempt(s)" in p for p in problems)
    assert {r["state"] for r in rows} == {"pending"}
    assert all("T0KEN-SECRET-123" not in (r["last_error"] or "") for r in rows)
    assert "503" in rows[0]["last_error"]
    # not due yet: nothing is sent again before the wait is over
    assert deliver(exhausted.engine, settings, tmp_path, now=NOW).sent == 0
    responses.replace(responses.POST, HOOK, status=200, json={})
    later = deliver(exhausted.engine, settings, tmp_path, now=NOW + timedelta(minutes=2))
    assert (later.sent, later.failed) == (2, 0)
    payload = json.loads(responses.calls[-1].request.body)
    assert payload["title"] == "[arbridge] PO alerts: 2 exhausted"  # digest: one message
    assert "2 invoice(s) held on PO 4500000001: 90000001, 90000002 (exceeds the remaining " \
        "balance)" in payload["message"]
    with exhausted.engine.connect() as conn:
        assert {r["state"] for r in alert_deliveries.rows(conn)} == {"sent"}


def test_unknown_channel_is_a_visible_failure_that_gives_up_after_max_attempts(exhausted,
                                                                                tmp_path):
    settings = PoAlertSettings(recipients=["nowhere"], max_attempts=2)
    evaluate(exhausted, settings)
    deliver(exhausted.engine, settings, tmp_path, now=NOW)
    deliver(exhausted.engine, settings, tmp_path, now=NOW + timedelta(hours=1))
    with exhausted.engine.connect() as conn:
        rows = alert_deliveries.rows(conn)
    assert {r["state"] for r in rows} == {"failed"}
    assert "no channel named 'nowhere' in po_alerts.channels" in rows[0]["last_error"]
    # a person adds the channel and sends the failed ones again
    fixed = PoAlertSettings(recipients=["nowhere"], channels={"nowhere": HOOK.replace(
        "https://", "jsons://")})
    with exhausted.engine.begin() as conn:
        assert alert_deliveries.retry_failed(conn, now=NOW + timedelta(hours=2)) == 2
    with responses.RequestsMock() as hook:
        hook.add(responses.POST, HOOK, status=200, json={})
        later = deliver(exhausted.engine, fixed, tmp_path, now=NOW + timedelta(hours=2))
        assert len(hook.calls) == 2
    assert (later.sent, later.failed) == (2, 0)


def test_outbox_is_owner_only_and_in_the_store(exhausted, tmp_path):
    settings = PoAlertSettings(digest=True)
    evaluate(exhausted, settings)
    outbox = tmp_path / "outbox"
    report = deliver(exhausted.engine, settings, outbox, now=NOW)
    files = list(outbox.iterdir())
    assert report.sent == 2 and len(files) == 1  # digest: one message for both alerts
    assert stat.S_IMODE(outbox.stat().st_mode) == 0o700
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    content = files[0].read_text()
    assert content.startswith("Subject: [arbridge] PO alerts: 2 exhausted")
    with exhausted.engine.connect() as conn:
        stored = conn.execute(select(table_of(OutboxMessageRow))).one()
    assert stored.path == str(files[0]) and "PO 4500000001" in stored.body


def test_a_claimed_delivery_is_not_sent_by_a_second_worker_nor_twice_after_a_crash(
        exhausted, tmp_path):
    settings = PoAlertSettings()
    outbox = tmp_path / "outbox"
    evaluate(exhausted, settings)
    worker_a, worker_b = claims.Owner.here("worker-a"), claims.Owner.here("worker-b")
    mine = alert_deliveries.claim(exhausted.engine, owner=worker_a, now=NOW)
    theirs = alert_deliveries.claim(exhausted.engine, owner=worker_b, now=NOW)
    assert len(mine) == 2 and theirs == []
    # worker-a writes the first message to the outbox, then dies before marking it sent
    Notifier(settings, outbox, exhausted.engine).send(
        "outbox", "first", "body", f"deliveries:{mine[0].id}", NOW)
    assert deliver(exhausted.engine, settings, outbox, now=NOW, owner=worker_b).sent == 0
    later = NOW + timedelta(minutes=10)  # worker-a's lease is over: worker-b takes over
    report = deliver(exhausted.engine, settings, outbox, now=later, owner=worker_b)
    assert report.sent == 2
    with exhausted.engine.connect() as conn:
        stored = conn.execute(select(table_of(OutboxMessageRow))).all()
        taken_over = conn.execute(select(table_of(AuditEventRow).c.action).where(
            table_of(AuditEventRow).c.action == "claim taken over")).all()
    assert len(stored) == 2 and len(list(outbox.iterdir())) == 2  # not three
    assert len(taken_over) == 2
    # worker-a wakes up and tries to record its result: the claim is no longer its own
    with writing(exhausted.engine) as conn:
        assert alert_deliveries.mark_sent(conn, mine, now=later) == 0
