"""Reason and posting date of a reversal, chosen as SAP's reversal rules require (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from sap.posting import DocumentHeader, reversal_terms


def header(posted: date, reference_type: str = "BKPF") -> DocumentHeader:
    return DocumentHeader(company_code="1000", document="1500000007", fiscal_year=posted.year,
                          posting_date=posted, reference_type=reference_type,
                          reference_key="150000000710002026", logical_system="")


@pytest.mark.parametrize("rule,posted,today,expected", [
    ("period", date(2026, 11, 3), date(2026, 11, 20), ("01", date(2026, 11, 3))),
    ("period", date(2026, 10, 30), date(2026, 11, 2), ("02", date(2026, 11, 2))),
    ("original", date(2026, 10, 30), date(2026, 11, 2), ("01", date(2026, 10, 30))),
    ("today", date(2026, 11, 3), date(2026, 11, 20), ("02", date(2026, 11, 20))),
    ("today", date(2026, 11, 20), date(2026, 11, 20), ("01", date(2026, 11, 20))),
])
def test_the_original_date_takes_the_plain_reason_another_date_the_alternative_one(
        rule: str, posted: date, today: date, expected: tuple[str, date]) -> None:
    terms = reversal_terms(header(posted), today, date_rule=rule, same_date_reason="01",
                           other_date_reason="02")
    assert (terms.reason, terms.posting_date) == expected


def test_only_interface_documents_are_reversed_by_rev_post() -> None:
    assert header(date(2026, 11, 3), "BKPFF").by_interface
    assert not header(date(2026, 11, 3), "BKPF").by_interface
