"""Prescription (pure): a debt prescribes three years after it is due (Prescription Act 68 of
1969, s 11(d)), unless interrupted; an acknowledgement of debt or the service of summons
starts the clock again from that day (s 14, s 15)."""

from __future__ import annotations

from datetime import date, timedelta


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def prescribes_on(due_date: date, interruptions: list[date], *, years: int = 3) -> date:
    """The day the item prescribes: ``years`` after its due date or the last interruption
    on or after it."""
    start = max([due_date, *(d for d in interruptions if d >= due_date)])
    return add_years(start, years)


def warning(due_date: date, interruptions: list[date], today: date, *, years: int = 3,
            window_days: int = 90) -> date | None:
    """The prescription date if it falls within ``window_days`` of ``today`` (or has passed)."""
    end = prescribes_on(due_date, interruptions, years=years)
    return end if end <= today + timedelta(days=window_days) else None
