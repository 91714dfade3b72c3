"""The demo portal's cXML endpoint, one per flavour, answering as Coupa does.

``POST {flavour}/cxml/invoices`` takes an ``InvoiceDetailRequest`` (plain ``text/xml`` or
``multipart/related`` with the PDF), checks the shared secret, validates against the DTD,
checks the PO and its lines, refuses a number already used and answers with a cXML
``Response``. ``GET {flavour}/api/invoices?invoice_number=`` is the buyer's invoice lookup;
``GET {flavour}/cxml/orders`` lists the POs with their lines (what the network's
OrderRequests would have told the supplier). Both need the shared secret as ``X-Api-Key``.

Fault switches (``PortalState.set_fault``): ``cxml_slow_ms`` (answer late, nothing else),
``cxml_5xx`` (count: 500 without storing), ``cxml_store_then_5xx`` (count: stored, then 500),
``cxml_drop`` (count: stored, then the connection drops mid-answer), ``cxml_late_ms``
(stored, answered that late: after the client's timeout), ``cxml_duplicate`` (count: a
duplicate refusal for an invoice the portal does not have).
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import time
from decimal import Decimal, InvalidOperation

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from lxml import etree
from starlette.types import Receive, Scope, Send

from portals.demo.common import today
from portals.demo.cxml_state import CxmlState
from portals.demo.state import PortalState, Rejected
from portals.drivers.cxml.validate import MINIMAL

DEMO_CXML_SECRET = "demo-cxml-shared-secret"  # the bundled demo's own, public on purpose
MAX_BYTES = 5_000_000
_DTD = etree.DTD(str(MINIMAL))
OK = {"coupa": (200, "OK"), "ariba": (201, "Accepted")}


def response(code: int, text: str, detail: str = "", *, http: int | None = None) -> Response:
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<cXML payloadID="{time.time_ns()}@demo" '
            f'timestamp="{time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())}">'
            f'<Response><Status code="{code}" text="{_attr(text)}">{_text(detail)}</Status>'
            f'</Response></cXML>')
    return Response(body, status_code=http or code, media_type="text/xml")


def _attr(text: str) -> str:
    return _text(text).replace('"', "&quot;")


def _text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class DroppedResponse(Response):
    """Headers promise more than is sent, then the connection ends: a drop mid-answer."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/xml"), (b"content-length", b"4096")]})
        await send({"type": "http.response.body", "body": b"<?xml version=", "more_body": False})


def _split(body: bytes, content_type: str) -> tuple[bytes, bytes]:
    """The cXML part and the PDF (empty if none) of a request."""
    if not content_type.startswith("multipart/"):
        return body, b""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    xml, pdf = b"", b""
    for part in message.iter_parts():
        kind = part.get_content_type()
        payload = part.get_payload(decode=True)
        payload = payload if isinstance(payload, bytes) else b""
        if kind in ("text/xml", "application/xml") and not xml:
            xml = payload
        elif kind == "application/pdf":
            pdf = payload
    return xml, pdf


def _money(node: etree._Element | None) -> Decimal:
    try:
        return Decimal((node.findtext("Money") if node is not None else "") or "")
    except InvalidOperation:
        raise Rejected("An amount is not a number.") from None


def _check_lines(cxml: CxmlState, request: etree._Element, po_number: str) -> None:
    """Each invoice line names a line of the PO; the quantities of all invoice lines on one
    PO line (several when the supplier bills items of one PO line) stay within its order."""
    lines = {line.number: line for line in cxml.lines(po_number)}
    billed: dict[int, Decimal] = {}
    for item in request.iter("InvoiceDetailItem"):
        reference = item.find("InvoiceDetailItemReference")
        number = int(reference.get("lineNumber", "0")) if reference is not None else 0
        if number not in lines:
            raise Rejected(f"Line {number} does not exist on purchase order {po_number}.")
        billed[number] = billed.get(number, Decimal(0)) + abs(Decimal(item.get("quantity",
                                                                               "0")))
    for number, quantity in billed.items():
        ordered = lines[number].quantity
        if ordered is not None and quantity > ordered:
            raise Rejected(f"Quantity {quantity} exceeds the {ordered} ordered on line "
                           f"{number} of purchase order {po_number}.")


def _switched(state: PortalState) -> dict[str, str]:
    """The faults switched on (value not 0), in one read."""
    return {name: value for name, value in state._query(
        "SELECT name, value FROM fault WHERE name LIKE 'cxml%'") if value not in ("0", "")}


