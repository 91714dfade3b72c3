"""The collections CLI: a call with a payment arrangement (--instalment), a wrong instalment
refused with the way to write it, and the mailbox of later bounces read as JSON."""

from __future__ import annotations

import json
import mailbox
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from connectors.reports.book import ledger_today
from sync.collections.promise_store import promises_of
from sync.mirror.models import OpenItemRow
from sync.store import open_store
from tests.workers.cli.conftest import run


def test_a_call_records_a_payment_arrangement_of_instalments(home) -> None:  # type: ignore[no-untyped-def]
    store = open_store(home)
    with store.engine.connect() as conn:
        today = ledger_today(conn)
        customer = conn.execute(select(OpenItemRow.customer).where(
            OpenItemRow.amount > 0, OpenItemRow.due_date < today).order_by(
            OpenItemRow.customer)).scalars().first()
    days = [(today + timedelta(days=n)).isoformat() for n in (10, 40, 70)]
    code, output = run("collections", "call", customer, "--outcome", "agreed three payments",
                       "--promise", "100.00", "--by", days[0],
                       "--instalment", f"{days[2]}:150.00", "--instalment", f"{days[1]}:120")
    assert code == 0, output
    assert "arrangement" in output
    with store.engine.connect() as conn:
        [made] = promises_of(conn, "1000", customer)
    assert made["kind"] == "arrangement" and str(made["amount"]) in ("370.00", "370.000")
    assert [(str(i["due_date"]), i["state"]) for i in made["instalments"]] == [
        (days[0], "open"), (days[1], "open"), (days[2], "open")]

    code, output = run("collections", "call", customer, "--outcome", "x",
                       "--instalment", "next friday:100")
    assert code != 0 and "YYYY-MM-DD" in output
    for amount in ("-5", "Infinity", "1e30"):  # the promises' own rule, told at the option
        code, output = run("collections", "call", customer, "--outcome", "x",
                           "--promise", amount, "--by", days[0])
        assert code != 0 and "--promise" in output
        assert "must be a number above zero" in " ".join(output.split()), output


def test_bounces_reads_a_mailbox_and_reports_as_json(home, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    box = mailbox.mbox(tmp_path / "sender.mbox")
    box.add(b"From: ap@client.example\nTo: accounts@example.co.za\nSubject: Re: reminder\n"
            b"Message-ID: <r1@client.example>\n\nPaid yesterday.\n")
    box.close()
    code, output = run("collections", "bounces", "--mbox", str(tmp_path / "sender.mbox"),
                       "--json")
    assert code == 0, output
    assert json.loads(output) == {"read": 1, "recorded": [], "already": 0,
                                  "not_a_failure": 1, "unmatched": 0}
    code, output = run("collections", "bounces", "--mbox", str(tmp_path / "nowhere"))
    assert code != 0 and "does not exist" in output
