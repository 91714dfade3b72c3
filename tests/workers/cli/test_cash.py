"""The cash CLI: allocate, bank unallocated, allocations (list/approve), journal correct/list."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from connectors.bank.camt_writer import Movement, write_camt053
from sync.store import open_store
from workers.cli.app import app


def run(*args: str) -> tuple[int, object]:
    out = CliRunner().invoke(app, list(args))
    try:
        return out.exit_code, json.loads(out.stdout)
    except ValueError:
        return out.exit_code, out.output


def test_cash_commands_from_import_to_correction(home, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = open_store(home, create=True)
    from tests.workers.cli.cash_helpers_cli import two_invoices

    first, second = two_invoices(store)
    statement = tmp_path / "s.xml"
    statement.write_bytes(write_camt053(
        statement_id="S1", account="1", currency="ZAR", opening=first.amount * 0,
        movements=[Movement(amount=first.amount, bank_ref="A", booking_date=date(2026, 11, 2),
                            reference=first.billing_document.lstrip("0")),
                   Movement(amount=second.amount, bank_ref="B", booking_date=date(2026, 11, 1),
                            payer="Unknown Person", narrative="DEPOSIT")],
        day=date(2026, 11, 2)))
    assert run("bank", "import", str(statement), "--json")[0] == 0
    code, result = run("allocate", "--json")
    assert code == 0 and (result["auto"], result["posted"], result["unallocated"]) == (1, 1, 1)
    code, listing = run("allocations", "--state", "posted", "--json")
    assert code == 0 and listing[0]["rule"] == "reference" and listing[0]["sap_document"]
    code, waiting = run("bank", "unallocated", "--json")
    assert code == 0 and [w["amount"] for w in waiting] == [str(second.amount)]
    assert waiting[0]["age_days"] >= 0
    code, journal = run("journal", "correct", str(listing[0]["id"]), "--to",
                        second.billing_document.lstrip("0"), "--reason", "wrong invoice",
                        "--json")
    assert code == 0 and journal["state"] == "done", journal
    code, journals = run("journal", "list", "--json")
    assert journals[0]["reason"] == "wrong invoice" and journals[0]["documents"]["reversal"]
    code, message = run("allocations", "approve", "999")
    assert code == 1 and "does not exist" in str(message)


def test_journal_refused_at_the_reversal_is_resumed_from_the_command_line(
        home, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    store = open_store(home, create=True)
    from tests.workers.cli.cash_helpers_cli import two_invoices

    first, second = two_invoices(store)
    statement = tmp_path / "s.xml"
    statement.write_bytes(write_camt053(
        statement_id="S1", account="1", currency="ZAR", opening=first.amount * 0,
        movements=[Movement(amount=first.amount, bank_ref="A", booking_date=date(2026, 11, 2),
                            reference=first.billing_document.lstrip("0"))],
        day=date(2026, 11, 2)))
    assert run("bank", "import", str(statement), "--json")[0] == 0
    assert run("allocate", "--json")[0] == 0
    code, listing = run("allocations", "--state", "posted", "--json")
    monkeypatch.setenv("ARBRIDGE_CASH__REVERSAL_REASON", "99")  # T041C does not know it
    monkeypatch.setenv("ARBRIDGE_CASH__REVERSAL_REASON_OTHER_DATE", "99")
    code, journal = run("journal", "correct", str(listing[0]["id"]), "--to",
                        second.billing_document.lstrip("0"), "--reason", "wrong invoice",
                        "--json")
    assert journal["state"] == "failed" and journal["documents"]["stopped_at"] == "reversal"
    assert "stopped at step 2 of 3 (reversal)" in journal["message"]
    monkeypatch.delenv("ARBRIDGE_CASH__REVERSAL_REASON")
    monkeypatch.delenv("ARBRIDGE_CASH__REVERSAL_REASON_OTHER_DATE")
    code, journal = run("journal", "resume", str(journal["id"]), "--json")
    assert code == 0 and journal["state"] == "done", journal
    assert journal["documents"]["reversal"] and journal["documents"]["repost"]
    code, message = run("journal", "resume", str(journal["id"]))
    assert code != 0 and "only a failed journal is resumed" in str(message)
