"""The worklist's ranking: each part of the score moves a customer up, and the order is
stable."""

from __future__ import annotations

from decimal import Decimal

from config.collections import Strategy
from sync.collections.strategy import Facts, rank

W = Strategy()


def order(*facts: Facts) -> list[str]:
    return [r.facts.customer for r in rank(list(facts), W)]


def test_more_money_older_debt_broken_promises_and_risk_each_rank_higher():
    base = dict(overdue={"ZAR": Decimal("10000")}, days_overdue=30)
    assert order(Facts("small", {"ZAR": Decimal("1000")}, 30),
                 Facts("big", {"ZAR": Decimal("100000")}, 30)) == ["big", "small"]
    assert order(Facts("young", **base), Facts("old", {"ZAR": Decimal("10000")}, 200)) == \
        ["old", "young"]
    assert order(Facts("kept", **base), Facts("broke", **base, broken_promises=1)) == \
        ["broke", "kept"]
    assert order(Facts("a", **base, risk="A"), Facts("c", **base, risk="C")) == ["c", "a"]
    assert order(Facts("x", **base), Facts("callback", **base, call_back_due=True))[0] == \
        "callback"


def test_foreign_currency_is_weighed_not_taken_at_face_value():
    assert order(Facts("yen", {"JPY": Decimal("500000")}, 30),
                 Facts("rand", {"ZAR": Decimal("200000")}, 30)) == ["rand", "yen"]


def test_the_why_names_the_parts():
    why = rank([Facts("c", {"ZAR": Decimal("5000")}, 60, broken_promises=2)], W)[0].why
    assert "amount overdue" in why and "broken promises 30" in why and "age 2.0" in why


def test_ties_break_by_age_then_number():
    same = dict(overdue={"ZAR": Decimal("100")}, days_overdue=10)
    assert order(Facts("0002", **same), Facts("0001", **same)) == ["0001", "0002"]
