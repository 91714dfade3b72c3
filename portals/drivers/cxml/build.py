"""Build the cXML ``InvoiceDetailRequest`` for one invoice or credit memo (pure: no I/O).

The document declares the DTD of its version (``InvoiceDetail.dtd``); credit memos carry
negative amounts and quantities, as both networks expect. :func:`masked` gives the same bytes
with the shared secret replaced, for the evidence pack and logs.
"""

from __future__ import annotations

import secrets as _secrets
from datetime import datetime
from decimal import Decimal
from xml.sax.saxutils import escape

from lxml import etree

from portals.drivers.cxml.model import (
    Credential,
    Credentials,
    CxmlInvoice,
    InvoiceLine,
    text,
)

DTD_URL = "http://xml.cxml.org/schemas/cXML/{version}/{file}"
DEFAULT_VERSION = "1.2.045"
MASK = "********"


def payload_id(now: datetime, domain: str = "arbridge.local") -> str:
    """A payloadID unique per message: time, randomness and the sender's domain."""
    return f"{now.strftime('%Y%m%d%H%M%S')}.{_secrets.token_hex(8)}@{domain}"


def _money(parent: etree._Element, tag: str, amount: Decimal, currency: str) -> None:
    etree.SubElement(etree.SubElement(parent, tag), "Money", currency=currency).text = \
        text(amount, currency)


def _credential(parent: etree._Element, tag: str, credential: Credential,
                secret: str | None = None) -> None:
    node = etree.SubElement(etree.SubElement(parent, tag), "Credential",
                            domain=credential.domain)
    etree.SubElement(node, "Identity").text = credential.identity
    if secret is not None:
        etree.SubElement(node, "SharedSecret").text = secret


def envelope(*, credentials: Credentials, payload: str, timestamp: datetime,
             version: str = DEFAULT_VERSION) -> tuple[etree._Element, etree._Element]:
    """The ``cXML`` root with its Header; returns (root, Request) to fill in."""
    root = etree.Element("cXML", payloadID=payload,
                         timestamp=timestamp.isoformat(timespec="seconds"),
                         version=version)
    root.set("{http://www.w3.org/XML/1998/namespace}lang", "en-US")
    header = etree.SubElement(root, "Header")
    _credential(header, "From", credentials.sender_from)
    _credential(header, "To", credentials.to)
    _credential(header, "Sender", credentials.sender, credentials.shared_secret)
    etree.SubElement(header[-1], "UserAgent").text = credentials.user_agent
    return root, etree.SubElement(root, "Request")


def _sign(value: Decimal, purpose: str) -> Decimal:
    return -value if purpose == "creditMemo" else value


def _tax(parent: etree._Element, *, tax: Decimal, taxable: Decimal, rate: Decimal,
         currency: str, category: str) -> None:
    node = etree.SubElement(parent, "Tax")
    etree.SubElement(node, "Money", currency=currency).text = text(tax, currency)
    etree.SubElement(node, "Description").text = f"VAT {rate.normalize():f}%"
    detail = etree.SubElement(node, "TaxDetail", purpose="tax", category=category,
                              percentageRate=f"{rate.normalize():f}")
    _money(detail, "TaxableAmount", taxable, currency)
    _money(detail, "TaxAmount", tax, currency)


def _line(order: etree._Element, number: int, line: InvoiceLine, invoice: CxmlInvoice) -> None:
    currency, purpose = invoice.currency, invoice.purpose
    item = etree.SubElement(order, "InvoiceDetailItem", invoiceLineNumber=str(number),
                            quantity=f"{_sign(line.quantity, purpose).normalize():f}")
    etree.SubElement(item, "UnitOfMeasure").text = line.unit
    _money(item, "UnitPrice", line.unit_price, currency)
    reference = etree.SubElement(item, "InvoiceDetailItemReference",
                                 lineNumber=str(line.po_line))
    etree.SubElement(etree.SubElement(reference, "ItemID"), "SupplierPartID").text = line.part_id
    etree.SubElement(reference, "Description").text = line.description
    _money(item, "SubtotalAmount", _sign(line.subtotal, purpose), currency)
    _tax(item, tax=_sign(line.tax, purpose), taxable=_sign(line.subtotal, purpose),
         rate=line.tax_rate_percent, currency=currency, category=invoice.tax_category)


