"""The dashboard: what needs a person now (uploads, open PO alerts by level, unallocated
receipts and their age), today's uploads and allocations, and the PO burn-down of the
clients with the most urgent POs."""

from __future__ import annotations

from datetime import datetime, time, timezone
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from admin.charts import burndown, colours, series_of
from admin.security import Principal, context, current
from sync.po import alerts, view as po_view
from sync.cash import summary as cash_summary
from sync.uploads import view as queue_view

router = APIRouter()
BURNDOWN_CLIENTS = 3


def start_of_day(now: datetime) -> datetime:
    return datetime.combine(now.astimezone(timezone.utc).date(), time(0), tzinfo=timezone.utc)


def summary(conn: Any, now: datetime) -> dict[str, Any]:
    """The dashboard's figures (also ``GET /api/dashboard``)."""
    attention = queue_view.attention(conn)
    outcomes, latest = queue_view.attempts_since(conn, start_of_day(now))
    clients = po_view.urgent_clients(conn, clients=BURNDOWN_CLIENTS)
    for client in clients:
        po_view.enrich(conn, client["pos"], now.date())
    return {"attention": attention, "today": outcomes, "latest": latest,
            "alerts": alerts.open_counts(conn), "clients": clients,
            "unallocated": cash_summary.unallocated(conn),
            "allocated": cash_summary.allocated_since(conn, start_of_day(now))}


def client_charts(clients: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """One small SVG per client: a line per PO (its legend beside it)."""
    charts = []
    for i, client in enumerate(clients):
        pos = client["pos"]
        currency = pos[0]["currency"] if pos else ""
        charts.append({**client, "colours": colours(len(pos)), "svg": burndown(
            [series_of(po, now) for po in pos], now=now, currency=currency, width=520,
            height=180, chart_id=f"client-{i}",
            title=f"Remaining on the POs of {client['name']}")})
    return charts


@router.get("/")
def dashboard(request: Request, who: Principal = Depends(current)) -> Response:
    ctx = context(request)
    now = ctx.clock()
    with ctx.engine.connect() as conn:
        figures = summary(conn, now)
    return ctx.render(request, "dashboard.html", charts=client_charts(figures["clients"], now),
                      today_date=now.date(), **figures)
