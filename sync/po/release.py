"""Hold and release: when a new PO or a top-up shows up (on the portal read or entered by an
administrator), held invoices are checked again in billing-date order and released up to
what fits; what still does not fit stays held with the new reason.

Which PO an invoice goes against: SAP's billing document wins (the client's new PO number
entered in SAP); while SAP still carries the number it had when an administrator re-pointed
the invoice (``arbridge po assign``), the administrator's choice stands.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Connection, func, select, update

from config.errors import InputError
from sync import audit
from sync.audit_models import AuditEventRow
from sync.mirror.models import BillingDocumentRow
from sync.po.models import PoAssignmentRow, PoLedgerRow
from sync.tables import table_of
from sync.uploads import queue as uploads
from sync.uploads.holds import PoBalance, hold_reason
from sync.uploads.models import PortalUploadRow
from sync.upsert import upsert

UPLOADS = table_of(PortalUploadRow)
DOCS = table_of(BillingDocumentRow)
LEDGER = table_of(PoLedgerRow)
ASSIGNMENTS = table_of(PoAssignmentRow)
COMMITTED_STATES = ("queued", "review", "ready", "submitting")
ASSIGNABLE_STATES = frozenset({"queued", "review", "ready", "held", "failed", "rejected"})
RELEASED = "upload released"


@dataclass(frozen=True, slots=True)
class Held:
    upload_id: int
    document: str
    po_number: str | None
    net: Decimal
    currency: str
    billed: date
    reason: str | None
    sap_po: str | None = None
    assigned_po: str | None = None
    assigned_while_sap_had: str | None = None

    @property
    def target_po(self) -> str | None:
        """SAP's number wins unless an administrator re-pointed the invoice and SAP has not
        changed since."""
        if self.assigned_po is not None and self.sap_po == self.assigned_while_sap_had:
            return self.assigned_po
        return self.sap_po or self.po_number


@dataclass(frozen=True, slots=True)
class Decision:
    held: Held
    po_number: str | None
    release: bool
    reason: str | None


def plan(held: list[Held], balances: dict[str, PoBalance], committed: dict[str, Decimal], *,
         portal: str, today: date) -> list[Decision]:
    """Pure: in billing-date order, release what fits the balance left after the invoices
    already on their way (``committed``)."""
    left = {n: b.remaining - committed.get(n, Decimal("0")) for n, b in balances.items()}
    decisions = []
    for h in sorted(held, key=lambda h: (h.billed, h.document)):
        po_number = h.target_po
        balance = balances.get(po_number or "")
        if balance is not None:
            balance = replace(balance, remaining=left[balance.number])
        reason = hold_reason(po_number=po_number, net=h.net, currency=h.currency, po=balance,
                             portal=portal, today=today)
        if reason is None and balance is not None:
            left[balance.number] -= h.net
        decisions.append(Decision(h, po_number, reason is None, reason))
    return decisions


def held_uploads(conn: Connection, portal: str) -> list[Held]:
    query = select(UPLOADS.c.id, UPLOADS.c.billing_document, UPLOADS.c.po_number,
                   UPLOADS.c.net, UPLOADS.c.currency, UPLOADS.c.invoice_date, UPLOADS.c.reason,
                   DOCS.c.customer_po, ASSIGNMENTS.c.po_number, ASSIGNMENTS.c.sap_po
                   ).select_from(UPLOADS.outerjoin(DOCS, DOCS.c.number ==
                                                   UPLOADS.c.billing_document)
                                 .outerjoin(ASSIGNMENTS, ASSIGNMENTS.c.billing_document ==
                                            UPLOADS.c.billing_document)
                                 ).where(UPLOADS.c.portal == portal, UPLOADS.c.state == "held")
    # unpacked by name: SQLAlchemy types a row of ten columns or more as open-ended
    return [Held(upload_id, document, po_number, net, currency, billed, reason, sap_po,
                 assigned_po, assigned_while_sap_had)
            for (upload_id, document, po_number, net, currency, billed, reason, sap_po,
                 assigned_po, assigned_while_sap_had) in conn.execute(query)]


def committed(conn: Connection, portal: str) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(lambda: Decimal("0"))
    for po, net in conn.execute(select(UPLOADS.c.po_number, UPLOADS.c.net).where(
            UPLOADS.c.portal == portal, UPLOADS.c.state.in_(COMMITTED_STATES))):
        totals[po or ""] += net
    return totals


def release_held(conn: Connection, portal: str, balances: dict[str, PoBalance], *,
                 now: datetime, review: bool = False) -> int:
    """Check ``portal``'s held invoices against ``balances``; returns how many were released
    (to ``ready``, or ``review`` where a person approves each upload)."""
    held = held_uploads(conn, portal)
    if not held:
        return 0
    released = 0
    events = []
    for d in plan(held, balances, committed(conn, portal), portal=portal, today=now.date()):
        if d.po_number != d.held.po_number:
            conn.execute(update(UPLOADS).where(UPLOADS.c.id == d.held.upload_id).values(
                po_number=d.po_number))
            events.append(audit.event(
                action="upload po changed", entity="portal_upload", key=d.held.document,
                at=now, detail={"from": d.held.po_number, "to": d.po_number,
                                "why": "administrator's assignment" if d.po_number ==
                                d.held.assigned_po else "SAP billing document"}))
        if d.release:
            uploads.transition(conn, d.held.upload_id, "review" if review else "ready",
                               now=now, reason=f"released: PO {d.po_number} has room",
                               next_attempt_at=None)
            events.append(audit.event(action=RELEASED, entity="portal_upload",
                                      key=d.held.document, at=now,
                                      detail={"po": d.po_number, "net": d.held.net}))
            released += 1
        elif d.reason != d.held.reason:
            conn.execute(update(UPLOADS).where(UPLOADS.c.id == d.held.upload_id).values(
                reason=d.reason, updated_at=now))
    audit.record(conn, events)
    return released


def assign(conn: Connection, document: str, po_number: str, *, who: str,
           now: datetime) -> uploads.Upload:
    """Re-point an invoice to another PO (audited). SAP's number wins again once it changes."""
    upload = uploads.by_document(conn, document)
    if upload is None:
        raise InputError(f"no upload for billing document {document}")
    if upload.state not in ASSIGNABLE_STATES:
        raise InputError(f"billing document {upload.billing_document} is {upload.state}: only "
                         f"{', '.join(sorted(ASSIGNABLE_STATES))} uploads can be re-pointed")
    po_number = po_number.strip()
    if not po_number:
        raise InputError("the PO number is empty")
    doc = conn.execute(select(DOCS.c.customer_po, DOCS.c.sold_to, DOCS.c.payer).where(
        DOCS.c.number == upload.billing_document)).first()
    sap_po = doc.customer_po if doc else None
    owner = conn.execute(select(LEDGER.c.customer).where(
        LEDGER.c.portal == upload.portal, LEDGER.c.number == po_number)).scalar()
    if owner and doc and owner not in (doc.sold_to, doc.payer):
        raise InputError(f"PO {po_number} on {upload.portal} is customer {owner}'s; billing "
                         f"document {upload.billing_document} is customer {doc.sold_to}'s: "
                         "choose one of that customer's POs")
    upsert(conn, ASSIGNMENTS, [{"billing_document": upload.billing_document,
                                "po_number": po_number, "sap_po": sap_po, "assigned_by": who,
                                "assigned_at": now}], ("billing_document",))
    conn.execute(update(UPLOADS).where(UPLOADS.c.id == upload.id).values(
        po_number=po_number, updated_at=now))
    audit.record(conn, [audit.event(action="upload po assigned", entity="portal_upload",
                                    key=upload.billing_document, actor=who, at=now,
                                    detail={"from": upload.po_number, "to": po_number,
                                            "sap_po": sap_po})])
    return uploads.get(conn, upload.id)


def released_count(conn: Connection) -> int:
    """Held invoices released by a new PO or a top-up, ever (from the audit trail)."""
    events = table_of(AuditEventRow)
    return int(conn.execute(select(func.count()).select_from(events).where(
        events.c.action == RELEASED)).scalar_one())
