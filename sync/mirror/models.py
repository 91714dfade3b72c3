"""The SAP mirror's tables (SQLModel): customers, billing documents and their items, open and
cleared items (one non-table base holds the fields both share) and the sync cursors. Table
models skip validation: parse input into the records of ``sap.records`` (or other non-table
models) first, then store."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Index
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
    reference: str | None = Field(default=None, max_length=16,
                                  description="XBLNR: a credit memo's invoice")


class BillingItemRow(SQLModel, table=True):
    """One item of a billing document (VBRP; S/4 A_BillingDocumentItem), written with its
    header and replaced when the header is pulled again: what was billed, and SAP's VAT on
    it, rounded per item as SAP does."""

    __tablename__ = "billing_item"

    billing_document: str = Field(primary_key=True, max_length=10)
    item: str = Field(primary_key=True, max_length=6, description="POSNR, six digits")
    material: str | None = Field(default=None, max_length=40)
    description: str | None = Field(default=None, max_length=40)
    quantity: Decimal = Field(sa_type=Money, description="FKIMG: three decimals, exact")
    unit: str | None = Field(default=None, max_length=3)
    net: Decimal = Field(sa_type=Money)
    tax: Decimal = Field(sa_type=Money)


class CustomerItem(SQLModel):
    """What an open and a cleared customer item both hold (not a table): the key
    (company code, document, fiscal year, line) and the item's amount, dates and references."""

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


class OpenItemRow(CustomerItem, table=True):
    __tablename__ = "open_item"
    __table_args__ = (Index("ix_open_item_customer", "company_code", "customer"),
                      # covers the collections' grouped read of every position (0016)
                      Index("ix_open_item_position", "company_code", "customer", "currency",
                            "amount", "due_date"),
                      # the age analysis reads its open branch from this index alone
                      Index("ix_open_item_ageing", "company_code", "customer", "currency",
                            "posting_date", "due_date", "document_date", "amount"))

    billing_document: str | None = Field(default=None, max_length=10, index=True)
    synced_at: datetime = Field(sa_type=UtcDateTime)


class ClearedItemRow(CustomerItem, table=True):
    """A customer item cleared in SAP (BSAD): the open item as it was, with when and by which
    document it was cleared, so the ledger can be rebuilt as at any past date."""

    __tablename__ = "cleared_item"
    __table_args__ = (Index("ix_cleared_item_customer", "company_code", "customer"),
                      Index("ix_cleared_item_cleared", "clearing_date"),
                      # the age analysis reads its cleared-later branch from this index alone
                      Index("ix_cleared_item_ageing", "company_code", "customer", "currency",
                            "clearing_date", "posting_date", "due_date", "document_date",
                            "amount", "document", "fiscal_year", "line"))

    billing_document: str | None = Field(default=None, max_length=10)
    clearing_date: date
    clearing_document: str | None = Field(default=None, max_length=10)
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
