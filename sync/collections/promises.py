"""Judging promises to pay (pure). A promise is one instalment; an arrangement several. Each
evening the money paid towards the promise's items since it was made is laid against the
instalments in date order: an instalment is kept once covered; after its due date plus the
tolerance days it is partly kept (something paid) or broken (nothing). The promise takes the
worst of its instalments' verdicts, and is kept only when every instalment is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

Verdict = Literal["open", "kept", "partly_kept", "broken"]
ZERO = Decimal(0)
MAX_AMOUNT = Decimal(10) ** 15  # beyond any debt; keeps the store's amount columns safe
_WORST = {"broken": 3, "partly_kept": 2, "open": 1, "kept": 0}


@dataclass(frozen=True, slots=True)
class Instalment:
    due_date: date
    amount: Decimal


def judge_instalments(instalments: list[Instalment], paid: Decimal, today: date,
                      tolerance_days: int) -> list[Verdict]:
    """One verdict per instalment, ``paid`` applied to them oldest first."""
    left = paid
    verdicts: list[Verdict] = []
    for inst in sorted(instalments, key=lambda i: i.due_date):
        covered = min(left, inst.amount) if left > 0 else ZERO
        left -= covered
        if covered >= inst.amount:
            verdicts.append("kept")
        elif today <= inst.due_date + timedelta(days=tolerance_days):
            verdicts.append("open")
        else:
            verdicts.append("partly_kept" if covered > 0 else "broken")
    return verdicts


def judge(instalments: list[Instalment], paid: Decimal, today: date,
          tolerance_days: int) -> Verdict:
    """The promise's verdict this evening."""
    verdicts = judge_instalments(instalments, paid, today, tolerance_days)
    if all(v == "kept" for v in verdicts):
        return "kept"
    settled = [v for v in verdicts if v != "open"]
    worst: Verdict = max(settled, key=_WORST.__getitem__, default="open")
    return worst if worst in ("broken", "partly_kept") else "open"


class ScheduleRefused(ValueError):
    """A promise or arrangement as entered cannot be made: ``instalment`` (from 1) names the
    one that is wrong (None: the schedule as a whole), ``problem`` says what, so a caller
    that took a single promise can tell it without instalment numbers."""

    def __init__(self, problem: str, instalment: int | None = None) -> None:
        super().__init__(f"instalment {instalment}: {problem}" if instalment else problem)
        self.problem = problem
        self.instalment = instalment


def amount_problem(amount: Decimal) -> str | None:
    """Why ``amount`` cannot be promised, or None: it must be a number above zero and below
    :data:`MAX_AMOUNT`. The one check of a promised amount; the web form and the CLI parse
    the text and leave the value to this."""
    if amount.is_finite() and ZERO < amount < MAX_AMOUNT:
        return None
    return (f"the promised amount {amount} must be a number above zero and below "
            f"{MAX_AMOUNT:.0f}")


def schedule(instalments: list[tuple[date, Decimal]], today: date) -> list[Instalment]:
    """A promise (one instalment) or a payment arrangement (several) as a collector enters
    it, checked: each amount a number above zero (:func:`amount_problem`), no date in the
    past, no date twice; in date order.

    Raises:
        ScheduleRefused: naming the instalment that is wrong.
    """
    if not instalments:
        raise ScheduleRefused("a promise needs at least one instalment (an amount and a date)")
    seen: set[date] = set()
    for n, (due, amount) in enumerate(instalments, start=1):
        problem = amount_problem(amount)
        if problem:
            raise ScheduleRefused(problem, n)
        if due < today:
            raise ScheduleRefused(f"the date {due} is in the past", n)
        if due in seen:
            raise ScheduleRefused(f"{due} is already the date of another instalment; put "
                                  "both amounts on one", n)
        seen.add(due)
    return [Instalment(due, amount) for due, amount in sorted(instalments)]
