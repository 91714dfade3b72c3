"""Age buckets (pure): which bucket an item falls in as at a date, by net due date or by
document date, with configurable edges.

With the default edges ``(30, 60, 90, 120)`` the buckets are ``current`` (not yet overdue:
0 days or fewer), ``1-30``, ``31-60``, ``61-90``, ``91-120`` and ``120+``. An item due exactly
30 days before the key date is 30 days overdue and falls in ``1-30``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Basis = Literal["due", "document"]
DEFAULT_EDGES: tuple[int, ...] = (30, 60, 90, 120)
CURRENT = "current"


class BucketError(ValueError):
    """Bucket edges that cannot define buckets (not rising, not positive)."""


def check_edges(edges: tuple[int, ...]) -> tuple[int, ...]:
    if not edges or any(e <= 0 for e in edges) or list(edges) != sorted(set(edges)):
        raise BucketError(f"bucket edges {list(edges)} must be positive whole days, rising "
                          "(for example 30, 60, 90, 120)")
    return edges


def bucket_names(edges: tuple[int, ...] = DEFAULT_EDGES) -> list[str]:
    """``current``, then ``1-30``, ``31-60`` … and ``N+`` past the last edge."""
    check_edges(edges)
    names, low = [CURRENT], 1
    for edge in edges:
        names.append(f"{low}-{edge}")
        low = edge + 1
    names.append(f"{edges[-1]}+")
    return names


def days_past(as_of: date, due: date, document: date, basis: Basis) -> int:
    """Days overdue (basis ``due``) or days since the document date (basis ``document``)."""
    return (as_of - (due if basis == "due" else document)).days


def bucket_of(days: int, edges: tuple[int, ...] = DEFAULT_EDGES) -> str:
    names = bucket_names(edges)
    if days <= 0:
        return CURRENT
    for name, edge in zip(names[1:], edges, strict=False):
        if days <= edge:
            return name
    return names[-1]


@dataclass(frozen=True, slots=True)
class Bound:
    """A bucket as dates: the items whose reference date (due or document) is on or after
    ``earliest`` (no lower limit when ``None``) fall in ``name``, checked in order."""

    name: str
    earliest: date | None


def date_bounds(as_of: date, edges: tuple[int, ...] = DEFAULT_EDGES) -> list[Bound]:
    """The buckets as thresholds on the reference date, newest first, so that a store can
    bucket with plain date comparisons (``CASE WHEN due >= …``) on SQLite and PostgreSQL
    alike; :func:`bucket_of` and these agree for every day (tested)."""
    names = bucket_names(edges)
    bounds = [Bound(CURRENT, as_of)]
    for name, edge in zip(names[1:], edges, strict=False):
        bounds.append(Bound(name, as_of - timedelta(days=edge)))
    bounds.append(Bound(names[-1], None))
    return bounds
