"""Invoices cancelled in SAP (VF11) in the upload queue: never submitted, and flagged when one
already reached a portal (the client must get a credit note there)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, or_, select, update

from sync import audit
from sync.mirror.models import BillingDocumentRow
from sync.tables import table_of
from sync.uploads.models import PortalUploadRow
from sync.uploads.states import ON_PORTAL

UPLOADS = table_of(PortalUploadRow)
DOCS = table_of(BillingDocumentRow)
NOTE = "cancelled in SAP"


def not_cancelled() -> Any:
    """A condition on uploads: their billing document is not cancelled in SAP."""
    return ~exists().where(and_(DOCS.c.number == UPLOADS.c.billing_document,
                                DOCS.c.cancelled.is_(True)))


def flag_cancelled(conn: Connection, *, now: datetime) -> int:
    """Give every upload of a cancelled invoice a reason that says so (once), audited: one not
    yet on the portal will not be submitted; one already there needs a credit note."""
    query = select(UPLOADS.c.id, UPLOADS.c.billing_document, UPLOADS.c.state,
                   UPLOADS.c.reason).select_from(
        UPLOADS.join(DOCS, DOCS.c.number == UPLOADS.c.billing_document)).where(
        DOCS.c.cancelled.is_(True),
        or_(UPLOADS.c.reason.is_(None), ~UPLOADS.c.reason.startswith(NOTE)))
    events = []
    for upload_id, document, state, reason in conn.execute(query).all():
        note = (f"{NOTE} after it reached the portal: raise a credit note there"
                if state in ON_PORTAL else f"{NOTE}: it will not be submitted")
        conn.execute(update(UPLOADS).where(UPLOADS.c.id == upload_id).values(
            reason=f"{note}; {reason}" if reason else note, updated_at=now))
        events.append(audit.event(action="upload flagged", entity="portal_upload",
                                  key=document, at=now, detail={"state": state, "reason": note}))
    audit.record(conn, events)
    return len(events)
