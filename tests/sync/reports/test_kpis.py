"""KPIs against examples computed by hand (the numbers a credit manager checks)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from sync.reports.kpis import Month, best_possible_dso, cei, dso_countback, dso_standard


def test_count_back_dso_walks_back_month_by_month():
    # AR 250,000; sales Dec 100,000 (31 d), Nov 120,000 (30 d), Oct 90,000 (31 d):
    # Dec 31 days (150,000 left), Nov 30 days (30,000 left), Oct 30,000/90,000 * 31 = 10.33
    assert dso_countback(D(250_000), [(31, D(100_000)), (30, D(120_000)),
                                      (31, D(90_000))]) == D("71.3")


def test_count_back_dso_within_the_first_month_is_a_fraction_of_it():
    assert dso_countback(D(50_000), [(31, D(100_000))]) == D("15.5")


def test_count_back_dso_of_no_receivables_is_zero():
    assert dso_countback(D(0), [(31, D(100_000))]) == D(0)
    assert dso_countback(D(-500), [(31, D(100_000))]) == D(0)


def test_count_back_dso_past_the_history_counts_every_month_given():
    assert dso_countback(D(500_000), [(30, D(100_000)), (31, D(100_000))]) == D("61.0")


def test_standard_and_best_possible_dso():
    # AR 250,000 of which 80,000 not yet due; December's sales 100,000 over 31 days
    assert dso_standard(D(250_000), D(100_000), 31) == D("77.5")
    assert best_possible_dso(D(80_000), D(100_000), 31) == D("24.8")
    assert dso_standard(D(1), D(0), 31) is None


def test_collection_effectiveness_index():
    # opening 200,000 + sales 100,000 - closing 250,000 = 50,000 collected, out of
    # 200,000 + 100,000 - current 80,000 = 220,000 collectable: 22.7 %
    assert cei(D(200_000), D(100_000), D(250_000), D(80_000)) == D("22.7")
    assert cei(D(0), D(0), D(0), D(0)) is None


def test_months_parse_and_walk_back_across_a_year():
    month = Month.parse("2026-02")
    assert (month.days, str(month.previous()), [str(m) for m in month.back(3)]) == (
        28, "2026-01", ["2026-02", "2026-01", "2025-12"])
    with pytest.raises(ValueError, match="YYYY-MM"):
        Month.parse("2026-13")
