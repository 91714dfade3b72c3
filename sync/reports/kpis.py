"""The management pack's figures (pure), each in one currency, with the formula beside it.

For a month M ending on day E, with AR(d) the receivables as at d (every open item, credits
included) and S(m) the month's credit sales (invoices billed, gross):

* **count-back DSO**: walk back from M; while AR(E) is more than a month's sales, take the
  month's days and subtract its sales; then take the fraction of the month that is left.
* **standard DSO** = AR(E) / S(M) × days in M.
* **best-possible DSO** = current AR(E) (not yet due) / S(M) × days in M.
* **average days delinquent** = standard DSO − best-possible DSO.
* **CEI** = (AR(start) + S(M) − AR(E)) / (AR(start) + S(M) − current AR(E)) × 100, with
  AR(start) the receivables at the end of the month before.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True, slots=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        try:
            year, month = (int(x) for x in text.split("-"))
            date(year, month, 1)
        except ValueError:
            raise ValueError(f"{text!r} is not a month (YYYY-MM)") from None
        return cls(year, month)

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return date(self.year, self.month, self.days)

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def back(self, n: int) -> list[Month]:
        """This month and the ``n - 1`` before it, newest first."""
        months, m = [], self
        for _ in range(n):
            months.append(m)
            m = m.previous()
        return months

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def _round(value: Decimal) -> Decimal:
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def dso_countback(receivables: Decimal, sales: Sequence[tuple[int, Decimal]]) -> Decimal:
    """Count-back DSO: ``sales`` is (days in month, credit sales) newest first, from the
    month of the key date back. Receivables beyond all the history given count the history's
    days (the figure is then a floor)."""
    left, days = receivables, Decimal(0)
    if left <= 0:
        return Decimal(0)
    for month_days, month_sales in sales:
        if month_sales <= 0:
            days += month_days
            continue
        if left > month_sales:
            days += month_days
            left -= month_sales
        else:
            days += left / month_sales * month_days
            return _round(days)
    return _round(days)


def dso_standard(receivables: Decimal, sales: Decimal, days: int) -> Decimal | None:
    return None if sales <= 0 else _round(receivables / sales * days)


def best_possible_dso(current: Decimal, sales: Decimal, days: int) -> Decimal | None:
    return None if sales <= 0 else _round(current / sales * days)


def cei(opening: Decimal, sales: Decimal, closing: Decimal,
        closing_current: Decimal) -> Decimal | None:
    collectable = opening + sales - closing_current
    if collectable <= 0:
        return None
    return _round((opening + sales - closing) / collectable * 100)


def variance(actual: Decimal | None, target: Decimal | None) -> Decimal | None:
    return None if actual is None or target is None else _round(actual - target)
