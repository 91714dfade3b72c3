"""The management pack read from the store for one month: the KPIs in the report currency
(formulas in :mod:`sync.reports.kpis`), collected against due per currency, the Top N
debtors with their ageing, receipts unallocated by age, credit balances, portal upload
performance and PO alerts raised and resolved."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, func, select

from sync.cash.models import BankEntryRow
from sync.mirror.models import BillingDocumentRow, ClearedItemRow, OpenItemRow
from sync.po.models import PoAlertRow
from sync.reports import kpis
from sync.reports.ageing import Ageing, money_text
from sync.reports.ageing_store import _decimal, ageing, exact_sum, receivables_at
from sync.reports.kpis import Month
from sync.tables import table_of
from sync.uploads.models import PortalUploadRow

DOCS = table_of(BillingDocumentRow)
OPEN = table_of(OpenItemRow)
CLEARED = table_of(ClearedItemRow)
ENTRIES = table_of(BankEntryRow)
UPLOADS = table_of(PortalUploadRow)
ALERTS = table_of(PoAlertRow)
CANCELLATIONS = ("S1", "S2")
CREDIT_MEMOS = ("G2", "RE")
HISTORY_MONTHS = 12
RECEIPT_AGES = ((7, "0-7"), (30, "8-30"), (60, "31-60"))


def sales_by_month(conn: Connection, first: date, last: date) -> dict[tuple[str, str], Decimal]:
    """Credit sales (gross) per (YYYY-MM, currency): invoices less credit memos, cancelled
    and cancellation documents left out."""
    rows = conn.execute(select(DOCS.c.billing_date, DOCS.c.doc_type, DOCS.c.currency,
                               DOCS.c.gross).where(
        DOCS.c.billing_date >= first, DOCS.c.billing_date <= last,
        DOCS.c.cancelled.is_(False), DOCS.c.doc_type.not_in(CANCELLATIONS)))
    out: dict[tuple[str, str], Decimal] = defaultdict(lambda: Decimal(0))
    for day, doc_type, currency, gross in rows:
        sign = -1 if doc_type in CREDIT_MEMOS else 1
        out[(day.strftime("%Y-%m"), currency)] += sign * Decimal(gross)
    return out


def _receivables(report: Ageing, currency: str) -> tuple[Decimal, Decimal]:
    totals = report.totals().get(currency)
    if not totals:
        return Decimal(0), Decimal(0)
    return totals["total"], totals["current"]


def dso_figures(conn: Connection, month: Month, currency: str, sales: dict,
                edges: tuple[int, ...]) -> dict[str, Decimal | None]:
    closing = ageing(conn, month.last, edges=edges)
    opening = ageing(conn, month.previous().last, edges=edges)
    ar, current = _receivables(closing, currency)
    ar_open, _ = _receivables(opening, currency)
    month_sales = sales.get((str(month), currency), Decimal(0))
    history = [(m.days, sales.get((str(m), currency), Decimal(0)))
               for m in month.back(HISTORY_MONTHS)]
    standard = kpis.dso_standard(ar, month_sales, month.days)
    best = kpis.best_possible_dso(current, month_sales, month.days)
    return {"dso_countback": kpis.dso_countback(ar, history), "dso_standard": standard,
            "best_possible_dso": best,
            "average_days_delinquent": None if standard is None or best is None
            else standard - best,
            "cei": kpis.cei(ar_open, month_sales, ar, current)}


def collected_and_due(conn: Connection, month: Month) -> tuple[dict[str, str], dict[str, str]]:
    """Per currency: receivables (debit items) cleared in the month, and those falling due in
    it (open now or cleared since)."""
    dialect = conn.dialect.name
    collected = {c: _decimal(v, dialect) for c, v in conn.execute(
        select(CLEARED.c.currency, exact_sum(CLEARED.c.amount, dialect)).where(
            CLEARED.c.amount > 0, CLEARED.c.clearing_date >= month.first,
            CLEARED.c.clearing_date <= month.last).group_by(CLEARED.c.currency))}
    due: dict[str, Decimal] = defaultdict(lambda: Decimal(0))
    for table in (OPEN, CLEARED):
        for c, v in conn.execute(select(table.c.currency, exact_sum(table.c.amount, dialect))
                                 .where(table.c.amount > 0, table.c.due_date >= month.first,
                                        table.c.due_date <= month.last)
                                 .group_by(table.c.currency)):
            due[c] += _decimal(v, dialect)
    return ({c: money_text(v, c) for c, v in sorted(collected.items())},
            {c: money_text(v, c) for c, v in sorted(due.items())})


def unallocated_by_age(conn: Connection, as_of: date) -> dict[str, dict[str, str]]:
    """Receipts not yet allocated (open or only proposed) booked by ``as_of``, by age."""
    out: dict[str, dict[str, Decimal]] = {}
    names = [n for _, n in RECEIPT_AGES] + [f"{RECEIPT_AGES[-1][0]}+"]
    for currency, booked, amount in conn.execute(
            select(ENTRIES.c.currency, ENTRIES.c.booking_date, ENTRIES.c.amount).where(
                ENTRIES.c.state.in_(("open", "proposed")), ENTRIES.c.amount > 0,
                ENTRIES.c.booking_date <= as_of)):
        age = (as_of - booked).days
        name = next((n for limit, n in RECEIPT_AGES if age <= limit), names[-1])
        sums = out.setdefault(currency, dict.fromkeys(names, Decimal(0)))
        sums[name] += Decimal(amount)
    return {c: {k: money_text(v, c) for k, v in s.items()} for c, s in sorted(out.items())}


def _between(column: Any, month: Month) -> Any:
    start = datetime.combine(month.first, time(), tzinfo=timezone.utc)
    end = datetime.combine(month.last + timedelta(days=1), time(), tzinfo=timezone.utc)
    return and_(column >= start, column < end)


def uploads_in(conn: Connection, month: Month) -> dict[str, int]:
    """Invoices queued in the month by where they stand now."""
    rows = conn.execute(select(UPLOADS.c.state, func.count()).where(
        _between(UPLOADS.c.created_at, month)).group_by(UPLOADS.c.state))
    return dict(sorted((state, int(n)) for state, n in rows))


def alerts_in(conn: Connection, month: Month) -> dict[str, int]:
    raised = conn.execute(select(func.count()).select_from(ALERTS).where(
        _between(ALERTS.c.opened_at, month))).scalar_one()
    resolved = conn.execute(select(func.count()).select_from(ALERTS).where(
        _between(ALERTS.c.closed_at, month))).scalar_one()
    return {"raised": int(raised), "resolved": int(resolved)}


def top_debtors(report: Ageing, currency: str, n: int) -> list[dict[str, Any]]:
    lines = sorted((ln for ln in report.lines if ln.currency == currency),
                   key=lambda ln: ln.total, reverse=True)[:n]
    return [{"rank": i, "customer": ln.customer, "name": ln.name, "currency": currency,
             "total": money_text(ln.total, currency), "overdue": money_text(ln.overdue, currency),
             "buckets": {k: money_text(v, currency) for k, v in ln.buckets.items()},
             "commentary": ln.commentary} for i, ln in enumerate(lines, start=1)]


def management_pack(conn: Connection, month: Month, *, currency: str, targets: dict,
                    edges: tuple[int, ...] = (30, 60, 90, 120), top: int = 10,
                    trend_months: int = 12) -> dict[str, Any]:
    """Everything ``report kpis --json`` and the management workbook show, for ``month``."""
    first = month.back(HISTORY_MONTHS + trend_months)[-1].first
    sales = sales_by_month(conn, first, month.last)
    figures = dso_figures(conn, month, currency, sales, edges)
    closing = ageing(conn, month.last, edges=edges)
    collected, due = collected_and_due(conn, month)
    trend = []
    months = list(reversed(month.back(trend_months)))
    receivables = receivables_at(conn, [m.last for m in months])
    for m in months:
        ar = receivables[m.last].get(currency, Decimal(0))
        history = [(x.days, sales.get((str(x), currency), Decimal(0)))
                   for x in m.back(HISTORY_MONTHS)]
        trend.append({"month": str(m), "dso_countback": _num(kpis.dso_countback(ar, history)),
                      "receivables": money_text(ar, currency)})
    return {
        "month": str(month), "currency": currency, "as_of": month.last.isoformat(),
        **{k: _num(v) for k, v in figures.items()},
        "targets": {k: _num(Decimal(v)) for k, v in targets.items()},
        "variance": {k: _num(kpis.variance(figures.get(k), Decimal(v)))
                     for k, v in targets.items()},
        "sales": money_text(sales.get((str(month), currency), Decimal(0)), currency),
        "collected": collected, "due": due,
        "top": top_debtors(closing, currency, top),
        "top60": top_debtors(closing, currency, 60),
        "ageing": closing.as_json()["totals"],
        "credit_balances": len(closing.credit_balances),
        "unallocated_receipts": unallocated_by_age(conn, month.last),
        "uploads": uploads_in(conn, month), "po_alerts": alerts_in(conn, month),
        "dso_trend": trend,
    }


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def dso_countback_at(conn: Connection, as_of: date, currency: str,
                     edges: tuple[int, ...] = (30, 60, 90, 120)) -> float | None:
    """Count-back DSO to date: the receivables at ``as_of`` walked back through this month's
    sales so far (its days so far), then the whole months before."""
    return countback_to_date(conn, as_of, currency, ageing(conn, as_of, edges=edges))


def countback_to_date(conn: Connection, as_of: date, currency: str,
                      report: Ageing) -> float | None:
    """:func:`dso_countback_at` from an age analysis as at ``as_of`` already made."""
    month = Month(as_of.year, as_of.month)
    sales = sales_by_month(conn, month.back(HISTORY_MONTHS)[-1].first, as_of)
    ar, _ = _receivables(report, currency)
    history = [(as_of.day, sales.get((str(month), currency), Decimal(0)))]
    history += [(m.days, sales.get((str(m), currency), Decimal(0)))
                for m in month.back(HISTORY_MONTHS)[1:]]
    return _num(kpis.dso_countback(ar, history))
