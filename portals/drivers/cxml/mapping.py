"""From SAP's billing document to the cXML invoice (pure): one line per SAP item against its
PO line, with SAP's VAT on that item, exact to the cent; SAP's payment terms as days; the
date in SAP's time zone.

Each SAP item (VBRP, mirrored with its document) becomes one ``InvoiceDetailItem``, against
the PO line whose part number is the item's material, else the first open line with room for
it (one that takes it as billed first). An amount-based (service) PO line takes quantity 1 at
the item's net; a quantity-based one takes the item's quantity at the PO's unit price, and
that must come to the item's net. Each
line's tax is SAP's VAT on the item, which must be the rate on the item's net rounded half up
(SAP rounds VAT per item, so the document's VAT is the sum of its items', not the rate on the
total); the summary's tax is the lines' sum and must be SAP's VAT on the document.

A document mirrored without its items (pulled before arbridge kept them, or by an adapter that
reads none) falls back to spreading its net over the PO's open lines, each line's tax the rate
on its subtotal rounded half up; their sum must then be SAP's VAT exactly.

Whatever does not hold is held for a person with the exact reason (:class:`CxmlInvalid`).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from config.portals import CxmlSettings
from portals.drivers.cxml.errors import CxmlInvalid
from portals.drivers.cxml.model import (
    BilledItem,
    CxmlInvoice,
    CxmlOrder,
    InvoiceLine,
    PoLine,
    Purpose,
    RemitTo,
    cents,
)

SAP_TIME_ZONE = ZoneInfo("Africa/Johannesburg")
# what the upload runner holds (a new PO releases it) rather than fails
NO_ROOM = "cannot be billed on the open lines"


def payment_days(terms: str | None) -> int | None:
    """SAP terms key → days: the digits in it (NT30, Z030 → 30); None without digits."""
    digits = re.findall(r"\d+", terms or "")
    return int(digits[-1]) if digits else None


def invoice_datetime(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=SAP_TIME_ZONE)


def _percent(rate: Decimal) -> str:
    return f"{rate.normalize():f}%"


# -- from SAP's items -------------------------------------------------------------------------
def _item_name(item: BilledItem) -> str:
    return f"item {item.number}" + (f" ({item.material})" if item.material else "")


def _has_room(line: PoLine, item: BilledItem, amount_taken: Decimal,
              quantity_taken: Decimal) -> bool:
    """Whether ``line`` can still take ``item`` after what earlier items took off it."""
    left = line.amount_open - amount_taken
    if line.quantity_open is not None and line.unit_price > 0:
        return line.quantity_open - quantity_taken >= item.quantity and \
            left >= item.quantity * line.unit_price
    return left > 0 and left >= item.net


def _takes_as_billed(line: PoLine, item: BilledItem, currency: str) -> bool:
    """An amount-based line takes any net; a quantity-based one an item whose quantity at the
    line's unit price is its net."""
    return line.quantity_open is None or line.unit_price <= 0 or \
        cents(item.quantity * line.unit_price, currency) == item.net


def _po_line_for(item: BilledItem, order: CxmlOrder, amount: dict[int, Decimal],
                 quantity: dict[int, Decimal], *, credit: bool, currency: str) -> PoLine | None:
    """The PO line whose part number is the item's material (the first of them with room, or
    the first: the PO check then says what it lacks); else the first open line with room that
    takes the item as billed, or failing that the first with room (whose price check then
    names the figures). A credit memo gives back, so needs no room."""
    def roomy(line: PoLine) -> bool:
        return credit or _has_room(line, item, amount.get(line.number, Decimal(0)),
                                   quantity.get(line.number, Decimal(0)))

    matches = [line for line in order.lines if item.material and line.part_id == item.material]
    if matches:
        return next((line for line in matches if roomy(line)), matches[0])
    open_lines = [line for line in order.lines if roomy(line)]
    return next((line for line in open_lines if _takes_as_billed(line, item, currency)),
                open_lines[0] if open_lines else None)


def _item_line(item: BilledItem, po_line: PoLine, rate: Decimal, currency: str,
               problems: list[str]) -> InvoiceLine:
    """The invoice line billing ``item`` on ``po_line``; what does not add up goes to
    ``problems``, naming the item and the figures. An item below zero (SAP's down-payment
    deduction in a final invoice) or of no quantity on a quantity line is never a line."""
    by_quantity = po_line.quantity_open is not None and po_line.unit_price > 0
    if item.net < 0:
        problems.append(f"{_item_name(item)}: net {item.net} {currency} is below zero (a "
                        "down-payment, rebate or discount item): no cXML line bills it, a "
                        "person checks the billing document in SAP")
    elif by_quantity and item.quantity <= 0:
        problems.append(f"{_item_name(item)}: quantity {item.quantity.normalize():f} is not "
                        "above zero: a cXML line bills a quantity, a person checks the billing "
                        "document in SAP")
    if by_quantity:
        quantity, price = item.quantity, po_line.unit_price
        billed = cents(quantity * price, currency)
        if billed != item.net:
            problems.append(
                f"{_item_name(item)}: {quantity.normalize():f} {item.unit or po_line.unit} at "
                f"the PO line {po_line.number} unit price {price} is {billed} {currency}, not "
                f"SAP's net {item.net}")
    else:
        quantity, price = Decimal(1), item.net
    due = cents(item.net * rate / 100, currency)
    if item.tax != due:
        problems.append(f"{_item_name(item)}: SAP's VAT {item.tax} {currency} is not the {due} "
                        f"that {_percent(rate)} of its net {item.net} gives")
    return InvoiceLine(po_line=po_line.number, part_id=po_line.part_id,
                       description=item.description or po_line.description,
                       quantity=quantity, unit=po_line.unit, unit_price=price,
                       tax_rate_percent=rate, currency=currency, vat=item.tax)


