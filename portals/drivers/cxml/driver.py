"""The cXML driver: the same ``PortalDriver`` port as the browser drivers, over HTTP.

``purchase_orders`` reads the buyer's POs with their lines (the demo serves them at
``orders_path``; on a real network they are the OrderRequests the network sent), ``find_invoice``
asks the buyer's invoice lookup, ``submit_invoice`` builds, validates and POSTs one invoice.
The exactly-once bookkeeping (payloadID stored before the POST, lookup before any resend)
is the upload runner's: ``portals.cxml_uploads``.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import requests

from config.errors import ConfigError
from config.portals import CxmlSettings
from portals.accounts import PortalAccount
from portals.driver import (
    InvoiceSubmission,
    PortalInvoice,
    PortalPurchaseOrder,
    SubmitResult,
)
from portals.drivers.cxml import build, mapping, send, validate
from portals.drivers.cxml.model import (
    BilledItem,
    Credential,
    Credentials,
    CxmlInvoice,
    CxmlOrder,
    PoLine,
)
from portals.errors import PortalLoginFailed, PortalUnavailable

# the buyer's invoice statuses → arbridge's
STATES = {"pending approval": "submitted", "processing": "submitted", "approved": "approved",
          "reconciled": "approved", "paying": "approved", "paid": "paid",
          "disputed": "disputed", "rejected": "rejected", "canceled": "rejected"}


def credentials(account: PortalAccount) -> Credentials:
    cfg = settings_of(account)
    sender = cfg.sender or cfg.sender_from
    return Credentials(
        sender_from=Credential(cfg.sender_from.domain, cfg.sender_from.identity),
        to=Credential(cfg.to.domain, cfg.to.identity),
        sender=Credential(sender.domain, sender.identity),
        shared_secret=account.password)


def settings_of(account: PortalAccount) -> CxmlSettings:
    if account.settings.cxml is None:
        raise ConfigError(f"portal {account.name} has kind = \"cxml\" but no [portals."
                          f"{account.name}.cxml] settings (flavour, sender_from, to)")
    return account.settings.cxml


class CxmlDriver:
    kind = "cxml"

    def __init__(self, account: PortalAccount, *, dtd_folders: tuple[Path, ...] = (),
                 session: requests.Session | None = None) -> None:
        self.account = account
        self.settings = settings_of(account)
        self.credentials = credentials(account)
        self.base = account.settings.url.rstrip("/")
        self.dtd_folders = dtd_folders
        self.transport = send.CxmlTransport(timeout_seconds=account.settings.timeout_seconds,
                                            session=session)
        self.orders: dict[str, CxmlOrder] = {}

    @property
    def invoices_url(self) -> str:
        return self.base + self.settings.invoices_path

    # -- the PortalDriver port ----------------------------------------------------------------
    async def login(self) -> None:  # each document carries its credentials
        return None

    async def purchase_orders(self) -> list[PortalPurchaseOrder]:
        return await asyncio.to_thread(self.read_orders)

    async def find_invoice(self, number: str) -> PortalInvoice | None:
        return await asyncio.to_thread(self.lookup, number)

    async def submit_invoice(self, invoice: InvoiceSubmission, pdf: Path) -> SubmitResult:
        document = self.document_for(
            number=invoice.number, purpose="standard", billing_date=invoice.invoice_date,
            net=invoice.net, tax=invoice.tax, currency=invoice.currency,
            po_number=invoice.po_number, terms=None, payload=build.payload_id(_now()))
        reply = await asyncio.to_thread(self.post, document, invoice.number, pdf)
        return SubmitResult(invoice=PortalInvoice(number=invoice.number,
                                                  po_number=invoice.po_number,
                                                  gross=invoice.gross, state="submitted"),
                            confirmation=f"{reply.code} {reply.text}".strip())

    async def screenshot(self, path: Path, *, full_page: bool = True) -> None:
        return None  # nothing to see: the evidence is request.xml and response.xml

    # -- synchronous calls (the cXML runner uses these from worker threads) -------------------
    def read_orders(self) -> list[PortalPurchaseOrder]:
        try:
            response = self.transport.http.get(
                self.base + self.settings.orders_path, timeout=self.transport.timeout,
                headers={"X-Api-Key": self.credentials.shared_secret})
            if response.status_code in (401, 403):
                raise PortalLoginFailed(
                    f"portal {self.account.name}: the network refuses arbridge's credentials "
                    f"({response.status_code}); check the shared secret (portals."
                    f"{self.account.name}.password_encrypted) and the identities")
            response.raise_for_status()
            rows = response.json()
        except (requests.RequestException, ValueError) as error:
            raise PortalUnavailable(f"portal {self.account.name}: the POs could not be read "
                                    f"({type(error).__name__})") from None
        self.orders = {row["number"]: _order(row) for row in rows}
        return [PortalPurchaseOrder(
            number=row["number"], total=Decimal(row["total"]),
            invoiced=Decimal(row["invoiced"]), currency=row["currency"],
            open=bool(row["open"]),
            valid_to=date.fromisoformat(row["valid_to"]) if row.get("valid_to") else None)
            for row in rows]

    def lookup(self, number: str) -> PortalInvoice | None:
        if not self.settings.status_path:
            return None
        found = self.transport.lookup(self.base + self.settings.status_path, number,
                                      api_key=self.credentials.shared_secret)
        if found is None:
            return None
        return PortalInvoice(number=found.number, po_number=found.po_number, gross=found.gross,
                             state=STATES.get(found.status.lower(), "submitted"),  # type: ignore[arg-type]
                             reason=found.reason)

    def invoice_for(self, *, number: str, purpose: mapping.Purpose, billing_date: date,
                    net: Decimal, tax: Decimal, currency: str, po_number: str,
                    terms: str | None, with_pdf: bool = True,
                    original_invoice: str | None = None,
                    items: tuple[BilledItem, ...] = ()) -> CxmlInvoice:
        """The invoice for one billing document against its PO as last read: a line per SAP
        item in ``items`` (without them, the net spread over the PO's lines)."""
        order = self.orders.get(po_number) or CxmlOrder(po_number, currency, ())
        cid = f"{number}.pdf@arbridge" if with_pdf and self.settings.attachments else None
        return mapping.from_billing_document(
            number=number, purpose=purpose, billing_date=billing_date, net=net, tax=tax,
            currency=currency, po_number=po_number, terms=terms, order=order,
            settings=self.settings, items=items, attachment_cid=cid,
            original_invoice=original_invoice)

    def document(self, invoice: CxmlInvoice, payload: str) -> bytes:
        """The request, built and checked (DTD, then business rules): raises CxmlInvalid."""
        document = build.invoice_request(
            invoice, credentials=self.credentials, payload=payload, timestamp=_now(),
            version=self.settings.version, deployment_mode=self.settings.deployment_mode)
        validate.check(document, self.orders.get(invoice.po_number), invoice=invoice.number,
                       folders=self.dtd_folders)
        return document

    def document_for(self, *, payload: str, **fields: object) -> bytes:
        return self.document(self.invoice_for(**fields), payload)  # type: ignore[arg-type]

    def post(self, document: bytes, number: str, pdf: Path | None) -> send.Reply:
        cid = f"{number}.pdf@arbridge" if pdf is not None and self.settings.attachments else None
        reply = self.transport.post(self.invoices_url, document, invoice=number,
                                    pdf=pdf if cid else None, cid=cid)
        return send.classify(reply, number)

    def masked(self, document: bytes) -> bytes:
        return build.masked(document, self.credentials.shared_secret)


def _order(row: dict) -> CxmlOrder:
    return CxmlOrder(number=row["number"], currency=row["currency"], lines=tuple(
        PoLine(number=int(line["number"]), part_id=line["part_id"],
               description=line["description"], unit=line["unit"],
               unit_price=Decimal(line["unit_price"]), amount_open=Decimal(line["amount_open"]),
               quantity_open=(Decimal(line["quantity_open"])
                              if line.get("quantity_open") is not None else None))
        for line in row.get("lines", ())))


def _now() -> datetime:
    return datetime.now(UTC)
