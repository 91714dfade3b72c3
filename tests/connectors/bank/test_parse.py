"""Statement parsers on files in several banks' conventions, malformed and unbalanced files,
and property tests that no input crashes a parser with anything but its clear error."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.bank.model import entry_identities
from connectors.bank.mt940 import structured_86
from connectors.bank.parse import check_balances, parse_statements
from connectors.errors import StatementError, UnbalancedStatement

FILES = Path(__file__).parents[1] / "bank_files"


def parse(name: str, fmt: str = "auto"):  # type: ignore[no-untyped-def]
    return parse_statements((FILES / name).read_bytes(), name, fmt)


def test_camt053_v02_batch_becomes_one_receipt_per_transaction_detail() -> None:
    [statement] = parse("camt053_v02_sbsa.xml")
    assert statement.source == "camt.053.001.02"
    amounts = [(e.direction, e.amount) for e in statement.entries]
    assert amounts == [("CRDT", Decimal("3000.00")), ("CRDT", Decimal("2000.00")),
                       ("CRDT", Decimal("1500.00")), ("DBIT", Decimal("100.00"))]
    first = statement.entries[0]
    assert (first.reference, first.payer_name, first.payer_account) == \
        ("90000001", "Karoo Mining (Pty) Ltd", "62000011111")
    assert statement.entries[1].reference == ""  # NOTPROVIDED is no reference


def test_camt053_pending_entries_are_not_on_the_statement() -> None:
    [statement] = parse("camt053_v02_sbsa.xml")
    assert Decimal("999.00") not in [e.amount for e in statement.entries]


def test_camt053_v08_reads_moved_elements_and_keeps_reversal_with_reason() -> None:
    [statement] = parse("camt053_v08_absa.xml")
    assert statement.source == "camt.053.001.08"
    assert statement.account == "ZA8940770000000012"
    assert statement.opening == Decimal("-500.00")
    receipt, returned = statement.entries
    assert receipt.payer_name == "Highveld Steel Ltd" and receipt.reference == "0090000007"
    assert returned.reversal and returned.return_reason == "AC04"
    assert returned.original_ref == "AB-66001-1" and returned.undoes_receipt


def test_camt054_carries_structured_remittance_lines() -> None:
    [notification] = parse("camt054_v04_nedbank.xml")
    assert notification.opening is None
    [entry] = notification.entries
    assert [(x.invoice_ref, x.paid, x.deduction) for x in entry.remittance] == [
        ("90000011", Decimal("600.00"), Decimal("0.00")),
        ("90000012", Decimal("500.00"), Decimal("20.00"))]


def test_mt940_multi_statement_file_is_split_and_reversals_honoured() -> None:
    first, second = parse("fnb_multi.mt940")
    assert (first.opening, first.closing) == (Decimal("1000.00"), Decimal("1700.00"))
    assert first.entries[0].reference == "90000021"
    assert first.entries[0].payer_name == "Drakensberg Water Ltd"
    recall = second.entries[1]
    assert recall.direction == "DBIT" and recall.reversal and recall.return_reason == "MD06"
    assert second.entries[0].narrative == "Rechnung 90000022"
    assert second.entries[0].payer_name == "Kalahari Timber"


def test_mt940_reversal_of_debit_is_money_in() -> None:
    text = (FILES / "fnb_multi.mt940").read_text().replace(
        ":61:2611021102D50,00NCHG", ":61:2611021102RD50,00NCHG").replace(
        ":62F:C261102ZAR1700,00", ":62F:C261102ZAR1800,00").replace(
        ":60F:C261102ZAR1700,00", ":60F:C261102ZAR1800,00").replace(
        ":62F:C261103ZAR1250,00", ":62F:C261103ZAR1350,00")
    first, _ = parse_statements(text.encode(), "x.mt940")
    assert first.entries[1].direction == "CRDT" and first.entries[1].reversal
    check_balances([first], "x", allow_unbalanced=False)


def test_structured_86_reads_slash_fields() -> None:
    assert structured_86("/EREF/ABC/REMI/INV 1/ORDP/Acme") == \
        {"EREF": "ABC", "REMI": "INV 1", "ORDP": "Acme"}


@pytest.mark.parametrize("name,profile,account,closing", [
    ("fnb.csv", "csv:fnb", "62000012345", Decimal("2000.00")),
    ("capitec.csv", "csv:capitec", "1450001234", Decimal("1000.00")),
])
def test_csv_profiles_of_south_african_banks(name: str, profile: str, account: str,
                                             closing: Decimal) -> None:
    [statement] = parse(name, profile)
    assert statement.account == account and statement.closing == closing
    check_balances([statement], name, allow_unbalanced=False)


def test_user_csv_profile_from_config() -> None:
    from config.cash import CsvProfile

    content = b"When;What;In;Out\n2026-11-02;ACME 90000001;1.234,50;\n"
    profile = CsvProfile(delimiter=";", date="When", description="What", credit="In",
                         debit="Out", decimal_comma=True)
    [statement] = parse_statements(content, "mine.csv", "csv:mybank", {"mybank": profile})
    assert statement.entries[0].amount == Decimal("1234.50")


def test_unbalanced_statement_is_refused_naming_both_figures() -> None:
    content = (FILES / "camt053_v02_sbsa.xml").read_bytes().replace(b"16400.00", b"16300.00")
    statements = parse_statements(content, "bad.xml")
    with pytest.raises(UnbalancedStatement) as caught:
        check_balances(statements, "bad.xml", allow_unbalanced=False)
    message = str(caught.value)
    assert "balance" in message and "16400.00" in message and "16300.00" in message
    [flagged] = check_balances(statements, "bad.xml", allow_unbalanced=True)
    assert flagged.unbalanced


@pytest.mark.parametrize("mutate,where,reason", [
    (lambda t: t.replace("<Amt Ccy=\"ZAR\">1500.00", "<Amt Ccy=\"ZAR\">15x0.00"),
     "line 32 <Amt>", "not a number"),
    (lambda t: t.replace("<CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK",
                         "<CdtDbtInd>DEBIT</CdtDbtInd><Sts>BOOK"), "<Ntry>", "CdtDbtInd"),
    (lambda t: t.replace("</Stmt>", ""), "line", "not well-formed"),
    (lambda t: t.replace("3000.00</Amt></TxAmt>", "2900.00</Amt></TxAmt>"), "<Ntry>",
     "add up to"),
])
def test_malformed_camt_is_refused_naming_element_and_reason(mutate, where, reason) -> None:  # type: ignore[no-untyped-def]
    text = mutate((FILES / "camt053_v02_sbsa.xml").read_text())
    with pytest.raises(StatementError) as caught:
        parse_statements(text.encode(), "bad.xml")
    assert where in str(caught.value) and reason in str(caught.value)


def test_malformed_mt940_line_is_named() -> None:
    text = (FILES / "fnb_multi.mt940").read_text().replace(":61:2611021102C750,00",
                                                           ":61:26110C750,00")
    with pytest.raises(StatementError, match=r"line 6 \(field 61\)"):
        parse_statements(text.encode(), "bad.mt940")


def test_malformed_csv_line_is_named() -> None:
    text = (FILES / "fnb.csv").read_text().replace("02 Nov 2026,-50.00", "2 Novv 2026,-50.00")
    with pytest.raises(StatementError, match=r"line 5: date"):
        parse_statements(text.encode(), "bad.csv", "csv:fnb")


def test_entry_identity_is_stable_and_twins_differ() -> None:
    [statement] = parse("fnb.csv", "csv:fnb")
    twice = statement.entries + statement.entries[:1]
    ids = entry_identities(statement.account, twice)
    assert ids[:3] == entry_identities(statement.account, statement.entries)
    assert len(set(ids)) == 4


FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
SEEDS = [(FILES / n).read_bytes() for n in ("camt053_v02_sbsa.xml", "fnb_multi.mt940")]


@FUZZ
@given(st.binary(max_size=2000))
def test_no_bytes_crash_the_auto_parser(data: bytes) -> None:
    try:
        parse_statements(data, "fuzz")
    except StatementError:
        pass


@FUZZ
@given(st.sampled_from(SEEDS), st.integers(0, 3000), st.integers(1, 40), st.binary(max_size=20))
def test_damaged_statement_files_fail_only_with_clear_errors(seed: bytes, at: int, cut: int,
                                                             junk: bytes) -> None:
    data = seed[:at] + junk + seed[at + cut:]
    try:
        statements = parse_statements(data, "fuzz")
        check_balances(statements, "fuzz", allow_unbalanced=False)
    except (StatementError, UnbalancedStatement):
        pass


@FUZZ
@given(st.text(max_size=400))
def test_no_text_crashes_a_csv_profile(text: str) -> None:
    try:
        parse_statements(("Date,Amount,Balance,Description\n" + text).encode(), "fuzz",
                         "csv:fnb")
    except StatementError:
        pass


@FUZZ
@given(st.sampled_from(["1E+999999", "NaN", "-5", "1e2", "Infinity", "0.001"]))
def test_odd_camt_amounts_fail_clearly_or_parse(amount: str) -> None:
    text = (FILES / "camt053_v02_sbsa.xml").read_text().replace("1500.00</Amt>",
                                                                f"{amount}</Amt>", 1)
    try:
        parse_statements(text.encode(), "odd.xml")
    except StatementError:
        pass


def test_mt940_field_the_library_cannot_read_is_named() -> None:
    text = (FILES / "fnb_multi.mt940").read_text().replace(":62F:C261102ZAR1700,00", ":62F:D")
    with pytest.raises(StatementError, match=r"line 10 \(field 62F\): 'D' cannot be read"):
        parse_statements(text.encode(), "bad.mt940")


@pytest.mark.parametrize("version", ["02", "03", "04", "05", "06", "07", "08", "10"])
def test_camt053_every_version_reads_the_same(version: str) -> None:
    text = (FILES / "camt053_v02_sbsa.xml").read_text().replace("camt.053.001.02",
                                                                f"camt.053.001.{version}")
    if version >= "06":  # from 001.06 the status is a code element
        text = text.replace("<Sts>BOOK</Sts>", "<Sts><Cd>BOOK</Cd></Sts>").replace(
            "<Sts>PDNG</Sts>", "<Sts><Cd>PDNG</Cd></Sts>")
    [statement] = parse_statements(text.encode(), "v.xml")
    assert statement.source == f"camt.053.001.{version}"
    assert [e.amount for e in statement.entries] == [Decimal("3000.00"), Decimal("2000.00"),
                                                     Decimal("1500.00"), Decimal("100.00")]


def test_camt_file_with_two_statements() -> None:
    text = (FILES / "camt053_v02_sbsa.xml").read_text()
    start, end = text.index("<Stmt>"), text.index("</Stmt>") + len("</Stmt>")
    second = text[start:end].replace("SBSA-0001-20261102", "SBSA-0001-20261103")
    statements = parse_statements((text[:end] + second + text[end:]).encode(), "two.xml")
    assert [s.statement_id for s in statements] == ["SBSA-0001-20261102", "SBSA-0001-20261103"]
