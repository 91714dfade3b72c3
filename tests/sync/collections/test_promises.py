"""Promises judged at the tolerance boundaries, and arrangements instalment by instalment."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from sync.collections.promises import Instalment, judge, judge_instalments

DUE = date(2026, 11, 20)
ONE = [Instalment(DUE, Decimal("1000"))]


@pytest.mark.parametrize(("paid", "days_after_due", "verdict"), [
    ("0", -1, "open"),
    ("0", 0, "open"),
    ("0", 3, "open"),              # last day of the tolerance
    ("0", 4, "broken"),            # first day after it
    ("400", 3, "open"),
    ("400", 4, "partly_kept"),
    ("999.99", 4, "partly_kept"),
    ("1000", -5, "kept"),          # paid early: kept at once
    ("1000", 4, "kept"),
    ("1200", 10, "kept"),
])
def test_promise_at_the_tolerance_boundary(paid, days_after_due, verdict):
    today = DUE + timedelta(days=days_after_due)
    assert judge(ONE, Decimal(paid), today, tolerance_days=3) == verdict


def test_zero_tolerance_breaks_the_day_after():
    assert judge(ONE, Decimal(0), DUE, tolerance_days=0) == "open"
    assert judge(ONE, Decimal(0), DUE + timedelta(days=1), tolerance_days=0) == "broken"


def test_arrangement_pays_instalments_oldest_first():
    plan = [Instalment(date(2026, 10, 1), Decimal("500")),
            Instalment(date(2026, 11, 1), Decimal("500")),
            Instalment(date(2026, 12, 1), Decimal("500"))]
    today = date(2026, 11, 10)
    assert judge_instalments(plan, Decimal("700"), today, 3) == ["kept", "partly_kept", "open"]
    assert judge(plan, Decimal("700"), today, 3) == "partly_kept"
    assert judge(plan, Decimal("1000"), today, 3) == "open"
    assert judge(plan, Decimal("500"), today, 3) == "broken"
    assert judge(plan, Decimal("1500"), today, 3) == "kept"
