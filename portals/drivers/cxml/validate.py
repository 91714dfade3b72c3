"""Nothing invalid leaves: the DTD of the version a document declares, and the business checks
no DTD can see (each line bills a quantity, above zero on an invoice and below on a credit
memo, at a price not below zero; lines add up to the summary; each line's VAT is the rate on
its taxable amount to the cent, rounded half up, and the summary's VAT is exactly the lines';
each PO line exists with enough open quantity or amount for all the invoice lines on it; the
PO's currency).
Pure: bytes in, reasons out.

DTDs are looked up as ``<folder>/<version>/<file>`` (the official cXML.org DTDs, supplied by
the user: docs/cxml.md); where none is there, arbridge's own minimal DTD is used.
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from lxml import etree

from portals.drivers.cxml.errors import CxmlInvalid
from portals.drivers.cxml.model import CxmlOrder, PoLine, cents

log = logging.getLogger(__name__)
BUNDLED = Path(__file__).parent / "dtd"
MINIMAL = BUNDLED / "arbridge-cXML-minimal.dtd"
SYSTEM_URL = re.compile(r"/cXML/(?P<version>[0-9.]+)/(?P<file>[A-Za-z]+\.dtd)$")
MAX_BYTES = 5_000_000
SIGNS = {False: "a line of an invoice bills a quantity above",  # by "is a credit memo"
         True: "a line of a credit memo gives back a quantity below"}


def safe_parser() -> etree.XMLParser:
    """No entity expansion, no DTD or anything else fetched from the network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False)


def parse(document: bytes) -> etree._ElementTree:
    if len(document) > MAX_BYTES:
        raise CxmlInvalid("?", [f"document of {len(document)} bytes exceeds {MAX_BYTES}"])
    try:
        return etree.ElementTree(etree.fromstring(document, safe_parser()))
    except etree.XMLSyntaxError as error:
        raise CxmlInvalid("?", [f"not well-formed XML: {error}"]) from None


@lru_cache(maxsize=16)
def _dtd(path: Path) -> etree.DTD:
    return etree.DTD(str(path))


def dtd_for(system_url: str | None, folders: tuple[Path, ...] = ()) -> Path:
    """The DTD file for a document's DOCTYPE system URL: the official one if supplied."""
    found = SYSTEM_URL.search(system_url or "")
    if found:
        for folder in (*folders, BUNDLED):
            candidate = folder / found["version"] / found["file"]
            if candidate.is_file():
                return candidate
    return MINIMAL


def dtd_errors(document: bytes | etree._ElementTree, folders: tuple[Path, ...] = ()
               ) -> list[str]:
    """What the DTD of the declared version finds wrong (line numbers included)."""
    tree = parse(document) if isinstance(document, bytes) else document
    path = dtd_for(tree.docinfo.system_url, folders)
    dtd = _dtd(path)
    if dtd.validate(tree.getroot()):
        return []
    return [f"line {e.line}: {e.message} ({path.name})" for e in dtd.error_log.filter_from_errors()]


def _amount(node: etree._Element | None, where: str, errors: list[str]) -> Decimal:
    text = node.findtext("Money") if node is not None else None
    try:
        return Decimal(text or "")
    except InvalidOperation:
        errors.append(f"{where}: amount {text!r} is not a number")
        return Decimal(0)


def _currency_of(node: etree._Element) -> str:
    money = next(node.iter("Money"), None)
    return money.get("currency", "ZAR") if money is not None else "ZAR"


def _currencies(root: etree._Element) -> set[str]:
    return {m.get("currency", "") for m in root.iter("Money")}


def business_errors(document: bytes | etree._ElementTree, order: CxmlOrder | None
                    ) -> list[str]:
    """Reasons the invoice must not be sent, each naming the line and the figures."""
    root = (parse(document) if isinstance(document, bytes) else document).getroot()
    errors: list[str] = []
    request = root.find("Request/InvoiceDetailRequest")
    if request is None:
        return ["no InvoiceDetailRequest in the document"]
    summary = request.find("InvoiceDetailSummary")
    items = request.findall("InvoiceDetailOrder/InvoiceDetailItem")
    credit = request.find("InvoiceDetailRequestHeader").get("purpose") == "creditMemo"  # type: ignore[union-attr]
    subtotal = tax = Decimal(0)
    taxed = False
    for item in items:
        number = item.get("invoiceLineNumber")
        line_sub = _amount(item.find("SubtotalAmount"), f"line {number}", errors)
        price = _amount(item.find("UnitPrice"), f"line {number} unit price", errors)
        quantity = Decimal(item.get("quantity", "0"))
        currency = _currency_of(item)
        if (quantity >= 0 if credit else quantity <= 0) or price < 0:
            errors.append(f"line {number}: quantity {quantity} at unit price {price}: "
                          f"{SIGNS[credit]} zero at a price not below zero")
        if cents(quantity * price, currency) != line_sub:
            errors.append(f"line {number}: quantity {quantity} × unit price {price} is "
                          f"{cents(quantity * price, currency)}, not the subtotal {line_sub}")
        subtotal += line_sub
        line_tax = item.find("Tax")
        if line_tax is not None:
            taxed = True
            tax += _amount(line_tax, f"line {number} tax", errors)
            errors += _tax_errors(line_tax, f"line {number}")
    errors += _summary_errors(summary, subtotal, tax, taxed, errors)
    if order is not None:
        errors += _po_errors(request, order, credit)
    return errors