def _header(request: etree._Element, invoice: CxmlInvoice) -> None:
    header = etree.SubElement(request, "InvoiceDetailRequestHeader", invoiceID=invoice.number,
                              purpose=invoice.purpose, operation="new",
                              invoiceDate=invoice.invoice_date.isoformat())
    etree.SubElement(header, "InvoiceDetailHeaderIndicator")
    etree.SubElement(header, "InvoiceDetailLineIndicator", isTaxInLine="yes")
    if invoice.remit_to is not None:
        remit = invoice.remit_to
        partner = etree.SubElement(header, "InvoicePartner")
        contact = etree.SubElement(partner, "Contact", role="remitTo")
        etree.SubElement(contact, "Name").text = remit.name
        for domain, value in (("bankName", remit.bank_name),
                              ("bankAccountID", remit.account_number),
                              ("bankRoutingID", remit.branch_code), ("swiftID", remit.swift)):
            if value:
                etree.SubElement(partner, "IdReference", identifier=value, domain=domain)
    if invoice.original_invoice:
        etree.SubElement(header, "InvoiceIDInfo", invoiceID=invoice.original_invoice)
    if invoice.payment_days is not None:
        etree.SubElement(header, "PaymentTerm", payInNumberOfDays=str(invoice.payment_days))
    if invoice.attachment_cid:
        extrinsic = etree.SubElement(header, "Extrinsic", name="invoicePDF")
        etree.SubElement(etree.SubElement(extrinsic, "Attachment"), "URL").text = \
            f"cid:{invoice.attachment_cid}"


def invoice_request(invoice: CxmlInvoice, *, credentials: Credentials, payload: str,
                    timestamp: datetime, version: str = DEFAULT_VERSION,
                    deployment_mode: str = "production") -> bytes:
    """The whole ``InvoiceDetailRequest`` document, as UTF-8 bytes with its DOCTYPE."""
    root, request = envelope(credentials=credentials, payload=payload, timestamp=timestamp,
                             version=version)
    request.set("deploymentMode", deployment_mode)
    body = etree.SubElement(request, "InvoiceDetailRequest")
    _header(body, invoice)
    order = etree.SubElement(body, "InvoiceDetailOrder")
    info = etree.SubElement(order, "InvoiceDetailOrderInfo")
    etree.SubElement(info, "OrderReference", orderID=invoice.po_number)
    for number, line in enumerate(invoice.lines, start=1):
        _line(order, number, line, invoice)
    summary = etree.SubElement(body, "InvoiceDetailSummary")
    currency, purpose = invoice.currency, invoice.purpose
    _money(summary, "SubtotalAmount", _sign(invoice.subtotal, purpose), currency)
    rate = invoice.lines[0].tax_rate_percent if invoice.lines else Decimal(0)
    _tax(summary, tax=_sign(invoice.tax, purpose), taxable=_sign(invoice.subtotal, purpose),
         rate=rate, currency=currency, category=invoice.tax_category)
    for tag in ("GrossAmount", "NetAmount", "DueAmount"):
        _money(summary, tag, _sign(invoice.gross, purpose), currency)
    return serialise(root, "InvoiceDetail.dtd")


def serialise(root: etree._Element, dtd_file: str) -> bytes:
    doctype = (f'<!DOCTYPE cXML SYSTEM "'
               f'{DTD_URL.format(version=root.get("version"), file=dtd_file)}">')
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", doctype=doctype,
                          pretty_print=True)


def masked(document: bytes, secret: str) -> bytes:
    """``document`` with the shared secret replaced (the evidence pack's ``request.xml``)."""
    if not secret:
        return document
    for form in {secret, escape(secret), escape(secret, {'"': "&quot;"})}:
        document = document.replace(form.encode(), MASK.encode())
    return document