def item_lines(number: str, items: tuple[BilledItem, ...], order: CxmlOrder, rate: Decimal,
               *, net: Decimal, tax: Decimal, credit: bool,
               currency: str = "ZAR") -> tuple[InvoiceLine, ...]:
    """One invoice line per SAP item, in item order; raises :class:`CxmlInvalid` with every
    reason when an item has no PO line, does not add up, or its VAT is not the rate on its
    net, or when the items do not add up to the document's ``net`` and ``tax``."""
    problems: list[str] = []
    items_net = sum((item.net for item in items), Decimal(0))
    items_tax = sum((item.tax for item in items), Decimal(0))
    if items_net != net:
        problems.append(f"SAP's items add up to a net of {items_net} {currency}, not the "
                        f"document's {net}: a person checks the billing document in SAP")
    if items_tax != tax:
        problems.append(f"SAP's VAT {tax} {currency} on the document is not the {items_tax} "
                        "of its items: a person checks the VAT in SAP")
    amount: dict[int, Decimal] = {}
    quantity: dict[int, Decimal] = {}
    lines = []
    for item in items:
        po_line = _po_line_for(item, order, amount, quantity, credit=credit,
                               currency=currency)
        if po_line is None:
            problems.append(f"{_item_name(item)}: {item.net} {currency} {NO_ROOM} of PO "
                            f"{order.number} (no line for its material, none with room)")
            continue
        line = _item_line(item, po_line, rate, currency, problems)
        amount[po_line.number] = amount.get(po_line.number, Decimal(0)) + line.subtotal
        quantity[po_line.number] = quantity.get(po_line.number, Decimal(0)) + line.quantity
        lines.append(line)
    if problems:
        raise CxmlInvalid(number, problems)
    return tuple(lines)


# -- from the header alone (no items mirrored) ------------------------------------------------
def spread(number: str, net: Decimal, order: CxmlOrder, rate: Decimal,
           *, credit: bool, currency: str = "ZAR") -> tuple[InvoiceLine, ...]:
    """The invoice lines that bill ``net`` against the PO's lines, first line first: a
    quantity-based line takes whole units at the PO's price, an amount-based one quantity 1
    at the amount. Each line's tax is the rate on its subtotal, rounded half up."""
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
        raise CxmlInvalid(number, [(f"net {net} {order.currency} {NO_ROOM} of PO "
                                   f"{order.number} ({left} left over)")])
    return tuple(lines)


def spread_lines(number: str, net: Decimal, tax: Decimal, order: CxmlOrder, rate: Decimal,
                 *, credit: bool, currency: str = "ZAR") -> tuple[InvoiceLine, ...]:
    """``net`` spread over the PO's lines (:func:`spread`); SAP's ``tax`` must be exactly the
    sum of the rate on each line, else the document is held for a person."""
    lines = spread(number, net, order, rate, credit=credit, currency=currency)
    lines_tax = sum((line.tax for line in lines), Decimal(0))
    if lines_tax != tax:
        raise CxmlInvalid(number, [(
            f"SAP's VAT {tax} is not the {lines_tax} that {_percent(rate)} of each line gives; "
            f"the document's items are not in the store (it was pulled before arbridge kept "
            f"them, or by an adapter that reads none), so its net {net} {currency} was spread "
            f"over the lines of PO {order.number}: a person checks the VAT in SAP, or pulls "
            f"the document again with its items (arbridge sap pull --full), then sends it "
            f"again (arbridge portals retry {number})")])
    return lines


def from_billing_document(*, number: str, purpose: Purpose, billing_date: date,
                          net: Decimal, tax: Decimal, currency: str, po_number: str,
                          terms: str | None, order: CxmlOrder, settings: CxmlSettings,
                          items: tuple[BilledItem, ...] = (),
                          attachment_cid: str | None = None,
                          original_invoice: str | None = None) -> CxmlInvoice:
    """The cXML invoice (or credit memo: ``purpose="creditMemo"``) for one billing document:
    its lines from SAP's ``items``, or, without them, its net spread over the PO's lines;
    amounts as positive values."""
    rate = Decimal(settings.vat_rate_percent)
    credit = purpose == "creditMemo"
    if items:
        lines = item_lines(number, items, order, rate, net=net, tax=tax, credit=credit,
                           currency=currency)
    else:
        lines = spread_lines(number, net, tax, order, rate, credit=credit, currency=currency)
    remit = settings.remit_to
    return CxmlInvoice(
        number=number, purpose=purpose, invoice_date=invoice_datetime(billing_date),
        currency=currency, po_number=po_number, lines=lines,
        payment_days=payment_days(terms), tax_category=settings.tax_category,
        remit_to=RemitTo(**remit.model_dump()) if remit else None,
        attachment_cid=attachment_cid, original_invoice=original_invoice)
