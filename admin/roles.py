"""Who may do what (pure). Viewers look; billing acts on PO alerts and POs; administrators do
everything. Page areas ask for a permission, never for a role by name."""

from __future__ import annotations

from typing import Literal

Permission = Literal["uploads.act", "alerts.act", "pos.act", "receipts.act", "book.act"]

PERMISSIONS: dict[str, frozenset[str]] = {
    "administrator": frozenset({"uploads.act", "alerts.act", "pos.act", "receipts.act",
                               "book.act"}),
    "billing": frozenset({"alerts.act", "pos.act", "book.act"}),
    "viewer": frozenset(),
}


def can(role: str, permission: str) -> bool:
    return permission in PERMISSIONS.get(role, frozenset())
