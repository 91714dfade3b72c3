"""Characterisation of the upload runner's outcome -> store change mapping, as it was in
``portals/runner.py``'s ``_record`` before the split: the PO reservation is settled only
when the invoice is on the portal, and each outcome moves the upload where a person or the
next run expects it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from sync.uploads.outcomes import (
    PDF_WAIT,
    StoreChange,
    recorded_outcome,
    store_change,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("outcome", ["submitted", "found"])
def test_an_invoice_on_the_portal_settles_its_reservation_and_is_submitted(outcome):
    change = store_change(outcome, "confirmation 123", now=NOW)
    assert change == StoreChange("settle", "submitted", None)
    assert recorded_outcome(outcome, change, None) == outcome


@pytest.mark.parametrize("outcome", ["held", "failed"])
def test_a_held_or_failed_invoice_drops_its_reservation_and_keeps_the_reason(outcome):
    change = store_change(outcome, "PO 4500 has 10.00 ZAR left", now=NOW)
    assert change == StoreChange("drop", outcome, "PO 4500 has 10.00 ZAR left")
    assert change.next_attempt_at is None and not change.retry
    assert recorded_outcome(outcome, change, None) == outcome


def test_a_missing_pdf_is_asked_for_again_in_fifteen_minutes_without_a_retry():
    change = store_change("waiting", "no PDF for 0090000001 yet", now=NOW)
    assert PDF_WAIT == timedelta(minutes=15)
    assert change == StoreChange("drop", "ready", "no PDF for 0090000001 yet",
                                 next_attempt_at=NOW + timedelta(minutes=15))
    assert recorded_outcome("waiting", change, None) == "waiting"


def test_a_technical_failure_goes_through_retry_later_and_counts_as_retry_or_failed():
    change = store_change("retry", "portal page slow", now=NOW)
    assert change.retry and change.reservation == "drop"
    assert recorded_outcome("retry", change, "ready") == "retry"
    assert recorded_outcome("retry", change, "failed") == "failed"


def test_an_unknown_outcome_is_treated_as_a_technical_failure():
    change = store_change("something new", "?", now=NOW)
    assert change.retry and change.reservation == "drop"
