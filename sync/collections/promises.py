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


def schedule(instalments: list[tuple[date, Decimal]], today: date) -> list[Instalment]:
    """A promise (one instalment) or a payment arrangement (several) as a collector enters
    it, checked: each amount above zero, no date in the past, no date twice; in date order.

    Raises:
        ValueError: naming the instalment that is wrong.
    """
    if not instalments:
        raise ValueError("a promise needs at least one instalment (an amount and a date)")
    seen: set[date] = set()
    for n, (due, amount) in enumerate(instalments, start=1):
        if amount <= 0:
            raise ValueError(f"instalment {n}: the amount {amount} must be above zero")
        if due < today:
            raise ValueError(f"instalment {n}: the date {due} is in the past")
        if due in seen:
            raise ValueError(f"instalment {n}: {due} is already the date of another "
                             "instalment; put both amounts on one")
        seen.add(due)
    return [Instalment(due, amount) for due, amount in sorted(instalments)]
