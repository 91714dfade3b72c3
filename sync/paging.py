"""Paging and text search for the read-only views (uploads, POs, cash, audit): one page of
rows with its total, the bounds a caller may ask for, and a ``LIKE`` pattern that matches
the user's text literally."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_PER_PAGE = 200


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[dict[str, Any]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def page_bounds(page: int, per_page: int) -> tuple[int, int]:
    """``(page, per_page)`` brought into range: page 1 or later, 1 to ``MAX_PER_PAGE`` rows."""
    return max(1, page), max(1, min(per_page, MAX_PER_PAGE))


def escape_like(value: str) -> str:
    """``value`` for a ``LIKE … ESCAPE '\\'`` pattern: ``%``, ``_`` and ``\\`` match
    themselves, not any text."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def containing(value: str) -> str:
    """The ``LIKE`` pattern (escape ``\\``) of any text that contains ``value`` as written."""
    return f"%{escape_like(value)}%"
