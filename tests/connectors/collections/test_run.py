"""The daily collections run against a real local SMTP server (aiosmtpd): reminders go once
per customer and level whatever runs again; a recipient the server refuses is a bounce that
becomes a phone task; the day's run is claimed, so a second start does nothing."""

from __future__ import annotations

import socket
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from pydantic import SecretStr
from sqlalchemy import insert, select

from config.collections import CollectionSettings
from connectors.collections.run import run_collections
from sync.collections.dunning import REMINDERS
from sync.collections.worklist import build
from sync.mirror.models import CustomerRow, OpenItemRow
from sync.tables import table_of
from sync.txn import writing
from sync.work import claims

NOW = datetime(2026, 12, 5, 6, tzinfo=timezone.utc)
TODAY = NOW.date()


class Refusing:
    """Keeps what it receives; refuses any recipient at bounce.example."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address.endswith("@bounce.example"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def mail():  # type: ignore[no-untyped-def]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Refusing()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox
    controller.stop()


def _book(engine) -> None:  # type: ignore[no-untyped-def]
    customers = [("0000200001", "ap@karoo.example"), ("0000200002", "ap@bounce.example"),
                 ("0000200003", "ap@small.example")]
    amounts = {"0000200001": "12500.00", "0000200002": "8000.00", "0000200003": "40.00"}
    with writing(engine) as conn:
        conn.execute(insert(table_of(CustomerRow)), [
            {"company_code": "1000", "number": n, "name": f"Client {n}", "email": e,
             "synced_at": NOW} for n, e in customers])
        conn.execute(insert(table_of(OpenItemRow)), [
            {"company_code": "1000", "document": f"180000000{i}", "fiscal_year": 2026,
             "line": 1, "customer": n, "amount": Decimal(amounts[n]), "currency": "ZAR",
             "posting_date": TODAY - timedelta(days=60), "document_date": TODAY - timedelta(
                 days=60), "due_date": TODAY - timedelta(days=12), "doc_type": "RV",
             "synced_at": NOW} for i, (n, _) in enumerate(customers)])


def test_reminders_reach_the_smtp_server_once_and_a_bounce_becomes_a_phone_task(
        store, tmp_path, mail):
    port, inbox = mail
    _book(store.engine)
    settings = CollectionSettings(channel=SecretStr(f"smtp://127.0.0.1:{port}"))
    first = run_collections(store.engine, settings, tmp_path, as_of=TODAY, now=NOW)
    again = run_collections(store.engine, settings, tmp_path, as_of=TODAY, now=NOW)
    assert (first.sent, first.bounced, first.recorded) == (1, 1, {"1": 2})
    assert first.decisions["below_minimum"] == 1
    assert (again.sent, again.bounced, again.recorded) == (0, 0, {})
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "ap@karoo.example"
    assert "reminder 1" in message["Subject"]
    body = message.get_content()
    assert "12500.00 ZAR" in body and "1800000000" in body
    assert "offer" not in body.lower() and "unsubscribe" not in body.lower()  # no marketing
    with store.engine.connect() as conn:
        states = dict(conn.execute(select(REMINDERS.c.customer, REMINDERS.c.state)).all())
        entries = {e.customer: e for e in build(conn, settings, TODAY)}
    assert states == {"0000200001": "sent", "0000200002": "bounced"}
    assert entries["0000200002"].next_step.startswith("phone: the level 1 e-mail bounced")


def test_a_run_of_the_day_held_elsewhere_does_nothing(store, tmp_path):
    _book(store.engine)
    other = claims.Owner("other-host", 1, "run-1")
    with writing(store.engine) as conn:
        claims.take(conn, "collections-run", TODAY.isoformat(), other, now=NOW)
    report = run_collections(store.engine, CollectionSettings(), tmp_path, as_of=TODAY,
                             now=NOW)
    assert report.held_by_another_run and report.recorded == {}
    with store.engine.connect() as conn:
        assert conn.execute(select(REMINDERS)).first() is None


def test_outbox_by_default_and_dry_run_changes_nothing(store, tmp_path):
    _book(store.engine)
    plan = run_collections(store.engine, CollectionSettings(), tmp_path, as_of=TODAY,
                           now=NOW, dry_run=True)
    assert plan.decisions == {"remind": 2, "below_minimum": 1}
    assert not (tmp_path / "outbox").exists()
    run_collections(store.engine, CollectionSettings(), tmp_path, as_of=TODAY, now=NOW)
    sent = sorted(p.name for p in (tmp_path / "outbox" / "collections").iterdir())
    assert sent == ["reminder-1000-0000200001-c1-l1.eml", "reminder-1000-0000200002-c1-l1.eml"]
    assert all((tmp_path / "outbox" / "collections" / n).stat().st_mode & 0o077 == 0
               for n in sent)


def test_runs_go_forward_only(store, tmp_path):
    """Replaying an earlier day would see its items as not yet overdue and end cycles."""
    _book(store.engine)
    run_collections(store.engine, CollectionSettings(), tmp_path, as_of=TODAY, now=NOW)
    earlier = run_collections(store.engine, CollectionSettings(), tmp_path,
                              as_of=TODAY - timedelta(days=7), now=NOW)
    again = run_collections(store.engine, CollectionSettings(), tmp_path, as_of=TODAY,
                            now=NOW)
    assert earlier.later_run == TODAY.isoformat() and earlier.recorded == {}
    assert again.recorded == {}
    with store.engine.connect() as conn:
        assert sorted(conn.execute(select(REMINDERS.c.cycle)).scalars()) == [1, 1]
