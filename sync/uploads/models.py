"""The portal upload tables (SQLModel): the upload queue, every attempt, and each PO as last read
on a client's portal (its balance drives holds)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from sync.types import Money, UtcDateTime


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
