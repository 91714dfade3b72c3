"""The debtors' dashboard (read only): the book at a glance, from the same functions as the
CLI — receivables and overdue per currency, the ageing of the report currency, count-back DSO
to date and over the last twelve month-ends, the top debtors, credit balances and the
receipts still unallocated."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select

from sync.cash.models import BankEntryRow
from sync.reports import kpis
from sync.reports.ageing_store import ageing, receivables_at
from sync.reports.kpis import Month
from sync.reports.pack import (
    HISTORY_MONTHS,
    countback_to_date,
    sales_by_month,
    top_debtors,
)
from sync.tables import table_of

ENTRIES = table_of(BankEntryRow)


def dso_trend(conn: Connection, as_of: date, currency: str,
              months: int = 12) -> list[tuple[str, float | None]]:
    """Count-back DSO at each of the last ``months`` month-ends before ``as_of``: the
    receivables at all twelve read in one query (not twelve age analyses)."""
    latest = Month(as_of.year, as_of.month).previous()
    first = latest.back(months + HISTORY_MONTHS)[-1].first
    sales = sales_by_month(conn, first, latest.last)
    points: list[tuple[str, float | None]] = []
    ends = list(reversed(latest.back(months)))
    receivables = receivables_at(conn, [m.last for m in ends])
    for m in ends:
        ar = receivables[m.last].get(currency, Decimal(0))
        history = [(x.days, sales.get((str(x), currency), Decimal(0)))
                   for x in m.back(HISTORY_MONTHS)]
        points.append((str(m), float(kpis.dso_countback(ar, history))))
    return points


def overview(conn: Connection, as_of: date, *, currency: str,
             edges: tuple[int, ...] = (30, 60, 90, 120), top: int = 10) -> dict[str, Any]:
    report = ageing(conn, as_of, edges=edges)
    unallocated = conn.execute(select(func.count()).select_from(ENTRIES).where(
        ENTRIES.c.state.in_(("open", "proposed")), ENTRIES.c.amount > 0)).scalar_one()
    totals = report.totals()
    return {"as_of": as_of, "report": report, "currency": currency,
            "receivables": {c: t["total"] for c, t in totals.items()},
            "overdue": report.overdue(),
            "buckets": report.buckets,
            "ageing": [totals.get(currency, {}).get(b, Decimal(0)) for b in report.buckets],
            "dso_countback": countback_to_date(conn, as_of, currency, report),
            "dso_trend": dso_trend(conn, as_of, currency),
            "top": top_debtors(report, currency, top),
            "credit_balances": report.credit_balances,
            "unallocated_receipts": int(unallocated)}
