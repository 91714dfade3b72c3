"""Amounts that must never be typed into a portal as an invoice (pure).

A net of zero has nothing to invoice; a negative one is a credit note, which reaches the
client another way (a portal's credit-note flow, or by hand), never as an invoice that the
portal would reject — or worse, accept.
"""

from __future__ import annotations

from decimal import Decimal


def amount_hold_reason(*, net: Decimal, tax: Decimal, currency: str) -> str | None:
    """Why an invoice with these amounts is held before anything is typed, or None."""
    if net < 0:
        return (f"net amount {net:,.2f} {currency} is negative: a credit note goes to the "
                "client another way, not as an invoice on the portal")
    if net == 0:
        return (f"net amount is 0.00 {currency}: there is nothing to invoice on the portal; a "
                "person decides (cancel it in SAP, or send it to the client another way)")
    if tax < 0:
        return (f"VAT {tax:,.2f} {currency} is negative on a positive invoice: a person must "
                "check the billing document")
    return None
