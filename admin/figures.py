"""What a page and the JSON API both read: the dashboard's figures, and a page of receipts
with the matcher's suggestions for those still waiting."""

from __future__ import annotations

from datetime import datetime, time, timezone
from typing import Any

from fastapi import Request

from admin.context import context
from connectors.cash import suggestions_for
from sync.cash import summary as cash_summary
from sync.cash import views as cash_view
from sync.po import alerts
from sync.po import view as po_view
from sync.uploads import view as queue_view

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


def receipt_listing(request: Request, chosen: cash_view.ReceiptFilter, page: int, per_page: int
                    ) -> tuple[Any, dict[int, list[dict[str, Any]]]]:
    """A page of receipts and, for those still unallocated, their suggestions."""
    ctx = context(request)
    with ctx.engine.connect() as conn:
        found = cash_view.receipts(conn, chosen, today=ctx.clock().date(), page=page,
                                   per_page=per_page)
        waiting = [r for r in found.rows if r["state"] in ("open", "proposed")]
        suggestions = suggestions_for(conn, waiting) if waiting else {}
    return found, suggestions
