"""Age buckets: the boundaries a debtors clerk checks first, and the store's date thresholds
agreeing with the day count for every day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sync.reports.buckets import BucketError, bucket_names, bucket_of, date_bounds, days_past

AS_OF = date(2026, 12, 5)


@pytest.mark.parametrize(("due_days_ago", "bucket"), [
    (-10, "current"), (0, "current"), (1, "1-30"), (30, "1-30"), (31, "31-60"), (60, "31-60"),
    (61, "61-90"), (90, "61-90"), (91, "91-120"), (120, "91-120"), (121, "120+"),
    (2000, "120+")])
def test_an_item_due_exactly_thirty_days_ago_is_in_1_to_30(due_days_ago, bucket):
    due = AS_OF - timedelta(days=due_days_ago)
    assert bucket_of(days_past(AS_OF, due, date(2020, 1, 1), "due")) == bucket


def test_document_basis_ages_from_the_document_date_not_the_due_date():
    days = days_past(AS_OF, due=AS_OF, document=AS_OF - timedelta(days=45), basis="document")
    assert bucket_of(days) == "31-60"


def test_configured_edges_name_their_buckets():
    assert bucket_names((15, 45)) == ["current", "1-15", "16-45", "45+"]
    assert bucket_of(46, (15, 45)) == "45+"


@pytest.mark.parametrize("edges", [(), (30, 30), (60, 30), (0, 30), (-5,)])
def test_edges_that_do_not_rise_are_refused(edges):
    with pytest.raises(BucketError, match="rising"):
        bucket_names(edges)


@pytest.mark.parametrize("edges", [(30, 60, 90, 120), (7,), (1, 2, 3), (15, 45, 365)])
def test_date_thresholds_agree_with_the_day_count_for_every_day(edges):
    bounds = date_bounds(AS_OF, edges)
    for offset in range(-40, 500):
        due = AS_OF - timedelta(days=offset)
        by_dates = next(b.name for b in bounds if b.earliest is None or due >= b.earliest)
        assert by_dates == bucket_of(offset, edges), offset
