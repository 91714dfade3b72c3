"""The dunning rules, table by table: what a reminder may name, netting, the minimum, and the
level reached (never skipped, never repeated)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from config.collections import Level, Policy
from sync.collections.policy import DueItem, decide, level_due, position

TODAY = date(2026, 12, 5)
POLICY = Policy(levels=[Level(days=7), Level(days=30, template="firm"),
                        Level(days=60, channel="letter", template="final")],
                minimum={"ZAR": Decimal("100")}, days_between=7)


def item(key: str, amount: str, days_overdue: int, currency: str = "ZAR") -> DueItem:
    return DueItem(key, currency, Decimal(amount), TODAY - timedelta(days=days_overdue))


@pytest.mark.parametrize(("name", "items", "excluded", "outcome", "amounts"), [
    ("overdue invoice is reminded", [item("a", "500", 10)], {}, "remind", {"ZAR": "500"}),
    ("item in dispute is never reminded", [item("a", "500", 10)], {"a": "disputed"},
     "nothing_overdue", {}),
    ("item under a promise is never reminded", [item("a", "500", 10)], {"a": "promised"},
     "nothing_overdue", {}),
    ("paid item (allocation posted) leaves the run", [item("a", "500", 10)], {"a": "paid"},
     "nothing_overdue", {}),
    ("credit note nets the invoice to zero", [item("a", "500", 10), item("cn", "-500", -5)],
     {}, "netted", {}),
    ("on-account credit nets more than the invoice", [item("a", "500", 10),
                                                       item("pay", "-800", 0)], {}, "netted",
     {}),
    ("a partial credit leaves the rest", [item("a", "500", 10), item("cn", "-150", 0)], {},
     "remind", {"ZAR": "350"}),
    ("net below the minimum is not reminded", [item("a", "500", 10), item("cn", "-450", 0)],
     {}, "below_minimum", {"ZAR": "50"}),
    ("exactly the minimum is reminded", [item("a", "100", 10)], {}, "remind", {"ZAR": "100"}),
    ("not yet due is not overdue", [item("a", "500", 0)], {}, "nothing_overdue", {}),
    ("a credit in another currency nets nothing", [item("a", "500", 10),
                                                    item("cn", "-500", 0, "USD")], {},
     "remind", {"ZAR": "500"}),
    ("a disputed item does not count towards the minimum",
     [item("a", "90", 10), item("b", "400", 10)], {"b": "disputed"}, "below_minimum",
     {"ZAR": "90"}),
])
def test_what_a_reminder_may_name(name, items, excluded, outcome, amounts):
    decision = decide(POLICY, position(items, TODAY, excluded), TODAY, current=0,
                      reached_on=None)
    assert decision.outcome == outcome, name
    assert {c: str(a) for c, a in decision.amounts.items()} == amounts, name


@pytest.mark.parametrize(("days", "current", "reached_ago", "raise_pending", "outcome",
                          "level"), [
    (6, 0, None, False, "waiting", 0),
    (7, 0, None, False, "remind", 1),
    (75, 0, None, False, "remind", 1),          # never skipped: 1 before 2 and 3
    (75, 1, 7, False, "remind", 2),
    (75, 1, 6, False, "waiting", 1),            # days between levels
    (75, 2, 30, False, "remind", 3),
    (75, 3, 30, False, "top_level", 3),
    (20, 1, 30, False, "waiting", 1),           # level 1 stands until 30 days
    (20, 1, 0, True, "remind", 2),              # a broken promise raises the level at once
    (8, 0, None, True, "remind", 1),
])
def test_levels_are_reached_one_at_a_time(days, current, reached_ago, raise_pending, outcome,
                                          level):
    reached = TODAY - timedelta(days=reached_ago) if reached_ago is not None else None
    decision = decide(POLICY, position([item("a", "500", days)], TODAY), TODAY,
                      current=current, reached_on=reached, raise_pending=raise_pending)
    assert (decision.outcome, decision.level) == (outcome, level)


def test_level_due_counts_thresholds_reached():
    assert [level_due(POLICY, d) for d in (0, 6, 7, 29, 30, 59, 60, 400)] == \
        [0, 0, 1, 1, 2, 2, 3, 3]


def test_policy_days_must_rise():
    with pytest.raises(ValueError, match="must rise"):
        Policy(levels=[Level(days=30), Level(days=7)])
