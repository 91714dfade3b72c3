"""The store's PO-depletion tables: the PO ledger and its balance history, alerts, their
deliveries (claimed before sending), the outbox, and administrators' PO re-assignments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from sync.types import Money, UtcDateTime


class PoLedgerRow(SQLModel, table=True):
    """One client PO as arbridge keeps it: the portal's figures beside arbridge's own.

    ``invoiced`` is the portal's figure at the last read; ``pending`` is arbridge's invoices
    against the PO that the portal does not count yet (queued, in review, ready, being
    submitted, held, or submitted since the read); ``remaining`` is what is left for new
    invoices: total − invoiced − submitted since the read. ``own_invoiced`` is what arbridge
    had put on the portal at the read; when it differs from ``invoiced`` the PO is flagged.
    """

    __tablename__ = "po_ledger"

    portal: str = Field(primary_key=True, max_length=40)
    number: str = Field(primary_key=True, max_length=35)
    customer: str | None = Field(default=None, max_length=10)
    customer_name: str | None = Field(default=None, max_length=80)
    total: Decimal = Field(sa_type=Money)
    invoiced: Decimal = Field(sa_type=Money)
    pending: Decimal = Field(sa_type=Money)
    remaining: Decimal = Field(sa_type=Money)
    currency: str = Field(max_length=5)
    open: bool = True
    valid_to: date | None = None
    source: str = Field(max_length=10, description="portal or manual")
    own_invoiced: Decimal = Field(sa_type=Money)
    mismatch: str | None = Field(default=None, sa_column=Column(Text))
    first_seen_at: datetime = Field(sa_type=UtcDateTime)
    read_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)


class PoBalanceReadRow(SQLModel, table=True):
    """Every balance read of a PO (portal or manual): the burn-down's data points."""

    __tablename__ = "po_balance_read"
    __table_args__ = (Index("ix_po_balance_read_po", "portal", "number", "read_at"),)

    id: int | None = Field(default=None, primary_key=True)
    portal: str = Field(max_length=40)
    number: str = Field(max_length=35)
    read_at: datetime = Field(sa_type=UtcDateTime)
    total: Decimal = Field(sa_type=Money)
    invoiced: Decimal = Field(sa_type=Money)
    remaining: Decimal = Field(sa_type=Money)
    currency: str = Field(max_length=5)
    source: str = Field(max_length=10)


class PoAlertRow(SQLModel, table=True):
    """One alert: at most one open per PO and rule (partial unique index)."""

    __tablename__ = "po_alert"
    __table_args__ = (
        Index("ux_po_alert_open", "portal", "po_number", "rule", unique=True,
              sqlite_where=text("state = 'open'"), postgresql_where=text("state = 'open'")),
    )

    id: int | None = Field(default=None, primary_key=True)
    portal: str = Field(max_length=40)
    po_number: str = Field(max_length=35)
    customer: str | None = Field(default=None, max_length=10)
    rule: str = Field(max_length=20)
    level: str = Field(max_length=10)
    state: str = Field(max_length=10, index=True)
    summary: str = Field(sa_column=Column(Text, nullable=False))
    snapshot: str = Field(sa_column=Column(Text, nullable=False), description="JSON")
    opened_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    close_reason: str | None = Field(default=None, max_length=200)
    acknowledged_by: str | None = Field(default=None, max_length=80)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class AlertDeliveryRow(SQLModel, table=True):
    """One alert at one level for one recipient: sent once, claimed before sending
    (``sync.work.claims``, kind ``alert_delivery``)."""

    __tablename__ = "alert_delivery"
    __table_args__ = (UniqueConstraint("alert_id", "recipient", "level"),)

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="po_alert.id", index=True)
    recipient: str = Field(max_length=60, description="channel name, never its URL")
    level: str = Field(max_length=10)
    state: str = Field(max_length=10, index=True, description="pending, sent, failed")
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UtcDateTime)
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(sa_type=UtcDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class OutboxMessageRow(SQLModel, table=True):
    """A message written to the embedded outbox (also a file under ``ARBRIDGE_HOME/outbox``)."""

    __tablename__ = "alert_outbox"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True, description="the deliveries it carries")
    at: datetime = Field(sa_type=UtcDateTime)
    subject: str = Field(max_length=300)
    body: str = Field(sa_column=Column(Text, nullable=False))
    path: str = Field(max_length=500)


class PoAssignmentRow(SQLModel, table=True):
    """An administrator re-pointed an invoice to another PO while SAP still carried
    ``sap_po``; SAP's number wins again as soon as it changes."""

    __tablename__ = "po_assignment"

    billing_document: str = Field(primary_key=True, max_length=10)
    po_number: str = Field(max_length=35)
    sap_po: str | None = Field(default=None, max_length=35)
    assigned_by: str = Field(max_length=80)
    assigned_at: datetime = Field(sa_type=UtcDateTime)


class PoReservationRow(SQLModel, table=True):
    """An upload's claim on its PO's balance, shared by every run on every host.

    Made under the upload's claim just before it is submitted; ``settled_at`` is set once the
    portal has the invoice (from then on a balance read that starts later counts it). A
    reservation that is not settled counts against the PO until its upload is resolved.
    """

    __tablename__ = "po_reservation"
    __table_args__ = (Index("ix_po_reservation_po", "portal", "po_number"),)

    upload_id: int = Field(primary_key=True)
    portal: str = Field(max_length=40)
    po_number: str = Field(max_length=35)
    amount: Decimal = Field(sa_type=Money)
    currency: str = Field(max_length=5)
    owner_run: str = Field(max_length=40)
    reserved_at: datetime = Field(sa_type=UtcDateTime)
    settled_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
