"""The store's tables (SQLModel). Table models skip validation: parse input into the records
of ``sap.records`` (or other non-table models) first, then store."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from sync.types import Money, UtcDateTime


class CustomerRow(SQLModel, table=True):
    __tablename__ = "customer"

    company_code: str = Field(primary_key=True, max_length=4)
    number: str = Field(primary_key=True, max_length=10)
    name: str = Field(max_length=80)
    vat_number: str | None = Field(default=None, max_length=20)
    payment_terms: str | None = Field(default=None, max_length=4)
    email: str | None = Field(default=None, max_length=241, description="personal data")
    phone: str | None = Field(default=None, max_length=30, description="personal data")
    city: str | None = Field(default=None, max_length=40)
    country: str | None = Field(default=None, max_length=3)
    customer_group: str | None = Field(default=None, max_length=3)
    portal: str | None = Field(default=None, max_length=40, index=True)
    synced_at: datetime = Field(sa_type=UtcDateTime)


class BillingDocumentRow(SQLModel, table=True):
    __tablename__ = "billing_document"

    number: str = Field(primary_key=True, max_length=10)
    doc_type: str = Field(max_length=4)
    company_code: str = Field(max_length=4)
    sold_to: str = Field(max_length=10, index=True)
    payer: str = Field(max_length=10)
    billing_date: date
    net: Decimal = Field(sa_type=Money)
    tax: Decimal = Field(sa_type=Money)
    gross: Decimal = Field(sa_type=Money)
    currency: str = Field(max_length=5)
    customer_po: str | None = Field(default=None, max_length=35, index=True)
    accounting_document: str | None = Field(default=None, max_length=10)
    fiscal_year: int | None = None
    cancelled: bool = False
    changed_at: datetime = Field(sa_type=UtcDateTime, description="last change in SAP")
    synced_at: datetime = Field(sa_type=UtcDateTime)


class OpenItemRow(SQLModel, table=True):
    __tablename__ = "open_item"
    __table_args__ = (Index("ix_open_item_customer", "company_code", "customer"),)

    company_code: str = Field(primary_key=True, max_length=4)
    document: str = Field(primary_key=True, max_length=10)
    fiscal_year: int = Field(primary_key=True)
    line: int = Field(primary_key=True)
    customer: str = Field(max_length=10)
    amount: Decimal = Field(sa_type=Money, description="signed: debit +, credit -")
    currency: str = Field(max_length=5)
    posting_date: date
    document_date: date
    due_date: date
    reference: str | None = Field(default=None, max_length=16)
    assignment: str | None = Field(default=None, max_length=18)
    doc_type: str = Field(max_length=2)
    billing_document: str | None = Field(default=None, max_length=10, index=True)
    synced_at: datetime = Field(sa_type=UtcDateTime)


class SyncCursorRow(SQLModel, table=True):
    """Where the incremental pull of one entity in one scope (company code) stands."""

    __tablename__ = "sync_cursor"

    source: str = Field(primary_key=True, max_length=20)
    entity: str = Field(primary_key=True, max_length=40)
    scope: str = Field(primary_key=True, max_length=20)
    since: str | None = Field(default=None, max_length=40)
    after_key: str | None = Field(default=None, max_length=40)
    high_water: str | None = Field(default=None, max_length=40)
    updated_at: datetime = Field(sa_type=UtcDateTime)


class AuditEventRow(SQLModel, table=True):
    """Who changed what, when. ``detail`` is JSON; personal data in it is masked."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity", "entity_key"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UtcDateTime, index=True)
    actor: str = Field(max_length=80)
    action: str = Field(max_length=40)
    entity: str = Field(max_length=40)
    entity_key: str = Field(max_length=80)
    detail: str = Field(sa_column=Column(Text, nullable=False))


class PortalUploadRow(SQLModel, table=True):
    """One invoice to put on a client's portal; its ``state`` follows ``sync.upload_states``."""

    __tablename__ = "portal_upload"

    id: int | None = Field(default=None, primary_key=True)
    billing_document: str = Field(max_length=10, unique=True)
    portal: str = Field(max_length=40, index=True)
    company_code: str = Field(max_length=4)
    customer: str = Field(max_length=10)
    invoice_number: str = Field(max_length=20)
    po_number: str | None = Field(default=None, max_length=35)
    invoice_date: date
    net: Decimal = Field(sa_type=Money)
    tax: Decimal = Field(sa_type=Money)
    gross: Decimal = Field(sa_type=Money)
    currency: str = Field(max_length=5)
    state: str = Field(max_length=20, index=True)
    reason: str | None = Field(default=None, sa_column=Column(Text))
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)


class UploadAttemptRow(SQLModel, table=True):
    """One try at putting an invoice on a portal, recorded *before* the portal is touched."""

    __tablename__ = "upload_attempt"

    id: int | None = Field(default=None, primary_key=True)
    upload_id: int = Field(foreign_key="portal_upload.id", index=True)
    number: int
    idempotency_key: str = Field(max_length=80)
    started_at: datetime = Field(sa_type=UtcDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    outcome: str | None = Field(default=None, max_length=20)
    detail: str | None = Field(default=None, sa_column=Column(Text))
    evidence: str | None = Field(default=None, max_length=500)


class PortalPurchaseOrderRow(SQLModel, table=True):
    """A PO as last read on a client's portal: its balance drives holds and alerts."""

    __tablename__ = "portal_po"

    portal: str = Field(primary_key=True, max_length=40)
    number: str = Field(primary_key=True, max_length=35)
    total: Decimal = Field(sa_type=Money)
    invoiced: Decimal = Field(sa_type=Money)
    remaining: Decimal = Field(sa_type=Money)
    currency: str = Field(max_length=5)
    open: bool
    valid_to: date | None = None
    read_at: datetime = Field(sa_type=UtcDateTime)
