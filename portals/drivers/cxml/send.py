"""The one HTTP seam of the cXML channel: POST a document, read the buyer's invoice lookup,
and classify every answer in one place.

=============================  =============================================================
the network answers            arbridge's reading
=============================  =============================================================
200 / 201 (cXML Status)        accepted
4xx "already used/duplicate"   :class:`CxmlDuplicate`: already there, verified by a lookup
other 4xx                      :class:`PortalRejected`: a person reads the network's text
5xx, timeout, dropped, garble  :class:`PortalUncertain`: look the invoice up before resending
connection refused             :class:`PortalUnavailable`: nothing was sent
=============================  =============================================================
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import requests
from lxml import etree

from portals.drivers.cxml.errors import CxmlDuplicate
from portals.drivers.cxml.validate import safe_parser
from portals.errors import PortalRejected, PortalUnavailable, PortalUncertain

DUPLICATE = re.compile(r"duplicate|already (been )?(used|taken|exists|submitted)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Reply:
    http_status: int
    code: int
    text: str
    body: bytes


@dataclass(frozen=True, slots=True)
class FoundInvoice:
    """An invoice as the buyer's lookup has it."""

    number: str
    po_number: str
    gross: Decimal
    currency: str
    status: str
    reason: str = ""


def status_of(body: bytes, http_status: int) -> tuple[int, str]:
    """The cXML ``Status`` code and text of a ``Response``, or the HTTP status if none."""
    try:
        root = etree.fromstring(body, safe_parser())
    except etree.XMLSyntaxError:
        return http_status, body[:500].decode("utf-8", "replace")
    status = root.find("Response/Status")
    if status is None:
        return http_status, ""
    text = " ".join(filter(None, (status.get("text", ""), (status.text or "").strip())))
    try:
        return int(status.get("code", http_status)), text
    except ValueError:
        return http_status, text


def classify(reply: Reply, invoice: str) -> Reply:
    """Accepted replies come back; anything else raises what it means for arbridge."""
    code = reply.code if reply.http_status < 300 else max(reply.code, reply.http_status)
    if code in (200, 201, 202, 204):
        return reply
    error: Exception
    if 400 <= code < 500 and (code == 409 or DUPLICATE.search(reply.text)):
        error = CxmlDuplicate(f"invoice {invoice}: the network says it is already there "
                              f"({code} {reply.text})")
    elif 400 <= code < 500:
        error = PortalRejected(f"invoice {invoice} refused by the network: {code} {reply.text}")
    else:
        error = PortalUncertain(f"invoice {invoice}: the network answered {code} {reply.text};"
                                " it may have taken the invoice: looked up before any resend")
    setattr(error, "body", reply.body)  # noqa: B010 - the answer, for the evidence pack
    raise error


def _multipart(document: bytes, pdf: Path, cid: str) -> tuple[bytes, str]:
    boundary = f"arbridge-{secrets.token_hex(12)}"
    parts = [
        f"--{boundary}\r\nContent-Type: text/xml; charset=UTF-8\r\n"
        f"Content-ID: <cxml-payload>\r\n\r\n".encode() + document + b"\r\n",
        f"--{boundary}\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: binary"
        f"\r\nContent-ID: <{cid}>\r\nContent-Disposition: attachment; filename=\"{pdf.name}\""
        f"\r\n\r\n".encode() + pdf.read_bytes() + b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ]
    kind = (f'multipart/related; boundary="{boundary}"; type="text/xml"; '
            'start="<cxml-payload>"')
    return b"".join(parts), kind


class CxmlTransport:
    """POSTs documents and reads the lookup, with one ``requests`` session (keep-alive)."""

    def __init__(self, *, timeout_seconds: float, session: requests.Session | None = None
                 ) -> None:
        self.timeout = timeout_seconds
        self.http = session or requests.Session()

    def post(self, url: str, document: bytes, *, invoice: str, pdf: Path | None = None,
             cid: str | None = None) -> Reply:
        if pdf is not None and cid:
            body, kind = _multipart(document, pdf, cid)
        else:
            body, kind = document, "text/xml; charset=UTF-8"
        try:
            response = self.http.post(url, data=body, headers={"Content-Type": kind},
                                      timeout=(min(self.timeout, 5.0), self.timeout))
            content = response.content
        except requests.ConnectionError as error:
            if _never_connected(error):
                raise PortalUnavailable(f"invoice {invoice}: the network at {url} cannot be "
                                        f"reached ({type(error).__name__}); nothing was sent"
                                        ) from None
            raise PortalUncertain(f"invoice {invoice}: the connection dropped before the "
                                  "network answered; it is looked up before any resend") from None
        except requests.RequestException as error:  # read timeout, truncated answer
            raise PortalUncertain(f"invoice {invoice}: no answer from the network "
                                  f"({type(error).__name__}) within {self.timeout:g} s; it is "
                                  "looked up before any resend") from None
        code, text = status_of(content, response.status_code)
        return Reply(http_status=response.status_code, code=code, text=text, body=content)

    def lookup(self, url: str, invoice: str, *, api_key: str) -> FoundInvoice | None:
        """The buyer's record of ``invoice`` (None: not there). Any failure is retriable."""
        try:
            response = self.http.get(url, params={"invoice_number": invoice},
                                     headers={"X-Api-Key": api_key, "Accept": "application/json"},
                                     timeout=(min(self.timeout, 5.0), self.timeout))
            response.raise_for_status()
            rows = response.json()
        except (requests.RequestException, ValueError) as error:
            raise PortalUnavailable(f"invoice {invoice}: the lookup at {url} failed "
                                    f"({type(error).__name__}); asked again later") from None
        for row in rows:
            if row.get("invoice_number") == invoice:
                return FoundInvoice(number=invoice, po_number=row.get("po_number", ""),
                                    gross=Decimal(str(row.get("gross", "0"))),
                                    currency=row.get("currency", ""),
                                    status=row.get("status", ""),
                                    reason=row.get("reason", ""))
        return None


def _never_connected(error: requests.ConnectionError) -> bool:
    text = str(error).lower()
    return "connection refused" in text or "name or service not known" in text or \
        "newconnectionerror" in text.replace(" ", "")
