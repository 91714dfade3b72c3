"""The debtors' book in ``arbridge demo``: the age analysis written as Excel under the home,
the day's statements rendered and e-mailed into the outbox (never twice), and the figures of
the ``reports`` section of ``--json``."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from config.settings import Settings
    from sync.store import Store


def book_demo(settings: Settings, store: Store) -> tuple[dict[str, Any], int]:
    """The ``reports`` section, and how many statements this run sent."""
    from connectors.reports.ageing_xlsx import write_ageing
    from connectors.reports.book import ledger_today
    from connectors.reports.statement_run import run_statements
    from sync.reports.ageing import money_text
    from sync.reports.ageing_store import ageing
    from sync.reports.pack import dso_countback_at
    from sync.reports.statements import counts

    edges = tuple(settings.reports.ageing_edges)
    with store.engine.connect() as conn:
        as_of = ledger_today(conn)
        report = ageing(conn, as_of, basis=settings.reports.ageing_basis, edges=edges)
        dso = dso_countback_at(conn, as_of, settings.reports.currency, edges)
    write_ageing(report, settings.home / "reports" / f"ageing-{as_of.isoformat()}.xlsx")
    run = run_statements(store.engine, settings.reports.statements, settings.home,
                         schedule="daily", as_of=as_of, now=datetime.now(timezone.utc),
                         send=True, edges=edges)
    with store.engine.connect() as conn:
        on_record = counts(conn)
    return {"ageing_total": {c: money_text(t["total"], c) for c, t in report.totals().items()},
            "overdue": {c: money_text(v, c) for c, v in report.overdue().items()},
            "credit_balances": len(report.credit_balances), "statements": on_record,
            "dso_countback": dso}, run.sent


def book_line(reports: dict[str, Any], sent_now: int) -> str:
    totals = ", ".join(f"{c} {v}" for c, v in reports["ageing_total"].items())
    return (f"debtors' book: receivables {totals}; {reports['credit_balances']} credit "
            f"balances; count-back DSO {reports['dso_countback']} days; "
            f"{sent_now} statements sent now, {reports['statements']} "
            "on record (arbridge report ageing, arbridge report statements)")
