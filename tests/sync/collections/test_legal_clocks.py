"""South African business days (Easter, a Sunday holiday observed on the Monday) and the
prescription clock reset by an acknowledgement of debt."""

from __future__ import annotations

from datetime import date

import pytest

from sync.collections.business_days import (
    add_business_days,
    business_days_between,
    is_business_day,
)
from sync.collections.prescription import prescribes_on, warning


@pytest.mark.parametrize(("day", "business"), [
    (date(2026, 4, 2), True),    # Thursday before Easter
    (date(2026, 4, 3), False),   # Good Friday
    (date(2026, 4, 6), False),   # Family Day (Easter Monday)
    (date(2026, 4, 7), True),
    (date(2026, 8, 9), False),   # Women's Day on a Sunday
    (date(2026, 8, 10), False),  # ... observed on the Monday
    (date(2026, 8, 11), True),
    (date(2025, 4, 18), False),  # Good Friday moves with Easter
    (date(2025, 4, 21), False),  # Family Day 2025
    (date(2026, 12, 16), False),  # Day of Reconciliation
])
def test_business_days_follow_sa_public_holidays(day, business):
    assert is_business_day(day) is business


def test_twenty_business_days_across_easter():
    # from Wed 25 March 2026 (weekdays alone would give Wed 22 April): Good Friday 3 April
    # and Family Day 6 April are skipped, and Freedom Day on Monday 27 April
    assert add_business_days(date(2026, 3, 25), 20) == date(2026, 4, 24)
    assert add_business_days(date(2026, 3, 25), 21) == date(2026, 4, 28)
    assert business_days_between(date(2026, 3, 25), date(2026, 4, 24)) == 20
    assert business_days_between(date(2026, 3, 25), date(2026, 4, 27)) == 20
    assert business_days_between(date(2026, 3, 25), date(2026, 4, 23)) == 19


def test_ten_business_days_across_a_sunday_holiday():
    # delivered Tue 4 Aug 2026; Sun 9 Aug holiday observed Mon 10 Aug
    assert add_business_days(date(2026, 8, 4), 10) == date(2026, 8, 19)


def test_prescription_three_years_from_due_and_reset_by_acknowledgement():
    due = date(2023, 6, 30)
    assert prescribes_on(due, []) == date(2026, 6, 30)
    assert prescribes_on(due, [date(2025, 1, 15)]) == date(2028, 1, 15)
    assert prescribes_on(due, [date(2023, 1, 1)]) == date(2026, 6, 30)  # before due: no reset
    assert prescribes_on(date(2024, 2, 29), []) == date(2027, 2, 28)


def test_prescription_warning_within_ninety_days():
    due = date(2024, 3, 1)
    assert warning(due, [], date(2026, 12, 1)) == date(2027, 3, 1)
    assert warning(due, [], date(2026, 11, 30)) is None
    assert warning(due, [date(2026, 12, 1)], date(2026, 12, 1)) is None
