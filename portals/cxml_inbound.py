"""What the networks send back, handled: ``StatusUpdateRequest`` updates the upload
(approved, rejected with the reason, paid) and ``PaymentRemittanceRequest`` becomes a
remittance advice. Each message is authenticated by the portal's shared secret and handled
once by its payloadID: a replay gets the first answer and changes nothing.

The HTTP side (size and rate limits) is ``admin.cxml_inbound``; this module answers
``(code, text)`` for the cXML ``Response``.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from datetime import datetime

from lxml import etree
from sqlalchemy import Engine, or_, select
from sqlalchemy.exc import IntegrityError

from config.errors import ArbridgeError
from connectors.remittance.cxml import parse_payment_remittance, store_advice
from portals.accounts import PortalAccount
from portals.drivers.cxml.errors import CxmlInvalid
from portals.drivers.cxml.validate import dtd_errors, parse
from sync import audit
from sync.mirror.models import BillingDocumentRow, CustomerRow
from sync.tables import table_of
from sync.txn import writing
from sync.uploads import cxml_payloads
from sync.uploads import queue as uploads
from sync.uploads.states import TRANSITIONS

log = logging.getLogger(__name__)
PAYLOAD_ID_MAX = 250  # the cxml_payload key's length: a longer one failed on PostgreSQL
# cXML InvoiceStatus type → arbridge's upload state (None: nothing changes)
STATUS = {"processing": None, "reconciled": "approved", "paying": "approved",
          "paid": "paid", "rejected": "rejected", "canceled": "rejected"}


def _portal_for(root: etree._Element, accounts: dict[str, PortalAccount]
                ) -> PortalAccount | None:
    """The cXML portal whose buyer sent this (From = the buyer, To = the supplier), if the
    shared secret is the portal's; compared in constant time."""
    sent_from = {(c.get("domain", "").lower(), (c.findtext("Identity") or "").strip())
                 for c in root.findall("Header/From/Credential")}
    secret = (root.findtext("Header/Sender/Credential/SharedSecret") or "").encode()
    for account in accounts.values():
        cxml = account.settings.cxml
        if account.settings.channel != "cxml" or cxml is None:
            continue
        if (cxml.to.domain.lower(), cxml.to.identity) in sent_from and \
                hmac.compare_digest(secret, account.password.encode()):
            return account
    return None


def handle(engine: Engine, body: bytes, accounts: dict[str, PortalAccount], *,
           now: datetime, admit: Callable[[str], bool] | None = None) -> tuple[int, str]:
    """The answer to one inbound message, as (cXML status code, text).

    ``admit`` is asked with the portal's name once the message authenticates, before
    anything else is done with it (the HTTP side's rate limit per network); False answers
    429 and changes nothing."""
    try:
        tree = parse(body)
        errors = dtd_errors(body)
    except CxmlInvalid as error:
        return 406, str(error).split(": ", 1)[-1]
    root = tree.getroot()
    account = _portal_for(root, accounts)
    if account is None:
        log.warning("inbound cXML %s refused: unknown sender or wrong shared secret",
                    root.get("payloadID", "?"))
        return 401, "Unauthorized: unknown sender or wrong shared secret"
    if admit is not None and not admit(account.name):
        log.warning("inbound cXML %s from %s refused: over its rate limit",
                    root.get("payloadID", "?"), account.name)
        return 429, "Too Many Requests: slow down"
    if errors:
        return 406, "Not Acceptable: " + "; ".join(errors[:3])
    payload = root.get("payloadID", "")
    if not 0 < len(payload) <= PAYLOAD_ID_MAX:
        return 406, f"Not Acceptable: payloadID must be 1 to {PAYLOAD_ID_MAX} characters"
    request = root.find("Request")
    kind = request[0].tag if request is not None and len(request) else ""
    if kind not in ("StatusUpdateRequest", "PaymentRemittanceRequest"):
        return 406, f"Not Acceptable: {kind or 'no request'} is not handled here"
    try:
        return _once(engine, root, account, payload, kind, now)
    except IntegrityError:
        # the same message arrived twice at once (PostgreSQL: both found no answer, the
        # second insert of the payloadID conflicts and its work is rolled back): answer it
        # as the replay it is, from the first one's stored answer
        return _once(engine, root, account, payload, kind, now)


