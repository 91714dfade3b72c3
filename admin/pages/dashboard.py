"""The dashboard: what needs a person now (uploads, open PO alerts by level, unallocated
receipts and their age), today's uploads and allocations, and the PO burn-down of the
clients with the most urgent POs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from admin.charts import burndown, colours, series_of
from admin.context import context
from admin.figures import summary
from admin.security import Principal, current
from admin.templating import render

router = APIRouter()
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
    return render(request, "dashboard.html", charts=client_charts(figures["clients"], now),
                  today_date=now.date(), **figures)
