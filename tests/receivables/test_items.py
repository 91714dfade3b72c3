"""A customer item says whether it was open at a date: the rule the age analysis, the
statements and their tests rest on, for items still open and items cleared since."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from receivables.items import ClearedItem, OpenItem

ITEM = {"company_code": "1000", "customer": "0000100001", "document": "1800000001",
        "fiscal_year": 2026, "line": 2, "amount": Decimal("1150.00"), "currency": "ZAR",
        "posting_date": date(2026, 3, 10), "document_date": date(2026, 3, 9),
        "due_date": date(2026, 4, 9), "reference": "90000001", "assignment": None,
        "doc_type": "RV", "billing_document": "0090000001"}


def test_an_item_open_today_was_open_from_its_posting_date_on() -> None:
    item = OpenItem(**ITEM)
    assert not item.open_at(date(2026, 3, 9))
    assert item.open_at(date(2026, 3, 10))
    assert item.open_at(date(2030, 1, 1))


def test_a_cleared_item_was_open_until_the_day_before_its_clearing() -> None:
    item = ClearedItem(**ITEM, clearing_date=date(2026, 5, 2), clearing_document="1400000007")
    assert [item.open_at(d) for d in (date(2026, 3, 9), date(2026, 3, 10), date(2026, 5, 1),
                                      date(2026, 5, 2))] == [False, True, True, False]


def test_an_item_is_named_by_company_code_document_year_and_line() -> None:
    assert OpenItem(**ITEM).key == "1000/1800000001/2026/2"