def _once(engine: Engine, root: etree._Element, account: PortalAccount, payload: str,
          kind: str, now: datetime) -> tuple[int, str]:
    """Handle the message in one transaction, with its answer stored by (portal,
    payloadID); a replay gets the stored answer and changes nothing."""
    with writing(engine) as conn:
        answered = cxml_payloads.seen(conn, account.name, payload)
        if answered is not None:
            return answered
        try:
            if kind == "StatusUpdateRequest":
                code, text, document = _status(conn, root, account, now)
            else:
                code, text, document = _remittance(conn, root, account, now)
        except ArbridgeError as error:
            code, text, document = 400, f"Bad Request: {error}", "?"
        cxml_payloads.record_inbound(conn, payload_id=payload, kind=kind,
                                     portal=account.name, document=document[:35],
                                     code=code, text=text, now=now)
    return code, text


def _status(conn, root: etree._Element, account: PortalAccount,  # type: ignore[no-untyped-def]
            now: datetime) -> tuple[int, str, str]:
    status = root.find("Request/StatusUpdateRequest/InvoiceStatus")
    if status is None:
        return 200, "OK (no invoice status)", "?"
    number = status.find("InvoiceIDInfo").get("invoiceID", "")  # type: ignore[union-attr]
    reason = " ".join((c.text or "").strip() for c in status.findall("Comments")).strip()
    upload = uploads.by_document(conn, number)
    if upload is None or upload.portal != account.name:
        return 400, f"Bad Request: invoice {number} is not known on {account.name}", number
    target = STATUS.get(status.get("type", ""))
    if target is None or target == upload.state:
        return 200, f"OK: invoice {number} stays {upload.state}", number
    if target not in TRANSITIONS.get(upload.state, frozenset()):
        return 200, f"OK: invoice {number} is {upload.state}; {target} noted only", number
    uploads.transition(conn, upload.id, target, now=now, reason=reason or None,
                       actor=f"cxml:{account.name}")
    return 200, f"OK: invoice {number} {target}", number


def _remittance(conn, root: etree._Element, account: PortalAccount,  # type: ignore[no-untyped-def]
                now: datetime) -> tuple[int, str, str]:
    source = f"cXML {account.name} {root.get('payloadID', '')}"
    advice = parse_payment_remittance(root, payer=_payer(conn, root, account), source=source)
    for number, line in enumerate(advice.lines, start=1):
        if not _on_portal(conn, line.invoice_ref, account.name):
            return 400, (f"Bad Request: detail {number}: invoice {line.invoice_ref or '(none)'}"
                         f" is not known on {account.name}"), advice.payment_reference
    stored = store_advice(conn, advice, source=source, now=now)
    audit.record(conn, [audit.event(action="remittance received", entity="remittance",
                                    key=advice.payment_reference, actor=f"cxml:{account.name}",
                                    at=now, detail={"lines": len(advice.lines),
                                                    "total": str(advice.total),
                                                    "currency": advice.currency,
                                                    "new": stored})])
    return 200, f"OK: remittance {advice.payment_reference} with {len(advice.lines)} lines", \
        advice.payment_reference


def _on_portal(conn, invoice: str, portal: str) -> bool:  # type: ignore[no-untyped-def]
    """Is ``invoice`` one of this portal's: uploaded through it, or billed to a customer
    bound to it? (With or without leading zeros.)"""
    if not invoice:
        return False
    upload = uploads.by_document(conn, invoice)
    if upload is not None:
        return upload.portal == portal
    customers, billing = table_of(CustomerRow), table_of(BillingDocumentRow)
    bound = select(customers.c.number).where(customers.c.portal == portal,
                                             customers.c.company_code == billing.c.company_code)
    return conn.execute(select(billing.c.number).where(
        billing.c.number.in_({invoice, invoice.zfill(10)}),
        or_(billing.c.payer.in_(bound), billing.c.sold_to.in_(bound)))).first() is not None


def _payer(conn, root: etree._Element, account: PortalAccount) -> str:  # type: ignore[no-untyped-def]
    """The customer of the first invoice paid (its name), else the portal's name."""
    reference = root.find(".//InvoiceReference")
    upload = uploads.by_document(conn, reference.get("invoiceID", "")) \
        if reference is not None else None
    if upload is not None:
        table = table_of(CustomerRow)
        name = conn.execute(select(table.c.name).join_from(
            table, uploads.UPLOADS, table.c.number == uploads.UPLOADS.c.customer).where(
            uploads.UPLOADS.c.id == upload.id)).scalar()
        if name:
            return str(name)
    return account.name
