"""Who may do what (pure). Viewers look; billing acts on PO alerts and POs; collectors record
calls and promises and alone (with administrators) read the contact log, which is personal
data (POPIA); administrators do everything. Page areas ask for a permission, never for a role
by name."""

from __future__ import annotations

from typing import Literal

Permission = Literal["uploads.act", "alerts.act", "pos.act", "receipts.act", "book.act",
                     "collections.act", "collections.contacts"]

PERMISSIONS: dict[str, frozenset[str]] = {
    "administrator": frozenset({"uploads.act", "alerts.act", "pos.act", "receipts.act",
                               "book.act", "collections.act", "collections.contacts"}),
    "billing": frozenset({"alerts.act", "pos.act", "book.act"}),
    "collector": frozenset({"book.act", "collections.act", "collections.contacts"}),
    "viewer": frozenset(),
}


def can(role: str, permission: str) -> bool:
    return permission in PERMISSIONS.get(role, frozenset())
