"""The debtors' dashboard's charts as server-rendered SVG: the ageing as bars (one currency)
and count-back DSO over twelve months as a line. Every text is escaped; colours are SVG
attributes (the page's Content-Security-Policy forbids inline styles)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT, PAD = 560, 220, 40
BAR = "#1f5fa8"
LINE = "#b34700"


def ageing_bars(buckets: Sequence[str], amounts: Sequence[Decimal], *, currency: str) -> Markup:
    top = max([abs(a) for a in amounts] + [Decimal(1)])
    step = (WIDTH - 2 * PAD) / max(len(buckets), 1)
    parts = [f'<svg role="img" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
             f'aria-labelledby="ageing-title"><title id="ageing-title">Receivables by age '
             f'bucket, {escape(currency)}</title>']
    base = HEIGHT - PAD
    for i, (name, amount) in enumerate(zip(buckets, amounts, strict=True)):
        height = float(abs(amount) / top) * (HEIGHT - 2 * PAD)
        x = PAD + i * step + step * 0.15
        y = base - height if amount >= 0 else base
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" '
                     f'height="{height:.1f}" fill="{BAR}"><title>{escape(name)}: '
                     f'{escape(currency)} {amount:,.2f}</title></rect>')
        parts.append(f'<text x="{x + step * 0.35:.1f}" y="{HEIGHT - PAD / 2:.1f}" '
                     f'text-anchor="middle" font-size="11">{escape(name)}</text>')
    parts.append(f'<line x1="{PAD}" y1="{base}" x2="{WIDTH - PAD}" y2="{base}" stroke="#555"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def dso_line(points: Sequence[tuple[str, float | None]]) -> Markup:
    known = [v for _, v in points if v is not None]
    top = max(known + [1.0])
    step = (WIDTH - 2 * PAD) / max(len(points) - 1, 1)
    coords = [(PAD + i * step, HEIGHT - PAD - (v / top) * (HEIGHT - 2 * PAD))
              for i, (_, v) in enumerate(points) if v is not None]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    parts = [f'<svg role="img" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
             'aria-labelledby="dso-title"><title id="dso-title">Count-back DSO, days, over the '
             'last twelve months</title>',
             f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>']
    for (month, value), (x, y) in zip([p for p in points if p[1] is not None], coords,
                                      strict=True):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{LINE}"><title>'
                     f'{escape(month)}: {value} days</title></circle>')
    for i, (month, _) in enumerate(points):
        if i % 2 == 0:
            parts.append(f'<text x="{PAD + i * step:.1f}" y="{HEIGHT - PAD / 2:.1f}" '
                         f'text-anchor="middle" font-size="10">{escape(month)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
