"""Importing statements into the store (SQLite and PostgreSQL): counts, re-imports and
overlaps add nothing, bad files change nothing, returns are linked to their receipt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from connectors.bank.importer import import_statements
from connectors.errors import StatementError, UnbalancedStatement
from sync.cash.store import ENTRIES, STATEMENTS
from sync.store import Store

FILES = Path(__file__).parents[1] / "bank_files"


def entry_count(store: Store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(ENTRIES)).scalar_one()


def test_import_counts_and_reimport_adds_nothing(store: Store) -> None:
    first = import_statements(store, FILES / "camt053_v02_sbsa.xml")
    assert first.as_json() == {"statements": 1, "entries": 4, "receipts": 3,
                               "credit_total": {"ZAR": "6500.00"},
                               "debit_total": {"ZAR": "100.00"}, "imported": 4,
                               "duplicates": 0}
    again = import_statements(store, FILES / "camt053_v02_sbsa.xml")
    assert (again.imported, again.duplicates) == (0, 4)
    assert entry_count(store) == 4


def test_overlapping_statement_adds_only_new_entries(store: Store, tmp_path: Path) -> None:
    import_statements(store, FILES / "fnb.csv", fmt="csv:fnb")
    overlap = tmp_path / "fnb2.csv"
    overlap.write_text((FILES / "fnb.csv").read_text().replace(
        "Date,Amount,Balance,Description,Reference\n02 Nov 2026,750.00,1750.00,Drakensberg Water"
        ",90000021\n02 Nov 2026,-50.00,1700.00,Service fee,\n",
        "Date,Amount,Balance,Description,Reference\n") + "04 Nov 2026,10.00,2010.00,Interest,\n")
    result = import_statements(store, overlap, fmt="csv:fnb")
    assert (result.imported, result.duplicates) == (1, 1)
    assert entry_count(store) == 4


def test_malformed_or_unbalanced_file_changes_nothing(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text((FILES / "camt053_v02_sbsa.xml").read_text().replace("SB0003", "SB0003"
                   ).replace("<Amt Ccy=\"ZAR\">100.00", "<Amt Ccy=\"ZAR\">abc"))
    with pytest.raises(StatementError):
        import_statements(store, bad)
    unbalanced = tmp_path / "unbalanced.xml"
    unbalanced.write_text((FILES / "camt053_v02_sbsa.xml").read_text().replace("16400.00",
                                                                               "16000.00"))
    with pytest.raises(UnbalancedStatement):
        import_statements(store, unbalanced)
    assert entry_count(store) == 0
    flagged = import_statements(store, unbalanced, allow_unbalanced=True)
    assert flagged.unbalanced == 1
    with store.engine.connect() as conn:
        assert conn.execute(select(STATEMENTS.c.unbalanced)).scalar_one() is True


def test_returned_entry_is_linked_to_the_receipt_it_undoes(store: Store, tmp_path: Path) -> None:
    receipt = tmp_path / "r.xml"
    receipt.write_text((FILES / "camt053_v08_absa.xml").read_text()
                       .replace("AB-77001-1", "AB-66001-1").replace("2000.00", "500.00")
                       .replace("<Amt Ccy=\"ZAR\">500.00</Amt><CdtDbtInd>DBIT</CdtDbtInd>"
                                "<RvslInd>true</RvslInd>", "<Amt Ccy=\"ZAR\">500.00</Amt>"
                                "<CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd>"))
    result = import_statements(store, receipt, allow_unbalanced=True)
    assert len(result.returned) == 1
    with store.engine.connect() as conn:
        rows = {r.bank_ref: r for r in conn.execute(select(ENTRIES))}
    assert rows["AB-66001-1"].state == "returned"
    assert rows["AB-77002-1"].reverses_id == rows["AB-66001-1"].id


def test_cli_bank_import_prints_exactly_the_promised_keys(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sync.store import open_store
    from workers.cli.app import app

    monkeypatch.setenv("ARBRIDGE_HOME", str(settings.home))
    if settings.database_url:
        monkeypatch.setenv("ARBRIDGE_DATABASE_URL", settings.database_url)
    open_store(settings, create=True).engine.dispose()  # as `arbridge init` does
    out = CliRunner().invoke(app, ["bank", "import", str(FILES / "fnb_multi.mt940"), "--json"])
    assert out.exit_code == 0, out.output
    payload = json.loads(out.stdout)
    assert list(payload) == ["statements", "entries", "receipts", "credit_total",
                             "debit_total", "imported", "duplicates"]
    assert payload["statements"] == 2 and payload["debit_total"] == {"ZAR": "800.00"}
    bad = CliRunner().invoke(app, ["bank", "import", str(FILES / "fnb.csv")])
    assert bad.exit_code == 1 and "csv:PROFILE" in bad.output


def test_mt940_recall_is_linked_through_the_reference_in_its_narrative(store: Store) -> None:
    result = import_statements(store, FILES / "fnb_multi.mt940")
    assert len(result.returned) == 1
    with store.engine.connect() as conn:
        rows = {r.bank_ref: r for r in conn.execute(select(ENTRIES))}
    assert rows["FNB-1"].state == "returned" and rows["FNB-4"].reverses_id == rows["FNB-1"].id


def test_notification_then_statement_of_the_same_booking_is_one_receipt(store: Store,
                                                                        tmp_path: Path) -> None:
    from datetime import date
    from decimal import Decimal

    from connectors.bank.camt_writer import Movement, write_camt053

    import_statements(store, FILES / "camt054_v04_nedbank.xml")
    statement = tmp_path / "ned053.xml"
    statement.write_bytes(write_camt053(
        statement_id="NED-053-1", account="1234567890", currency="ZAR",
        opening=Decimal("0.00"), day=date(2026, 11, 4),
        movements=[Movement(amount=Decimal("1100.00"), bank_ref="NED-9001/1",
                            booking_date=date(2026, 11, 4), payer="Limpopo Agri Ltd")]))
    result = import_statements(store, statement)
    assert (result.imported, result.duplicates) == (0, 1)
    assert entry_count(store) == 1
