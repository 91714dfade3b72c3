"""Real banks' statement exports, as each bank writes them, imported whole: MT940 with bank
preambles (ABN AMRO), SWIFT blocks on their own lines (ING) or inline with FIN framing and
trailers (Standard Bank), Rabobank's ``:940:`` headers and IBAN+currency accounts, a German
export with a blank first line, CRLF and ``?``-sub-fields (Deutsche Bank), a portal export
mixing its own header, blank lines and SWIFT blocks (Nedbank), amounts without decimals
(``7260,``); camt.053 in UTF-16 (ING) and with several accounts in one file (Rabobank).

arbridge's own checks stay on top of the library's tolerance: every statement balances, and a
broken file is refused whole, naming its line.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from connectors.bank.importer import import_statements
from connectors.bank.parse import check_balances, parse_statements
from connectors.errors import StatementError, UnbalancedStatement

FILES = Path(__file__).parents[1] / "bank_files"
D = Decimal


def chain(account: str, currency: str, opening: str,
          *closes: tuple[str, int]) -> list[tuple[str, str, Decimal, Decimal, int]]:
    """Consecutive statements of one account, as (account, currency, opening, closing,
    entries): ``opening`` is the first one's, each of ``closes`` is a statement's closing
    balance (the next one's opening) and its number of entries."""
    out = []
    for closing, entries in closes:
        out.append((account, currency, D(opening), D(closing), entries))
        opening = closing
    return out


# file: its statements, in the file's order
STATEMENTS = {
    "abnamro_multi.sta": chain("123456789", "EUR", "12500.00", ("19745.00", 2), ("20995.50", 1)),
    "ing_swift.mt940": chain("NL69INGB0123456789", "EUR", "662.23", ("1660.67", 2)),
    "rabobank.swi": chain("NL50RABO0123456789", "EUR", "1147.95", ("4520.45", 2), ("4520.45", 0)),
    "deutsche_bank.sta": chain("10070000/0123456789", "EUR", "5000.00", ("7480.10", 2)),
    "standard_bank_swift.mt940": chain("071234567", "ZAR", "25000.00", ("32175", 2),
                                       ("34015.25", 1)),
    "nedbank_mixed.mt940": chain("1987654321", "ZAR", "4000.00", ("5150", 1), ("7437.50", 2)),
    "fnb_multi.mt940": chain("62000012345", "ZAR", "1000.00", ("1700.00", 2), ("1250.00", 2)),
    "camt053_v02_ing_utf16.xml": chain("NL69INGB0123456789", "EUR", "662.23", ("5160.67", 2)),
    "camt053_v04_rabobank_multi.xml": [
        *chain("NL50RABO0123456789", "EUR", "4520.45", ("11520.45", 1)),
        *chain("NL20RABO0987654321", "USD", "1200.00", ("3600.00", 1))],
    "camt053_v02_sbsa.xml": chain("071234567", "ZAR", "10000.00", ("16400.00", 4)),
}
# file: its first receipt (reference, payer, payer account, amount)
FIRST_RECEIPTS = {
    "abnamro_multi.sta": ("90000031", "KAROO MINING BV", "NL44RABO0123456789", D("7260")),
    "ing_swift.mt940": ("90000041", "KALAHARI TIMBER BV", "NL32INGB0000012345", D("1000")),
    "rabobank.swi": ("90000051", "DRAKENSBERG WATER BV", "NL44RABO0123456789", D("3500.00")),
    "deutsche_bank.sta": ("90000061", "Schwarzwald Holz GmbH", "DE89370400440532013000",
                          D("2500.00")),
    "standard_bank_swift.mt940": ("90000071", "Highveld Steel (Pty) Ltd", "", D("7260")),
    "nedbank_mixed.mt940": ("90000081", "Vaal Foods Ltd", "", D("1150")),
    "fnb_multi.mt940": ("90000021", "Drakensberg Water Ltd", "", D("750.00")),
    "camt053_v02_ing_utf16.xml": ("90000091", "KALAHARI TIMBER BV", "NL32INGB0000012345",
                                  D("4500.00")),
    "camt053_v04_rabobank_multi.xml": ("90000101", "DRAKENSBERG WATER BV",
                                       "NL44RABO0123456789", D("7000.00")),
    "camt053_v02_sbsa.xml": ("90000001", "Karoo Mining (Pty) Ltd", "62000011111", D("3000.00")),
}
# every export imported into the store: the ones above, and one read in test_parse.py
EXPORTS = [*STATEMENTS, "camt053_v08_absa.xml"]


@pytest.mark.parametrize("name", STATEMENTS)
def test_bank_export_is_read_whole_and_balances(name: str) -> None:
    statements = check_balances(parse_statements((FILES / name).read_bytes(), name), name,
                                allow_unbalanced=False)
    assert [(s.account, s.currency, s.opening, s.closing, len(s.entries))
            for s in statements] == STATEMENTS[name]
    first = next(e for s in statements for e in s.entries if e.direction == "CRDT")
    assert (first.reference, first.payer_name, first.payer_account, first.amount) == \
        FIRST_RECEIPTS[name]


def test_statement_note_after_the_closing_balance_is_not_an_entrys_narrative() -> None:
    [statement] = parse_statements((FILES / "ing_swift.mt940").read_bytes(), "ing")
    assert [e.narrative for e in statement.entries] == ["INVOICE 90000041",
                                                        "EV10001REP1000000T1000"]


def test_exports_of_every_bank_import_into_the_store_once(store) -> None:
    banks = [n for n in EXPORTS if n != "fnb_multi.mt940"]
    first = {n: import_statements(store, FILES / n) for n in banks}
    assert sum(r.statements for r in first.values()) == 15  # ten files, seven banks
    assert all(r.imported == r.entries and r.duplicates == 0 for r in first.values())
    assert first["camt053_v04_rabobank_multi.xml"].credit_total == {
        "EUR": D("7000.00"), "USD": D("2400.00")}
    again = [import_statements(store, FILES / n) for n in banks]
    assert sum(r.imported for r in again) == 0


@pytest.mark.parametrize("name, breakage, where", [
    ("abnamro_multi.sta", (":61:2611021102D15,N426", ":61:2611021102D15N426"), "line 10"),
    ("nedbank_mixed.mt940", (":20:NED261102A", ":2O:NED261102A"), "line 5"),
    ("standard_bank_swift.mt940", ("ZAR32175,\n-}", "ZAR32175,01\n-}"), None),
])
def test_a_broken_export_is_refused_whole_naming_the_line(name, breakage, where) -> None:
    content = (FILES / name).read_bytes().replace(*(b.encode() for b in breakage))
    assert content != (FILES / name).read_bytes()
    if where is None:  # the balance no longer adds up: refused naming both figures
        with pytest.raises(UnbalancedStatement, match="does not balance"):
            check_balances(parse_statements(content, name), name, allow_unbalanced=False)
        return
    with pytest.raises(StatementError, match=where):
        parse_statements(content, name)


def test_a_field_before_any_statement_reference_is_refused_not_skipped() -> None:
    text = "ABNANL2A\n940\n:61:2611021102C7260,N654NONREF\n:20:X\n"
    with pytest.raises(StatementError, match=r"line 3.*:61: outside a statement"):
        parse_statements(text.encode(), "x.sta", "mt940")


def test_utf16_mt940_and_utf8_bom_are_read() -> None:
    text = (FILES / "nedbank_mixed.mt940").read_text(encoding="latin-1")
    for content in (text.encode("utf-16"), b"\xef\xbb\xbf" + text.encode()):
        assert len(parse_statements(content, "nedbank")) == 2