def _tax_errors(tax: etree._Element, where: str) -> list[str]:
    """Each TaxDetail's tax is the rate on its taxable amount, rounded half up to the
    currency's unit: exactly, as SAP computes VAT per item."""
    errors: list[str] = []
    for detail in tax.findall("TaxDetail"):
        taxable = _amount(detail.find("TaxableAmount"), f"{where} taxable", errors)
        amount = _amount(detail.find("TaxAmount"), f"{where} tax", errors)
        rate = Decimal(detail.get("percentageRate", "0"))
        due = cents(taxable * rate / 100, _currency_of(detail))
        if amount != due:
            errors.append(f"{where}: tax {amount} is not {rate}% of {taxable} ({due})")
    return errors


def _summary_errors(summary: etree._Element | None, subtotal: Decimal, tax: Decimal,
                    taxed_lines: bool, errors: list[str]) -> list[str]:
    """The summary adds up: subtotal, tax (exactly the lines' where they carry it: tax is
    rounded per line, so the total may differ from the rate on the subtotal), gross, net and
    due amounts. Without tax on the lines, the summary's tax is the rate on its subtotal."""
    if summary is None:
        return ["no InvoiceDetailSummary"]
    found: list[str] = []
    head_sub = _amount(summary.find("SubtotalAmount"), "summary subtotal", errors)
    head_tax = _amount(summary.find("Tax"), "summary tax", errors)
    gross = _amount(summary.find("GrossAmount"), "summary gross", errors)
    if head_sub != subtotal:
        found.append(f"summary subtotal {head_sub} is not the lines' sum {subtotal}")
    if taxed_lines and head_tax != tax:
        found.append(f"summary tax {head_tax} is not the lines' tax {tax}")
    if gross != head_sub + head_tax:
        found.append(f"summary gross {gross} is not subtotal + tax {head_sub + head_tax}")
    for tag in ("NetAmount", "DueAmount"):
        if _amount(summary.find(tag), f"summary {tag}", errors) != gross:
            found.append(f"summary {tag} is not the gross {gross}")
    tax_node = summary.find("Tax")
    if tax_node is None:
        return found
    if not taxed_lines:
        return found + _tax_errors(tax_node, "summary")
    for detail in tax_node.findall("TaxDetail"):  # the lines' tax on the lines' subtotal
        taxable = _amount(detail.find("TaxableAmount"), "summary taxable", errors)
        amount = _amount(detail.find("TaxAmount"), "summary tax detail", errors)
        if (taxable, amount) != (head_sub, head_tax):
            found.append(f"summary tax detail {amount} on {taxable} is not the summary's tax "
                         f"{head_tax} on its subtotal {head_sub}")
    return found


def _po_errors(request: etree._Element, order: CxmlOrder, credit: bool) -> list[str]:
    errors: list[str] = []
    reference = request.find("InvoiceDetailOrder/InvoiceDetailOrderInfo/OrderReference")
    if reference is None or reference.get("orderID") != order.number:
        errors.append(f"the invoice is not against PO {order.number}")
    currencies = _currencies(request)
    if currencies != {order.currency}:
        errors.append(f"currency {', '.join(sorted(currencies))} is not the PO's "
                      f"{order.currency}")
    # what the invoice lines take off each PO line, together (several SAP items may bill one)
    taken: dict[int, tuple[PoLine, list[str], Decimal, Decimal]] = {}
    for item in request.findall("InvoiceDetailOrder/InvoiceDetailItem"):
        number = item.get("invoiceLineNumber") or "?"
        po_line = int(item.find("InvoiceDetailItemReference").get("lineNumber", "0"))  # type: ignore[union-attr]
        line = order.line(po_line)
        if line is None:
            errors.append(f"line {number}: PO {order.number} has no line {po_line}")
            continue
        _, numbers, quantity, amount = taken.get(po_line, (line, [], Decimal(0), Decimal(0)))
        taken[po_line] = (line, numbers + [number],
                          quantity + Decimal(item.get("quantity", "0")),
                          amount + Decimal(item.findtext("SubtotalAmount/Money") or "0"))
    if credit:
        return errors  # a credit memo gives back what was invoiced: no open amount needed
    for po_line, (line, numbers, quantity, amount) in taken.items():
        which = f"line{'s' if len(numbers) > 1 else ''} {', '.join(numbers)}"
        if line.quantity_open is not None and quantity > line.quantity_open:
            errors.append(f"{which}: quantity {quantity} exceeds the {line.quantity_open}"
                          f" open on PO {order.number} line {po_line}")
        if amount > line.amount_open:
            errors.append(f"{which}: {amount} {order.currency} exceeds the "
                          f"{line.amount_open} open on PO {order.number} line {po_line}")
    return errors


def check(document: bytes, order: CxmlOrder | None, *, invoice: str,
          folders: tuple[Path, ...] = ()) -> None:
    """Raise :class:`CxmlInvalid` with every reason, DTD first; return if all is well."""
    tree = parse(document)  # once, for both
    reasons = dtd_errors(tree, folders)
    if not reasons:
        reasons = business_errors(tree, order)
    if reasons:
        raise CxmlInvalid(invoice, reasons)
