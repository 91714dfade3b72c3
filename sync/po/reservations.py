"""PO balance reserved across runs: two runs at once (two hosts) never submit more than a
PO's remaining balance between them.

Each run reads the portal's balances once; what the portal counts in that read is what it
had stored when the read *started*. So an invoice's amount counts against a run's read while
it is in flight anywhere (reserved, its upload still ``submitting``: it may be on the portal
already) and once it is on the portal if it got there after the read started (``settled_at``
at or after the read's start). The check and the reservation are one transaction under the
PO's lock (``SELECT … FOR UPDATE`` on its ``portal_po`` row on PostgreSQL; SQLite's write
transaction is exclusive), so the second of two runs sees the first one's reservation.

Both times come from one clock: the database's on PostgreSQL (hosts' clocks may differ), this
host's on SQLite (a file store lives on one host). An invoice that lands on the portal while
another run is reading may be counted twice (by the portal and here): never an
over-commitment, and before it holds an invoice on that doubt the runner reads the PO again
(:func:`landed_while_read`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import Connection, delete, func, insert, or_, select, text, update

from sync.po.models import PoReservationRow
from sync.tables import table_of
from sync.uploads.holds import PoBalance, hold_reason
from sync.uploads.models import PortalPurchaseOrderRow, PortalUploadRow
from sync.uploads.queue import Upload

RESERVATIONS = table_of(PoReservationRow)
POS = table_of(PortalPurchaseOrderRow)
UPLOADS = table_of(PortalUploadRow)
KEEP_SETTLED = timedelta(days=1)  # longer than any run works from one balance read


def store_now(conn: Connection) -> datetime:
    """The one clock reservations and balance reads are compared on."""
    if conn.dialect.name == "postgresql":
        return conn.execute(text("SELECT clock_timestamp()")).scalar_one()
    return datetime.now(timezone.utc)


def _others(conn: Connection, upload: Upload, po: PoBalance, read_started: datetime) -> Decimal:
    r = RESERVATIONS.c
    in_flight = select(UPLOADS.c.id).where(UPLOADS.c.id == r.upload_id,
                                           UPLOADS.c.state == "submitting").exists()
    total = conn.execute(select(func.coalesce(func.sum(r.amount), 0)).where(
        r.portal == upload.portal, r.po_number == po.number, r.currency == po.currency,
        r.upload_id != upload.id,
        or_(r.settled_at >= read_started, r.settled_at.is_(None) & in_flight))).scalar_one()
    return Decimal(total)


def reserve(conn: Connection, upload: Upload, po: PoBalance | None, *, read_started: datetime,
            owner_run: str, today: date) -> str | None:
    """Check ``upload`` against its PO as read (``po``) minus what other uploads hold on it,
    and reserve its net amount if it fits. Returns why it must be held, or None (reserved).
    Call inside the write transaction that confirms the upload's claim."""
    conn.execute(delete(RESERVATIONS).where(RESERVATIONS.c.upload_id == upload.id))
    if po is not None and upload.po_number:
        if conn.dialect.name == "postgresql":
            conn.execute(select(POS.c.number).where(
                POS.c.portal == upload.portal, POS.c.number == po.number).with_for_update())
        po = replace(po, remaining=po.remaining - _others(conn, upload, po, read_started))
    reason = hold_reason(po_number=upload.po_number, net=upload.net, currency=upload.currency,
                         po=po, portal=upload.portal, today=today)
    if reason is not None or po is None:
        return reason
    now = store_now(conn)
    conn.execute(delete(RESERVATIONS).where(
        RESERVATIONS.c.portal == upload.portal, RESERVATIONS.c.po_number == po.number,
        RESERVATIONS.c.settled_at < now - KEEP_SETTLED))
    conn.execute(insert(RESERVATIONS).values(
        upload_id=upload.id, portal=upload.portal, po_number=po.number, amount=upload.net,
        currency=upload.currency, owner_run=owner_run[:40], reserved_at=now))
    return None


def landed_while_read(conn: Connection, portal: str, po_number: str, *, read_started: datetime,
                      read_finished: datetime) -> bool:
    """Did an invoice on the PO reach the portal while it was being read? Then the read may
    or may not count it, and a hold decided on it is worth a fresh read first."""
    r = RESERVATIONS.c
    return conn.execute(select(r.upload_id).where(
        r.portal == portal, r.po_number == po_number, r.settled_at >= read_started,
        r.settled_at <= read_finished).limit(1)).first() is not None


def settle(conn: Connection, upload_id: int) -> None:
    """The portal has the invoice: reads that start from now on count it themselves."""
    conn.execute(update(RESERVATIONS).where(
        RESERVATIONS.c.upload_id == upload_id, RESERVATIONS.c.settled_at.is_(None)
    ).values(settled_at=store_now(conn)))


def drop(conn: Connection, upload_id: int) -> None:
    """The invoice did not reach the portal (held, failed, to be retried): free its amount."""
    conn.execute(delete(RESERVATIONS).where(RESERVATIONS.c.upload_id == upload_id,
                                            RESERVATIONS.c.settled_at.is_(None)))


def held_on(conn: Connection, portal: str, po_number: str) -> Decimal:
    """What is reserved on a PO and not yet settled (for listings and tests)."""
    r = RESERVATIONS.c
    return Decimal(conn.execute(select(func.coalesce(func.sum(r.amount), 0)).where(
        r.portal == portal, r.po_number == po_number, r.settled_at.is_(None))).scalar_one())
