"""Does an invoice fit its PO? Pure rules, checked before anything is typed into a portal."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

CURRENCY_DIFFERS = "currency differs from the PO's"

HoldKind = Literal["currency", "ran_dry", "no_po", "not_on_portal", "closed", "expired",
                   "other"]
#: what the dashboard's "why held" groups say, one line per kind of reason
KIND_LABELS: dict[str, str] = {
    "currency": "currency differs from the PO's: correct the invoice's currency or its PO",
    "ran_dry": "the PO ran dry: ask the client for a new PO or a top-up",
    "no_po": "no customer PO number on the billing document",
    "not_on_portal": "the PO is not on the portal (yet)",
    "closed": "the PO is closed on the portal",
    "expired": "the PO has expired",
    "other": "other reasons",
}
_KINDS: tuple[tuple[HoldKind, re.Pattern[str]], ...] = (
    ("currency", re.compile(re.escape(CURRENCY_DIFFERS) + r"|does not match PO currency")),
    ("ran_dry", re.compile(r"exceeds the remaining (PO )?balance|is exhausted|a new PO is needed")),
    ("no_po", re.compile(r"has no customer PO number")),
    ("not_on_portal", re.compile(r"^PO \S+ is not on ")),
    ("closed", re.compile(r"^PO \S+ is closed on ")),
    ("expired", re.compile(r"^PO \S+ expired on ")),
)


@dataclass(frozen=True, slots=True)
class PoBalance:
    number: str
    remaining: Decimal
    currency: str
    open: bool
    valid_to: date | None


def hold_reason(*, po_number: str | None, net: Decimal, currency: str,
                po: PoBalance | None, portal: str, today: date) -> str | None:
    """Why the invoice must be held instead of submitted, or None if it fits the PO.

    Amounts compare net of VAT, as procurement portals compare invoice lines to PO lines.
    """
    if not po_number:
        return "the billing document has no customer PO number"
    if po is None:
        return f"PO {po_number} is not on {portal}"
    if not po.open:
        return f"PO {po_number} is closed on {portal}"
    if po.valid_to is not None and po.valid_to < today:
        return f"PO {po_number} expired on {po.valid_to.isoformat()}"
    if currency != po.currency:  # never compared with (or taken from) the PO's balance
        return (f"{CURRENCY_DIFFERS}: invoice in {currency}, PO {po_number} in "
                f"{po.currency}")
    if net > po.remaining:
        return (f"net {net:,.2f} {currency} exceeds the remaining balance of PO {po_number} "
                f"({po.remaining:,.2f}): a new PO is needed")
    return None


def hold_kind(reason: str | None) -> HoldKind:
    """The kind of a held invoice's reason, so that a currency mismatch (fix the invoice or
    its PO) is never counted with a PO that ran dry (ask for a new PO)."""
    for kind, pattern in _KINDS:
        if reason and pattern.search(reason):
            return kind
    return "other"