def router(state: PortalState, flavour: str) -> APIRouter:
    api = APIRouter()
    cxml = CxmlState(state)

    def authorised(request: Request) -> bool:
        return request.headers.get("x-api-key") == DEMO_CXML_SECRET

    @api.post("/cxml/invoices")
    async def invoices(request: Request) -> Response:
        slow = _switched(state).get("cxml_slow_ms")
        if slow:
            await asyncio.sleep(int(slow) / 1000)
        body = await request.body()
        if len(body) > MAX_BYTES:
            return response(413, "Request Entity Too Large")
        xml, pdf = _split(body, request.headers.get("content-type", ""))
        try:
            root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False,
                                                         no_network=True, load_dtd=False))
        except etree.XMLSyntaxError as error:
            return response(406, "Not Acceptable", f"not well-formed: {error}")
        if root.findtext("Header/Sender/Credential/SharedSecret") != DEMO_CXML_SECRET:
            return response(401, "Unauthorized", "Invalid Sender credentials.")
        if not _DTD.validate(root):
            errors = "; ".join(f"line {e.line}: {e.message}" for e in _DTD.error_log)
            return response(406, "Not Acceptable", f"DTD validation failed: {errors}")
        switched = _switched(state)  # one read; a counted fault is taken only when set
        if "cxml_5xx" in switched and state.take_fault("cxml_5xx"):
            return response(500, "Internal Server Error")
        if "cxml_duplicate" in switched and state.take_fault("cxml_duplicate"):
            number = root.find(".//InvoiceDetailRequestHeader").get("invoiceID")  # type: ignore[union-attr]
            return response(400, "Bad Request", f"Invoice Number {number} has already been used.")
        try:
            number = _store(cxml, root, pdf)
        except Rejected as error:
            return response(400, "Bad Request", str(error))
        cxml.remember(root.get("payloadID", ""), number, time.time())
        if "cxml_store_then_5xx" in switched and state.take_fault("cxml_store_then_5xx"):
            return response(500, "Internal Server Error")
        if "cxml_drop" in switched and state.take_fault("cxml_drop"):
            return DroppedResponse()
        late = switched.get("cxml_late_ms")
        if late:
            await asyncio.sleep(int(late) / 1000)
        code, text = OK[flavour]
        return response(code, text, f"Invoice {number} received.", http=200)

    @api.get("/api/invoices")
    def lookup(request: Request, invoice_number: str = "") -> Response:
        if not authorised(request):
            return JSONResponse({"error": "invalid API key"}, status_code=401)
        found = state.invoice(invoice_number) if invoice_number else None
        rows = [found] if found else []
        return JSONResponse([{"invoice_number": i.number, "po_number": i.po_number,
                              "gross": str(i.gross), "currency": i.currency,
                              "status": i.status, "reason": i.reason} for i in rows])

    @api.get("/cxml/orders")
    def orders(request: Request) -> Response:
        if not authorised(request):
            return JSONResponse({"error": "invalid API key"}, status_code=401)
        return JSONResponse([_order(cxml, po) for po in state.purchase_orders()])

    return api


def _order(cxml: CxmlState, po) -> dict:  # type: ignore[no-untyped-def]
    remaining = po.remaining
    lines = []
    for line in cxml.lines(po.number, po.description):
        amount = remaining if line.amount is None else min(line.amount, remaining)
        lines.append({"number": line.number, "part_id": line.part_id,
                      "description": line.description, "unit": line.unit,
                      "unit_price": str(line.unit_price), "amount_open": str(max(amount, 0)),
                      "quantity_open": None if line.quantity is None else str(line.quantity)})
    return {"number": po.number, "currency": po.currency, "total": str(po.total),
            "invoiced": str(po.invoiced), "open": po.is_open(today()),
            "valid_to": po.valid_to.isoformat(), "lines": lines}


def _store(cxml: CxmlState, root: etree._Element, pdf: bytes) -> str:
    request = root.find("Request/InvoiceDetailRequest")
    if request is None:
        raise Rejected("Only InvoiceDetailRequest is accepted here.")
    header = request.find("InvoiceDetailRequestHeader")
    number = header.get("invoiceID", "") if header is not None else ""
    reference = request.find(".//OrderReference")
    po_number = reference.get("orderID", "") if reference is not None else ""
    summary = request.find("InvoiceDetailSummary")
    net, tax = _money(summary.find("SubtotalAmount")), _money(summary.find("Tax"))  # type: ignore[union-attr]
    currency = summary.find("SubtotalAmount/Money").get("currency", "")  # type: ignore[union-attr]
    if cxml.state.purchase_order(po_number) is not None:
        _check_lines(cxml, request, po_number)
    credit = header is not None and header.get("purpose") == "creditMemo"
    if credit:  # against an invoice the buyer has, on the same PO; it gives the amount back
        info = header.find("InvoiceIDInfo")  # type: ignore[union-attr]
        original = cxml.state.invoice(info.get("invoiceID", "")) if info is not None else None
        if original is None or original.po_number != po_number:
            raise Rejected("A credit memo must reference an invoice on purchase order "
                           f"{po_number} (InvoiceIDInfo).")
    invoice_date = (header.get("invoiceDate", "") if header is not None else "")[:10]
    from datetime import date

    try:
        day = date.fromisoformat(invoice_date)
    except ValueError:
        raise Rejected("invoiceDate must be an ISO date and time.") from None
    cxml.state.submit_invoice(
        number=number, po_number=po_number, invoice_date=day,
        net=-abs(net) if credit else abs(net), tax=-abs(tax) if credit else abs(tax),
        currency=currency, attachment_name=f"{number}.pdf",
        attachment_size=len(pdf) or len(etree.tostring(root)), today=today())
    return number
