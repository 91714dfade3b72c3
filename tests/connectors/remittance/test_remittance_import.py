"""Remittance advices from CSV, Excel, remt.001 and camt.054; re-imports add nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from config.cash import RemittanceProfile
from connectors.errors import StatementError
from connectors.remittance.importer import import_advices, parse_advices
from sync.store import Store

FILES = Path(__file__).parents[1] / "bank_files"


def test_csv_rows_group_into_advices_with_deductions() -> None:
    advices = parse_advices((FILES / "remittance.csv").read_bytes(), "remittance.csv")
    vaal = next(a for a in advices if a.payer == "Vaal Foods Ltd")
    assert vaal.payment_reference == "VF-NOV" and vaal.advice_date == date(2026, 11, 2)
    assert vaal.total == Decimal("2000.00")
    assert vaal.lines[1].deduction == Decimal("100.00")
    assert vaal.lines[1].reason == "short delivery"


def test_excel_advice_with_a_customer_column_profile(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Remittance advice from Protea Health"])
    sheet.append(["Our ref", "Paid on", "Your invoice", "Amount"])
    sheet.append(["PH-001", date(2026, 11, 6), "90000051", 1234.5])
    path = tmp_path / "protea.xlsx"
    book.save(path)
    profile = RemittanceProfile(payer_name="Protea Health", payment_reference="Our ref",
                                date="Paid on", invoice="Your invoice", paid="Amount")
    [advice] = parse_advices(path.read_bytes(), str(path), profile)
    assert advice.payer == "Protea Health" and advice.lines[0].paid == Decimal("1234.50")


def test_remt001_lines_and_adjustment_reason() -> None:
    [advice] = parse_advices((FILES / "remt001_v04.xml").read_bytes(), "remt.xml")
    assert advice.payment_reference == "WBE-PAY-7781" and advice.payer == "Waterberg Energy Ltd"
    assert [(x.invoice_ref, x.paid, x.deduction, x.reason) for x in advice.lines] == [
        ("90000041", Decimal("1000.00"), Decimal("0.00"), ""),
        ("90000042", Decimal("450.00"), Decimal("50.00"), "DAMAGED")]


def test_camt054_remittance_details_are_advices() -> None:
    [advice] = parse_advices((FILES / "camt054_v04_nedbank.xml").read_bytes(), "n.xml")
    assert advice.payer == "Limpopo Agri Ltd" and len(advice.lines) == 2


def test_bad_line_is_named() -> None:
    text = (FILES / "remittance.csv").read_text().replace("1200.00", "twelve")
    with pytest.raises(StatementError, match=r"line 3: Paid 'twelve' is not an amount"):
        parse_advices(text.encode(), "r.csv")


def test_reimported_advice_adds_nothing(store: Store) -> None:
    first = import_advices(store, FILES / "remittance.csv")
    again = import_advices(store, FILES / "remittance.csv")
    assert (first.imported, again.imported, again.duplicates) == (2, 0, 2)


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEEDS = [(FILES / n).read_bytes() for n in ("remt001_v04.xml", "remittance.csv")]


@FUZZ
@given(st.sampled_from(SEEDS), st.integers(0, 1500), st.integers(1, 30), st.binary(max_size=20))
def test_damaged_advices_fail_only_with_clear_errors(seed: bytes, at: int, cut: int,
                                                     junk: bytes) -> None:
    try:
        parse_advices(seed[:at] + junk + seed[at + cut:], "fuzz.csv")
    except StatementError:
        pass


@FUZZ
@given(st.binary(max_size=1500))
def test_no_bytes_crash_the_excel_reader(data: bytes) -> None:
    try:
        parse_advices(b"PK\x03\x04" + data, "fuzz.xlsx")
    except StatementError:
        pass


@pytest.mark.parametrize(("paid", "why"), [
    ("43 676,19", "not an amount"),     # a decimal comma would read as 100 times the amount
    ("R1.234,50", "not an amount"),
    ("-10000.00", "negative"),          # a credit line is for a person, never auto-allocated
])
def test_an_amount_that_could_be_misread_refuses_the_whole_advice(tmp_path, paid, why):
    from connectors.errors import StatementError
    from connectors.remittance.sheets import parse_sheet

    content = ("Payer,Payment reference,Date,Invoice,Paid\n"
               "Acme,RA-1,2026-11-20,90000936,100.00\n"
               f'Acme,RA-1,2026-11-20,90001099,"{paid}"\n').encode()
    with pytest.raises(StatementError) as raised:
        parse_sheet(content, "advice.csv")
    assert "line 3" in str(raised.value) and why in str(raised.value)


@pytest.mark.parametrize(("paid", "amount"), [
    ("1 234.56", "1234.56"), ("R 1,234.56", "1234.56"), ("ZAR1234", "1234.00"), (1234.5, "1234.50"),
])
def test_amounts_in_the_usual_forms_are_read_exactly(paid, amount):
    from decimal import Decimal

    from connectors.remittance.sheets import _money

    assert _money(paid, "line 2", "Paid", "advice.csv") == Decimal(amount)


def test_a_remittance_xml_cut_short_is_refused_naming_the_line():
    from connectors.remittance.remt import parse_remt

    text = (FILES / "remt001_v04.xml").read_text()
    with pytest.raises(StatementError) as raised:
        parse_remt(text.replace("</RmtAdvc>", "").encode(), "advice.xml")
    assert "advice.xml" in str(raised.value) and "line" in str(raised.value)
    assert "not well-formed XML" in str(raised.value)
