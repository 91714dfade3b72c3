"""The dunning rules (pure): which items a reminder may name, what is left after credits are
netted, and which level a customer reaches today.

A reminder names only overdue debit items that are not paid (an allocation is on them), not
in dispute and not under an open or kept promise. Credit notes and on-account credits (every
credit item of the currency, due or not) are netted against them first; nothing goes when
the net is zero or below the policy's minimum. Levels are reached one at a time: a customer
at level 1 whose oldest item is 70 days overdue gets level 2 today and level 3 only after the
policy's ``days_between`` — never a skipped level, never the same level twice in a cycle.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from config.collections import Policy

ZERO = Decimal(0)
ItemKey = str  # "company/document/year/line"
Exclusion = Literal["paid", "disputed", "promised"]
Outcome = Literal["remind", "nothing_overdue", "netted", "below_minimum", "waiting",
                  "top_level"]


def item_key(company_code: str, document: str, fiscal_year: int, line: int) -> ItemKey:
    return f"{company_code}/{document}/{fiscal_year}/{line}"


@dataclass(frozen=True, slots=True)
class DueItem:
    key: ItemKey
    currency: str
    amount: Decimal
    due_date: date


@dataclass(slots=True)
class Position:
    """One customer's overdue position per currency, after exclusions and netting."""

    overdue: dict[str, Decimal] = field(default_factory=dict)
    credits: dict[str, Decimal] = field(default_factory=dict)
    oldest_due: dict[str, date] = field(default_factory=dict)
    items: list[ItemKey] = field(default_factory=list)
    excluded: dict[ItemKey, Exclusion] = field(default_factory=dict)

    def net(self, currency: str) -> Decimal:
        return self.overdue.get(currency, ZERO) + self.credits.get(currency, ZERO)

    def net_overdue(self) -> dict[str, Decimal]:
        """The overdue total per currency after credits, where something is left."""
        credits = self.credits
        out = {}
        for currency, overdue in self.overdue.items():
            net = overdue + credits[currency] if currency in credits else overdue
            if net > 0:
                out[currency] = net
        return out


def position(items: list[DueItem], as_of: date,
             excluded: dict[ItemKey, Exclusion] | None = None) -> Position:
    """The overdue position from a customer's open items (credits are negative amounts)."""
    excluded = excluded or {}
    out = Position()
    for item in items:
        if item.amount < 0:
            out.credits[item.currency] = out.credits.get(item.currency, ZERO) + item.amount
            continue
        if item.due_date >= as_of:
            continue
        if item.key in excluded:
            out.excluded[item.key] = excluded[item.key]
            continue
        out.overdue[item.currency] = out.overdue.get(item.currency, ZERO) + item.amount
        oldest = out.oldest_due.get(item.currency)
        out.oldest_due[item.currency] = min(oldest, item.due_date) if oldest else item.due_date
        out.items.append(item.key)
    return out


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    level: int = 0
    amounts: dict[str, Decimal] = field(default_factory=dict)
    why: str = ""


def level_due(policy: Policy, days_overdue: int) -> int:
    """The highest level whose threshold ``days_overdue`` has reached (0: none)."""
    return bisect_right([lv.days for lv in policy.levels], days_overdue)


def decide(policy: Policy, pos: Position, as_of: date, *, current: int,
           reached_on: date | None, raise_pending: bool = False) -> Decision:
    """What today's run does for one customer at level ``current`` of its cycle."""
    if not pos.overdue:
        return Decision("nothing_overdue", why="nothing overdue that may be reminded")
    amounts = pos.net_overdue()
    if not amounts:
        return Decision("netted", why="credits cover everything overdue")
    enough = {c: a for c, a in amounts.items() if a >= policy.minimum.get(c, ZERO)}
    if not enough:
        return Decision("below_minimum", amounts=amounts,
                        why="overdue total below the policy's minimum")
    days = max((as_of - pos.oldest_due[c]).days for c in enough)
    target = level_due(policy, days)
    if raise_pending:
        target = max(target, current + 1)
    if current >= len(policy.levels):
        return Decision("top_level", current, enough, "the last level was reached")
    if target <= current:
        return Decision("waiting", current, enough, f"{days} days overdue: level {current} "
                        "stands until the next threshold")
    if reached_on is not None and not raise_pending \
            and (as_of - reached_on).days < policy.days_between:
        return Decision("waiting", current, enough,
                        f"level {current} was reached on {reached_on}: "
                        f"{policy.days_between} days between levels")
    return Decision("remind", current + 1, enough, f"{days} days overdue")
