"""The layout breaker: N consecutive "page changed" failures stop a portal, once."""

from __future__ import annotations

import pytest

from portals.breaker import LayoutBreaker


def test_three_page_changes_in_a_row_open_the_breaker_once():
    breaker = LayoutBreaker(threshold=3)
    assert [breaker.layout_changed("coupa", d) for d in ("1", "2", "3", "4")] == [
        False, False, True, False]
    assert breaker.is_open("coupa") and not breaker.is_open("ariba")
    assert "1, 2, 3" in breaker.message("coupa") and "left the rest queued" in breaker.message(
        "coupa")


def test_another_outcome_between_page_changes_starts_the_count_again():
    breaker = LayoutBreaker(threshold=2)
    breaker.layout_changed("coupa", "1")
    breaker.succeeded("coupa")
    assert breaker.layout_changed("coupa", "2") is False
    assert breaker.layout_changed("coupa", "3") is True
    assert "2, 3" in breaker.message("coupa") and "1," not in breaker.message("coupa")


def test_portals_are_counted_apart():
    breaker = LayoutBreaker(threshold=2)
    breaker.layout_changed("coupa", "1")
    breaker.layout_changed("ariba", "2")
    assert not breaker.is_open("coupa") and not breaker.is_open("ariba")


def test_a_threshold_below_one_is_refused():
    with pytest.raises(ValueError):
        LayoutBreaker(threshold=0)
