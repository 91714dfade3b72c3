"""South African business days (pure): Monday to Friday that are not public holidays, the
holidays computed by the ``holidays`` package (Easter moves; a holiday on a Sunday is observed
on the Monday, Public Holidays Act 36 of 1994, s 2(1))."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays("ZA", years=year).keys())


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_business_days(start: date, days: int) -> date:
    """The date ``days`` business days after ``start`` (``start`` itself not counted)."""
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            left -= 1
    return day


def business_days_between(start: date, end: date) -> int:
    """Business days after ``start`` up to and including ``end`` (0 if ``end`` <= start)."""
    if end <= start:
        return 0
    return sum(1 for n in range(1, (end - start).days + 1)
               if is_business_day(start + timedelta(days=n)))
