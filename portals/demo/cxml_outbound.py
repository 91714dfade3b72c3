"""What the demo network sends back to the supplier's arbridge: a ``StatusUpdateRequest`` for
an invoice and a ``PaymentRemittanceRequest`` for a payment, posted to the inbound endpoint
(``POST {arbridge}/cxml/inbound``) with the buyer's credentials and the shared secret."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import quoteattr

import requests

from portals.demo.cxml_api import DEMO_CXML_SECRET

DOCTYPE = '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.045/cXML.dtd">'


def _envelope(payload_id: str, buyer: str, supplier: str, request: str, secret: str) -> bytes:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{DOCTYPE}\n'
            f'<cXML payloadID={quoteattr(payload_id)} timestamp="{stamp}" version="1.2.045">'
            f'<Header><From><Credential domain="NetworkID"><Identity>{buyer}</Identity>'
            f'</Credential></From><To><Credential domain="NetworkID"><Identity>{supplier}'
            f'</Identity></Credential></To><Sender><Credential domain="NetworkID">'
            f'<Identity>{buyer}</Identity><SharedSecret>{secret}</SharedSecret></Credential>'
            f'<UserAgent>arbridge demo network</UserAgent></Sender></Header>'
            f'<Request>{request}</Request></cXML>').encode()


def status_update(*, payload_id: str, invoice: str, status: str, reason: str = "",
                  buyer: str, supplier: str, secret: str = DEMO_CXML_SECRET) -> bytes:
    """``status``: processing, reconciled, rejected, paying, paid or canceled."""
    comments = f"<Comments>{reason}</Comments>" if reason else ""
    return _envelope(payload_id, buyer, supplier,
                     f'<StatusUpdateRequest><Status code="200" text="OK"/>'
                     f'<InvoiceStatus type="{status}"><InvoiceIDInfo invoiceID='
                     f'{quoteattr(invoice)}/>{comments}</InvoiceStatus></StatusUpdateRequest>',
                     secret)


def payment_remittance(*, payload_id: str, reference: str, paid_on: date,
                       invoices: list[tuple[str, Decimal]], currency: str = "ZAR",
                       buyer: str, supplier: str, secret: str = DEMO_CXML_SECRET) -> bytes:
    details = "".join(
        f'<PaymentRemittanceDetail><PayableInfo><PayableInvoiceInfo><InvoiceReference '
        f'invoiceID={quoteattr(number)}/></PayableInvoiceInfo></PayableInfo><NetAmount>'
        f'<Money currency="{currency}">{amount:.2f}</Money></NetAmount>'
        f'</PaymentRemittanceDetail>' for number, amount in invoices)
    total = sum((amount for _, amount in invoices), Decimal("0.00"))
    return _envelope(payload_id, buyer, supplier,
                     f'<PaymentRemittanceRequest><PaymentRemittanceRequestHeader '
                     f'paymentRemittanceID={quoteattr(reference)} paymentDate='
                     f'"{paid_on.isoformat()}T00:00:00+02:00" paymentReferenceNumber='
                     f'{quoteattr(reference)}><PaymentMethod type="ach"/>'
                     f'</PaymentRemittanceRequestHeader>{details}<PaymentRemittanceSummary>'
                     f'<NetAmount><Money currency="{currency}">{total:.2f}</Money></NetAmount>'
                     f'</PaymentRemittanceSummary></PaymentRemittanceRequest>', secret)


def send(url: str, document: bytes, *, timeout: float = 10.0) -> tuple[int, str]:
    """POST to arbridge's inbound endpoint; (HTTP status, the Response's text)."""
    reply = requests.post(url, data=document, timeout=timeout,
                          headers={"Content-Type": "text/xml; charset=UTF-8"})
    return reply.status_code, reply.text
