"""The burn-down SVG (pure): a step line through the balance reads, dashed to zero at the
forecast run-out, named for screen readers, and every text from portals escaped."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from admin.charts import Series, burndown, series_of
from sync.po.forecast import Forecast

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)


def test_a_step_line_through_the_reads_then_dashed_to_zero_at_the_run_out():
    svg = burndown([Series("PO-1", [(NOW - timedelta(days=20), Decimal("1000")),
                                    (NOW - timedelta(days=10), Decimal("600")),
                                    (NOW, Decimal("400"))], runout=date(2026, 12, 25))],
                   now=NOW, title="PO-1", currency="ZAR")
    points = re.search(r'<polyline[^>]*points="([^"]+)"', svg).group(1).split()
    assert len(points) == 5  # first read, then a step (flat, down) at each later read
    assert points[1].split(",")[1] == points[0].split(",")[1]  # flat until the next read
    assert 'stroke-dasharray="6 4"' in svg  # the forecast
    assert "forecast to run out on 2026-12-25" in svg and 'role="img"' in svg
    assert "2026-11-05" in svg and "2026-12-25" in svg  # the time axis


def test_portal_text_is_escaped_and_no_forecast_is_drawn_for_a_closed_po():
    attack = '<script>alert(1)</script>'
    po = {"number": attack, "remaining": Decimal("10.00"), "usable": False,
          "history": [{"read_at": NOW - timedelta(days=3), "remaining": Decimal("10.00")}],
          "forecast": Forecast(basis="po", monthly_rate=Decimal("5"),
                               runout=date(2026, 12, 1))}
    svg = burndown([series_of(po, NOW)], now=NOW, title=f"PO {attack}", currency="ZAR")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "stroke-dasharray=\"6 4\"" not in svg


def test_no_reads_is_said_in_words():
    svg = burndown([], now=NOW, title="nothing")
    assert "No balance reads yet." in svg and "<polyline" not in svg
