"""Promises judged at the tolerance boundaries, and arrangements instalment by instalment."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from sync.collections.promises import (
    Instalment,
    ScheduleRefused,
    amount_problem,
    judge,
    judge_instalments,
    schedule,
)

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


ARRANGEMENT = [Instalment(date(2026, 12, 10), Decimal("500")),
               Instalment(date(2027, 1, 10), Decimal("500")),
               Instalment(date(2027, 2, 10), Decimal("500"))]


@pytest.mark.parametrize(("paid", "today", "instalments", "verdict"), [
    ("500", date(2027, 1, 13), ["kept", "open", "open"], "open"),      # 2nd: last tolerance day
    ("500", date(2027, 1, 14), ["kept", "broken", "open"], "broken"),  # 2nd: first day after
    ("700", date(2027, 1, 14), ["kept", "partly_kept", "open"], "partly_kept"),
    ("1000", date(2027, 2, 13), ["kept", "kept", "open"], "open"),     # 3rd: last tolerance day
    ("1000", date(2027, 2, 14), ["kept", "kept", "broken"], "broken"),
    ("0", date(2026, 12, 14), ["broken", "open", "open"], "broken"),   # the first breaks it
    ("1500", date(2026, 12, 1), ["kept", "kept", "kept"], "kept"),     # all paid up front
])
def test_each_instalment_of_an_arrangement_at_its_tolerance_boundary(paid, today, instalments,
                                                                    verdict):
    assert judge_instalments(ARRANGEMENT, Decimal(paid), today, 3) == instalments
    assert judge(ARRANGEMENT, Decimal(paid), today, 3) == verdict


@pytest.mark.parametrize(("entered", "message"), [
    ([], "at least one instalment"),
    ([(date(2027, 1, 1), Decimal("0"))],
     "instalment 1: the promised amount 0 must be a number above zero"),
    ([(date(2027, 1, 1), Decimal("10")), (date(2027, 2, 1), Decimal("Infinity"))],
     "instalment 2: the promised amount Infinity must be a number above zero"),
    ([(date(2027, 1, 1), Decimal("NaN"))], "instalment 1: the promised amount NaN must be"),
    ([(date(2027, 1, 1), Decimal("1e15"))],
     "instalment 1: .* must be a number above zero and below 1000000000000000"),
    ([(date(2027, 1, 1), Decimal("-0.01"))], "instalment 1: .* must be a number above zero"),
    ([(date(2027, 1, 1), Decimal("10")), (date(2026, 12, 1), Decimal("10"))],
     "instalment 2: the date 2026-12-01 is in the past"),
    ([(date(2027, 1, 1), Decimal("10")), (date(2027, 1, 1), Decimal("20"))],
     "instalment 2: 2027-01-01 is already the date of another instalment"),
])
def test_a_schedule_with_a_wrong_instalment_is_refused_naming_it(entered, message):
    with pytest.raises(ValueError, match=message):
        schedule(entered, date(2026, 12, 5))


def test_a_schedule_is_kept_in_date_order():
    entered = [(date(2027, 2, 1), Decimal("300")), (date(2027, 1, 1), Decimal("200"))]
    assert schedule(entered, date(2026, 12, 5)) == [Instalment(date(2027, 1, 1), Decimal("200")),
                                                    Instalment(date(2027, 2, 1), Decimal("300"))]


def test_a_schedule_refusal_names_the_instalment_apart_from_the_problem():
    """Callers translate it: a single promise is told without instalment numbers."""
    with pytest.raises(ScheduleRefused) as refused:
        schedule([(date(2027, 1, 1), Decimal("10")), (date(2026, 12, 1), Decimal("5"))],
                 date(2026, 12, 5))
    assert (refused.value.instalment, refused.value.problem) == (
        2, "the date 2026-12-01 is in the past")
    assert amount_problem(Decimal("1500.00")) is None
    assert amount_problem(Decimal("-1")) == (
        "the promised amount -1 must be a number above zero and below 1000000000000000")
