"""Does an invoice fit its PO? Pure rules, checked before anything is typed into a portal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


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
    if currency != po.currency:
        return f"invoice currency {currency} does not match PO currency {po.currency}"
    if net > po.remaining:
        return (f"net {net:,.2f} {currency} exceeds the remaining balance of PO {po_number} "
                f"({po.remaining:,.2f}): a new PO is needed")
    return None
