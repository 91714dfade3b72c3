"""A mail in flight keeps its claim: while a slow mail server (a real local aiosmtpd that
holds the DATA longer than the lease) takes a statement, a reminder or the management pack,
the run renews its leases, so a second run started meanwhile finds the work held and leaves
it alone - it neither takes it over (which would hold a sent statement or reminder as
``uncertain``, or send the pack, which has no sending mark, a second time) nor sends
again."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pydantic import SecretStr
from sqlalchemy import select

from config.collections import CollectionSettings
from config.reports import StatementSettings
from connectors.collections.run import run_collections
from connectors.reports.scheduled import mail_management_pack
from connectors.reports.statement_run import run_statements
from sync.collections.dunning import REMINDERS
from sync.reports.statements import STATEMENTS, candidates
from sync.work import claims
from tests.connectors.collections.test_run import TODAY, _book

LEASE = timedelta(seconds=1)
SLOW = 3.0  # seconds the server holds each DATA: three leases


class SlowInbox:
    """Keeps what it receives, after holding each message ``SLOW`` seconds; refuses any
    recipient at bounce.example at once."""

    def __init__(self) -> None:
        self.messages: list = []
        self.arrived = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address.endswith("@bounce.example"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.arrived.set()
        await asyncio.sleep(SLOW)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def slow_smtp() -> Iterator[tuple[int, SlowInbox]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    yield port, inbox
    controller.stop()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _in_background(run: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["report"] = run()
        except BaseException as error:  # noqa: BLE001 - handed to the test's assertions
            outcome["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    return thread, outcome


def _past_the_lease(inbox: SlowInbox) -> None:
    """Wait until the first run's mail is at the server, then past its original lease."""
    assert inbox.arrived.wait(30), "the first run never reached the mail server"
    time.sleep(LEASE.total_seconds() * 1.6)


def test_a_statement_on_a_slow_mail_server_is_not_taken_over(
        pulled, simulator, slow_smtp, tmp_path) -> None:  # type: ignore[no-untyped-def]
    port, inbox = slow_smtp
    with pulled.engine.connect() as conn:
        _, customer = candidates(conn, "monthly", simulator.today())[0]
    settings = StatementSettings(
        channel=SecretStr(f"mailto://127.0.0.1:{port}?from=ar@supplier.example&mode=insecure"),
        addresses={customer: "ap@client.example"})

    def run() -> Any:
        return run_statements(pulled.engine, settings, tmp_path, schedule="monthly",
                              as_of=simulator.today(), now=_now(), send=True,
                              customer=customer, lease=LEASE)

    thread, first = _in_background(run)
    _past_the_lease(inbox)
    with pulled.engine.connect() as conn:
        [key] = claims.holders(conn, "statement", now=_now())  # still held, renewed
    second = run()
    thread.join(30)
    assert "error" not in first, first.get("error")
    assert (second.held_elsewhere, second.sent, second.uncertain) == (1, 0, 0)
    assert (first["report"].sent, first["report"].errors) == (1, [])
    assert len(inbox.messages) == 1
    with pulled.engine.connect() as conn:
        assert conn.execute(select(STATEMENTS.c.state)).scalar_one() == "sent"
        assert claims.holders(conn, "statement", now=_now()) == {}  # released when done
    assert key.endswith(f"/{customer}/monthly/{simulator.today():%Y-%m}")


def test_a_reminder_on_a_slow_mail_server_is_not_taken_over(store, slow_smtp,
                                                            tmp_path) -> None:
    port, inbox = slow_smtp
    _book(store.engine)
    settings = CollectionSettings(channel=SecretStr(f"smtp://127.0.0.1:{port}"))

    def run() -> Any:
        return run_collections(store.engine, settings, tmp_path, as_of=TODAY, now=_now(),
                               lease=LEASE)

    thread, first = _in_background(run)
    _past_the_lease(inbox)
    with store.engine.connect() as conn:  # the day's run and the reminder: both renewed
        assert list(claims.holders(conn, "collections-run", now=_now())) == [TODAY.isoformat()]
        assert "1000/0000200001/1/1" in claims.holders(conn, "reminder-send", now=_now())
    second = run()
    thread.join(30)
    assert "error" not in first, first.get("error")
    assert second.held_by_another_run and (second.sent, second.uncertain) == (0, 0)
    assert (first["report"].sent, first["report"].uncertain) == (1, 0)
    assert [m["To"] for m in inbox.messages] == ["ap@karoo.example"]
    with store.engine.connect() as conn:
        states = dict(conn.execute(select(REMINDERS.c.customer, REMINDERS.c.state)).all())
    assert states["0000200001"] == "sent"


def test_the_management_pack_on_a_slow_mail_server_goes_once(pulled, settings, slow_smtp
                                                             ) -> None:  # type: ignore[no-untyped-def]
    port, inbox = slow_smtp
    chosen = settings.model_copy(update={"reports": settings.reports.model_copy(update={
        "pack_to": ["cfo@supplier.example"],
        "pack_channel": SecretStr(f"mailto://127.0.0.1:{port}?from=ar@supplier.example"
                                  "&mode=insecure")})})

    def run() -> Any:
        return mail_management_pack(chosen, now=_now(), lease=LEASE)

    thread, first = _in_background(run)
    _past_the_lease(inbox)
    second = run()
    thread.join(30)
    assert "error" not in first, first.get("error")
    assert (first["report"].state, second.state) == ("sent", "held_by_another_run")
    assert [m["To"] for m in inbox.messages] == ["cfo@supplier.example"]
