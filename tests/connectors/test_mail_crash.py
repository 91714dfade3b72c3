"""A run killed (SIGKILL) after the mail left and before it was recorded sends nothing twice:
statements and reminders are marked ``sending`` (committed) before the send. Through a mail
server, which cannot be asked, the next run holds the row ``uncertain`` for a person and
never resends it until a person releases it; through the outbox, it looks and settles."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from config.collections import CollectionSettings
from config.reports import StatementSettings
from connectors.collections.run import run_collections
from connectors.reports.statement_run import run_statements
from sync.collections.dunning import REMINDERS
from sync.reports.statements import STATEMENTS, candidates
from sync.txn import writing
from sync.work import outgoing
from tests.connectors.collections.test_run import TODAY, _book, mail  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 5, 18, tzinfo=timezone.utc)
LATER = NOW + timedelta(minutes=11)  # past every lease: the old code sent again here

STATEMENT_CHILD = """
import os, signal, sys
from datetime import date, datetime
from pathlib import Path
from pydantic import SecretStr
from config.reports import StatementSettings
from connectors.reports import statement_run
from sync.db import make_engine
url, home, channel, customer, as_of, now, when = sys.argv[1:]
real = statement_run._deliver
def deliver_and_die(*args, **kwargs):
    if when == "before":
        os.kill(os.getpid(), signal.SIGKILL)
    real(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)
statement_run._deliver = deliver_and_die
settings = StatementSettings(channel=SecretStr(channel), addresses={customer: "ap@client.example"})
statement_run.run_statements(make_engine(url), settings, Path(home), schedule="monthly",
                             as_of=date.fromisoformat(as_of), now=datetime.fromisoformat(now),
                             send=True, customer=customer)
"""

REMINDER_CHILD = """
import os, signal, sys
from datetime import date, datetime
from pathlib import Path
from pydantic import SecretStr
from config.collections import CollectionSettings
from connectors.collections import run
from sync.db import make_engine
url, home, channel, as_of, now = sys.argv[1:]
real = run.deliver
def deliver_and_die(*args, **kwargs):
    real(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)
run.deliver = deliver_and_die
run.run_collections(make_engine(url), CollectionSettings(channel=SecretStr(channel)),
                    Path(home), as_of=date.fromisoformat(as_of), now=datetime.fromisoformat(now))
"""


def _killed(script: str, *args: str) -> None:
    done = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, timeout=120,
                          capture_output=True, text=True)
    assert done.returncode == -9, done.stderr[-2000:]


def _url(store) -> str:  # type: ignore[no-untyped-def]
    return store.engine.url.render_as_string(hide_password=False)


def _statement_killed(pulled, simulator, home: Path, channel: str,
                      when: str = "after") -> str:  # type: ignore[no-untyped-def]
    with pulled.engine.connect() as conn:
        _, customer = candidates(conn, "monthly", simulator.today())[0]
    _killed(STATEMENT_CHILD, _url(pulled), str(home), channel, customer,
            simulator.today().isoformat(), NOW.isoformat(), when)
    return customer


def _statement_state(pulled) -> tuple[str, str | None]:  # type: ignore[no-untyped-def]
    with pulled.engine.connect() as conn:
        row = conn.execute(select(STATEMENTS.c.state, STATEMENTS.c.detail)).one()
    return row.state, row.detail


def test_a_statement_killed_after_the_smtp_send_is_held_for_a_person_not_resent(
        pulled, simulator, smtp, tmp_path) -> None:  # type: ignore[no-untyped-def]
    port, inbox = smtp
    channel = f"mailto://127.0.0.1:{port}?from=ar@supplier.example&mode=insecure"
    customer = _statement_killed(pulled, simulator, tmp_path, channel)
    assert len(inbox.messages) == 1  # the mail left; the record did not
    assert _statement_state(pulled)[0] == "sending"
    settings = StatementSettings(channel=SecretStr(channel),
                                 addresses={customer: "ap@client.example"})

    def again():  # type: ignore[no-untyped-def]
        return run_statements(pulled.engine, settings, tmp_path, schedule="monthly",
                              as_of=simulator.today(), now=LATER, send=True,
                              customer=customer)

    second, third = again(), again()
    assert (second.sent, second.uncertain, third.sent, third.uncertain) == (0, 1, 0, 1)
    assert "--resend" in second.errors[0]
    assert len(inbox.messages) == 1  # never resent on its own
    state, detail = _statement_state(pulled)
    assert state == "uncertain" and "Message-ID" in (detail or "")
    with writing(pulled.engine) as conn:
        statement_id = conn.execute(select(STATEMENTS.c.id)).scalar_one()
        outgoing.release(conn, STATEMENTS, statement_id, entity="customer_statement",
                         by="clerk", now=LATER)
    assert again().sent == 1 and len(inbox.messages) == 2  # a person released it


@pytest.mark.parametrize("when,sent,settled", [("after", 0, 1), ("before", 1, 0)])
def test_a_statement_killed_around_an_outbox_write_is_settled_by_looking(
        pulled, simulator, tmp_path, when, sent, settled) -> None:  # type: ignore[no-untyped-def]
    customer = _statement_killed(pulled, simulator, tmp_path, "outbox", when)
    files = list((tmp_path / "outbox" / "statements").glob("*.eml"))
    assert len(files) == (1 if when == "after" else 0)
    assert _statement_state(pulled)[0] == "sending"
    result = run_statements(pulled.engine, StatementSettings(addresses={
        customer: "ap@client.example"}), tmp_path, schedule="monthly", as_of=simulator.today(),
        now=LATER, send=True, customer=customer)
    assert (result.sent, result.already_sent, result.uncertain) == (sent, settled, 0)
    assert _statement_state(pulled) == ("sent", None)
    [eml] = (tmp_path / "outbox" / "statements").glob("*.eml")
    assert "Message-ID: <" in eml.read_text()


def test_a_reminder_killed_after_the_smtp_send_is_held_for_a_person_not_resent(
        store, tmp_path, mail) -> None:  # type: ignore[no-untyped-def] # noqa: F811
    port, inbox = mail
    _book(store.engine)
    channel = f"smtp://127.0.0.1:{port}"
    _killed(REMINDER_CHILD, _url(store), str(tmp_path), channel, TODAY.isoformat(),
            NOW.isoformat())

    def karoo() -> int:
        return sum(m["To"] == "ap@karoo.example" for m in inbox.messages)

    assert karoo() == 1
    settings = CollectionSettings(channel=SecretStr(channel))
    second = run_collections(store.engine, settings, tmp_path, as_of=TODAY, now=LATER)
    assert (second.held_by_another_run, second.uncertain) == (False, 1)
    assert any("collections resend" in line for line in second.errors)
    assert karoo() == 1  # never resent on its own
    with store.engine.connect() as conn:
        states = dict(conn.execute(select(REMINDERS.c.customer, REMINDERS.c.state)).all())
    assert states["0000200001"] == "uncertain"
    from workers.cli.status import uncertain_mail

    with store.engine.connect() as conn:
        [held] = uncertain_mail(conn)
    assert held["release"].startswith("arbridge collections resend ")
    with writing(store.engine) as conn:
        outgoing.release(conn, REMINDERS, held["id"], entity="dunning_reminder", by="clerk",
                         now=LATER)
    third = run_collections(store.engine, settings, tmp_path, as_of=TODAY, now=LATER)
    assert third.sent == 1 and karoo() == 2
