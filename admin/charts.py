"""Burn-down charts as server-rendered SVG (no chart library, nothing from the internet).

A line per PO: its remaining balance at every balance read, held flat between reads (a step
line) up to now, then dashed to zero at the forecast run-out when there is one. Colours are
SVG presentation attributes, which the page's Content-Security-Policy allows (inline
``style`` would not be). Every text is escaped here: PO numbers and client names come from
portals and SAP.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from html import escape

from markupsafe import Markup

PALETTE = ("#1f5fa8", "#b34700", "#2e7d32", "#6a3d9a")
MAX_HORIZON = timedelta(days=366)
LEFT, RIGHT, TOP, BOTTOM = 96, 16, 12, 28


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    points: Sequence[tuple[datetime, Decimal]]  # (read at, remaining), oldest first
    runout: date | None = None
    colour: str = field(default="")


def series_of(po: dict, now: datetime) -> Series:
    """A ledger row with ``history`` (and ``forecast`` when known) as a chart line; the
    forecast is drawn only for a PO that can still take invoices."""
    points = [(p["read_at"], Decimal(p["remaining"])) for p in po.get("history", [])]
    points.append((now, Decimal(po["remaining"])))  # what was sent since the last read
    forecast = po.get("forecast")
    runout = forecast.runout if forecast is not None and forecast.known else None
    if not po.get("usable", True):  # closed or expired: it takes no more invoices
        runout = None
    return Series(label=po["number"], points=points, runout=runout)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=timezone.utc)


def _money(value: Decimal) -> str:
    return f"{value:,.0f}".replace(",", "\u202f")


def burndown(series: Sequence[Series], *, now: datetime, title: str, currency: str = "",
             width: int = 640, height: int = 220, chart_id: str = "chart") -> Markup:
    """An accessible SVG (``role="img"`` named by its title and a text description)."""
    lines = [s for s in series if s.points]
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    start = min((s.points[0][0] for s in lines), default=now - timedelta(days=30))
    ends = [_at(s.runout) for s in lines if s.runout]
    end = min(max([now, *ends]), now + MAX_HORIZON)
    if end <= start:
        end = start + timedelta(days=1)
    top = max((v for s in lines for _, v in s.points), default=Decimal(0))
    top = top if top > 0 else Decimal(1)
    span = (end - start).total_seconds()

    def x(at: datetime) -> float:
        at = min(max(at, start), end)
        return round(LEFT + plot_w * (at - start).total_seconds() / span, 1)

    def y(value: Decimal) -> float:
        value = min(max(value, Decimal(0)), top)
        return round(TOP + plot_h * float(1 - value / top), 1)

    parts = [f'<svg class="burndown" xmlns="http://www.w3.org/2000/svg" role="img" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'aria-labelledby="{chart_id}-t {chart_id}-d">',
             f'<title id="{chart_id}-t">{escape(title)}</title>',
             f'<desc id="{chart_id}-d">{escape(_describe(lines, currency))}</desc>']
    for value in (Decimal(0), top / 2, top):  # the value axis
        parts.append(f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{y(value)}" y2="{y(value)}" '
                     'stroke="#d0d4d9" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(value) + 4}" text-anchor="end" '
                     f'font-size="11" fill="#3b4148">{escape(_money(value))}</text>')
    for at, anchor in ((start, "start"), (now, "middle"), (end, "end")):  # the time axis
        if at == now and (x(now) - LEFT < 70 or width - RIGHT - x(now) < 70):
            continue
        label = "today" if at == now else at.date().isoformat()
        parts.append(f'<text x="{x(at)}" y="{height - 8}" text-anchor="{anchor}" '
                     f'font-size="11" fill="#3b4148">{label}</text>')
    parts.append(f'<line x1="{x(now)}" x2="{x(now)}" y1="{TOP}" y2="{TOP + plot_h}" '
                 'stroke="#8a939c" stroke-width="1" stroke-dasharray="2 3"/>')
    for i, s in enumerate(lines):
        colour = s.colour or PALETTE[i % len(PALETTE)]
        steps = [s.points[0]]
        for (_, before), (at, value) in zip(s.points, s.points[1:], strict=False):
            steps += [(at, before), (at, value)]
        path = " ".join(f"{x(at)},{y(v)}" for at, v in steps)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                     f'points="{path}"><title>{escape(s.label)}</title></polyline>')
        if s.runout is not None and s.points[-1][1] > 0:
            last_x, last_y = x(s.points[-1][0]), y(s.points[-1][1])
            parts.append(f'<line x1="{last_x}" y1="{last_y}" x2="{x(_at(s.runout))}" '
                         f'y2="{y(Decimal(0))}" stroke="{colour}" stroke-width="2" '
                         'stroke-dasharray="6 4"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _describe(lines: Sequence[Series], currency: str) -> str:
    if not lines:
        return "No balance reads yet."
    said = []
    for s in lines:
        first, last = s.points[0][1], s.points[-1][1]
        text = (f"{s.label}: {_money(first)} {currency} remaining on "
                f"{s.points[0][0].date().isoformat()}, {_money(last)} {currency} now")
        if s.runout:
            text += f", forecast to run out on {s.runout.isoformat()}"
        said.append(text)
    return "; ".join(said) + "."


def colours(count: int) -> list[str]:
    return [PALETTE[i % len(PALETTE)] for i in range(count)]
