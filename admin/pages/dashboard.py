"""The dashboard: what needs a person now, and today's uploads."""

from __future__ import annotations

from datetime import datetime, time, timezone
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from admin.security import Principal, context, current
from sync import queue_view

router = APIRouter()


def start_of_day(now: datetime) -> datetime:
    return datetime.combine(now.astimezone(timezone.utc).date(), time(0), tzinfo=timezone.utc)


def summary(conn: Any, now: datetime) -> dict[str, Any]:
    """The dashboard's figures (also ``GET /api/dashboard``)."""
    attention = queue_view.attention(conn)
    outcomes, latest = queue_view.attempts_since(conn, start_of_day(now))
    return {"attention": attention, "today": outcomes, "latest": latest}


@router.get("/")
def dashboard(request: Request, who: Principal = Depends(current)) -> Response:
    ctx = context(request)
    with ctx.engine.connect() as conn:
        figures = summary(conn, ctx.clock())
    return ctx.render(request, "dashboard.html", **figures)
