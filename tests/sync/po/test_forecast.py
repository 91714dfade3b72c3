"""Run-out forecasts as pure functions: robust to lumps, honest about thin history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from sync.po.forecast import Billing, burn_rate, forecast, monthly_totals

TODAY = date(2026, 11, 25)


def monthly(amounts: list[str], currency: str = "ZAR", last_month: int = 10) -> list[Billing]:
    """One invoice a month ending in October 2026 (the last full month), oldest first."""
    start = 2026 * 12 + last_month - 1 - len(amounts) + 1
    return [Billing(date(i // 12, i % 12 + 1, 15), Decimal(a), currency)
            for i, a in zip(range(start, start + len(amounts)), amounts, strict=False) if a != "0"]


D = Decimal


@pytest.mark.parametrize(("totals", "rate"), [
    ([D(100)] * 12, D("100.00")),
    ([D(100)] * 11 + [D(5000)], D("100.00")),  # a year-end lump barely moves the median
    ([D(300), D(0), D(0)] * 4, D("100.00")),   # billed every quarter: a third of a quarter
    ([D(100), D(100)], None),                  # two months: too little to say
    ([], None),
])
def test_burn_rate_is_the_median_of_billed_months_scaled_by_how_often(totals, rate):
    assert burn_rate(totals) == rate


def test_monthly_totals_leave_out_the_current_month_and_other_currencies():
    history = monthly(["100", "0", "300"]) + [Billing(date(2026, 11, 2), D("999"), "ZAR"),
                                               Billing(date(2026, 10, 3), D("50"), "USD")]
    assert monthly_totals(history, "ZAR", TODAY) == [D(100), D(0), D(300)]


@pytest.mark.parametrize(("case", "kwargs", "expected"), [
    ("steady PO", dict(remaining=D("1000"), po_history=monthly(["500"] * 12)),
     dict(basis="po", monthly_rate=D("500.00"), typical_invoice=D("500.00"),
          invoices_left=2, runout=date(2027, 1, 24))),  # two months of 30.4 days
    ("seasonal lump ignored", dict(remaining=D("1000"), po_history=monthly(["500"] * 11 +
                                                                          ["20000"])),
     dict(basis="po", monthly_rate=D("500.00"), invoices_left=2)),
    ("new PO uses the customer's history",
     dict(remaining=D("3000"), po_history=[],
          customer_history=monthly(["1000"] * 6)),
     dict(basis="customer", monthly_rate=D("1000.00"), invoices_left=3)),
    ("a new PO shares the customer's rate with its other open POs",
     dict(remaining=D("3000"), po_history=[], customer_history=monthly(["1000"] * 6),
          customer_pos=4),
     dict(basis="customer", monthly_rate=D("250.00"), invoices_left=3,
          runout=date(2027, 11, 25))),
    ("no history at all says so",
     dict(remaining=D("3000"), po_history=[], customer_history=[]),
     dict(basis="none", monthly_rate=None, runout=None, invoices_left=None)),
    ("two invoices: too little",
     dict(remaining=D("3000"), po_history=monthly(["100", "100"])),
     dict(basis="none", runout=None)),
    ("history only in another currency",
     dict(remaining=D("3000"), currency="USD", po_history=monthly(["100"] * 6, "ZAR")),
     dict(basis="none", runout=None)),
    ("exhausted runs out today",
     dict(remaining=D("0"), po_history=monthly(["500"] * 12)),
     dict(runout=TODAY, invoices_left=0)),
])
def test_forecast(case, kwargs, expected):
    args = {"currency": "ZAR", "today": TODAY, "customer_history": [], **kwargs}
    result = forecast(**args)
    for name, value in expected.items():
        assert getattr(result, name) == value, (case, name, result)


def test_forecast_notes_say_why_there_is_no_date():
    none = forecast(remaining=D("1"), currency="ZAR", today=TODAY, po_history=[],
                    customer_history=[], po_number="4500000001")
    assert "no billing history" in none.note
    usd = forecast(remaining=D("1"), currency="USD", today=TODAY,
                   po_history=monthly(["100"] * 6), customer_history=[])
    assert "no billing history in USD" in usd.note and "ZAR" in usd.note
    thin = forecast(remaining=D("1"), currency="ZAR", today=TODAY,
                    po_history=monthly(["100", "100"]), customer_history=[])
    assert "too little billing history (2 billed month(s)" in thin.note


def test_forecast_mentions_open_ended_and_expiring_pos():
    history = monthly(["500"] * 12)
    open_ended = forecast(remaining=D("5000"), currency="ZAR", today=TODAY,
                          po_history=history, customer_history=[])
    assert "no end date" in open_ended.note and open_ended.runout == date(2027, 9, 25)
    expiring = forecast(remaining=D("5000"), currency="ZAR", today=TODAY, po_history=history,
                        customer_history=[], valid_to=date(2027, 1, 31))
    assert "expires on 2027-01-31, before it runs out" in expiring.note
