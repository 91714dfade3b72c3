"""From SAP's billing document to the cXML invoice (pure): its net spread over the PO's open
lines, SAP's VAT spread over them, SAP's payment terms as days, the date in SAP's time zone.

arbridge mirrors billing documents by header (net, VAT, PO number), not by item, so each
invoice line is a PO line's share of the net: a quantity-based line takes whole units at the
PO's price, an amount-based (service) line takes quantity 1 at the amount. SAP rounds VAT per
item, so its total may be a cent off the rate on the cXML lines: SAP's VAT is spread over the
lines by largest remainder, and the document's tax is SAP's to the cent. A document that
cannot be spread that way, or whose VAT is further from the rate than SAP's rounding per item
explains (a real mismatch), is held for a person.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, time
from decimal import ROUND_FLOOR, Decimal
from zoneinfo import ZoneInfo

from config.portals import CxmlSettings
from portals.drivers.cxml.errors import CxmlInvalid
from portals.drivers.cxml.model import (
    VAT_ROUNDING_UNITS,
    CxmlInvoice,
    CxmlOrder,
    InvoiceLine,
    Purpose,
    RemitTo,
    unit,
)

SAP_TIME_ZONE = ZoneInfo("Africa/Johannesburg")


def payment_days(terms: str | None) -> int | None:
    """SAP terms key → days: the digits in it (NT30, Z030 → 30); None without digits."""
    digits = re.findall(r"\d+", terms or "")
    return int(digits[-1]) if digits else None


def invoice_datetime(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=SAP_TIME_ZONE)


def spread(number: str, net: Decimal, order: CxmlOrder, rate: Decimal,
           *, credit: bool, currency: str = "ZAR") -> tuple[InvoiceLine, ...]:
    """The invoice lines that bill ``net`` against the PO's lines, first line first."""
    left, lines = net, []
    for po_line in order.lines:
        if left <= 0:
            break
        room = net if credit else min(po_line.amount_open, left)
        if room <= 0:
            continue
        if po_line.quantity_open is not None and po_line.unit_price > 0:
            units = (room / po_line.unit_price).to_integral_value(rounding="ROUND_FLOOR")
            if units <= 0:
                continue
            quantity, price = units, po_line.unit_price
        else:
            quantity, price = Decimal(1), room
        line = InvoiceLine(po_line=po_line.number, part_id=po_line.part_id,
                           description=po_line.description, quantity=quantity,
                           unit=po_line.unit, unit_price=price, tax_rate_percent=rate,
                           currency=currency)
        lines.append(line)
        left -= line.subtotal
    if left != 0 or not lines:
        raise CxmlInvalid(number, [(f"net {net} {order.currency} cannot be billed on the open "
                                   f"lines of PO {order.number} ({left} left over)")])
    return tuple(lines)


def spread_tax(number: str, tax: Decimal, lines: tuple[InvoiceLine, ...], *,
               currency: str) -> tuple[InvoiceLine, ...]:
    """``lines`` carrying SAP's ``tax`` between them, by largest remainder: each line starts
    from the rate on its subtotal rounded down; the units left (or missing) are shared out
    evenly, and those that do not share evenly go one each to the lines rounded down the
    most. SAP's VAT must be within ``VAT_ROUNDING_UNITS`` of the rate on the lines' total
    (SAP's per-item rounding); anything else is a real mismatch, for a person."""
    step = unit(currency)
    exact = sum((line.exact_tax for line in lines), Decimal(0))
    if not lines or abs(tax - exact) > step * VAT_ROUNDING_UNITS or tax % step:
        rate = lines[0].tax_rate_percent if lines else Decimal(0)
        subtotal = sum((line.subtotal for line in lines), Decimal(0))
        raise CxmlInvalid(number, [(
            f"SAP's VAT {tax} {currency} is not the {rate.normalize():f}% that the lines "
            f"({subtotal}) give: {exact.normalize():f}, more than the "
            f"{step * VAT_ROUNDING_UNITS} SAP's rounding per item explains; a person checks "
            "the VAT in SAP")])
    floors = [(line.exact_tax / step).to_integral_value(ROUND_FLOOR) * step for line in lines]
    left = int((tax - sum(floors, Decimal(0))) / step)
    each, extra = divmod(left, len(lines))
    ranked = sorted(range(len(lines)), key=lambda i: (floors[i] - lines[i].exact_tax, i))
    ups = set(ranked[:extra])
    return tuple(replace(line, vat=floors[i] + step * (each + (1 if i in ups else 0)))
                 for i, line in enumerate(lines))


def from_billing_document(*, number: str, purpose: Purpose, billing_date: date,
                          net: Decimal, tax: Decimal, currency: str, po_number: str,
                          terms: str | None, order: CxmlOrder, settings: CxmlSettings,
                          attachment_cid: str | None = None,
                          original_invoice: str | None = None) -> CxmlInvoice:
    """The cXML invoice (or credit memo: ``purpose="creditMemo"``) for one billing document;
    amounts as positive values."""
    rate = Decimal(settings.vat_rate_percent)
    lines = spread_tax(number, tax, spread(number, net, order, rate,
                                           credit=purpose == "creditMemo", currency=currency),
                       currency=currency)
    remit = settings.remit_to
    invoice = CxmlInvoice(
        number=number, purpose=purpose, invoice_date=invoice_datetime(billing_date),
        currency=currency, po_number=po_number, lines=lines,
        payment_days=payment_days(terms), tax_category=settings.tax_category,
        remit_to=RemitTo(**remit.model_dump()) if remit else None,
        attachment_cid=attachment_cid, original_invoice=original_invoice)
    return invoice
