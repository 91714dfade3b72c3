"""Cash-application tables: bank statements and entries, remittance advices, allocations,
correcting journals and learned payer accounts. Amounts are ``Money`` with the currency beside
them; JSON columns hold the matcher's evidence and SAP's BAPIRET2 messages."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from sync.types import Money, UtcDateTime


class BankStatementRow(SQLModel, table=True):
    __tablename__ = "bank_statement"

    id: int | None = Field(default=None, primary_key=True)
    identity: str = Field(max_length=64, unique=True)
    account: str = Field(max_length=40)
    currency: str = Field(max_length=5)
    statement_ref: str = Field(max_length=80)
    source: str = Field(max_length=40)
    file_name: str = Field(max_length=255)
    opening: Decimal | None = Field(default=None, sa_type=Money)
    closing: Decimal | None = Field(default=None, sa_type=Money)
    from_date: date | None = None
    to_date: date | None = None
    unbalanced: bool = False
    entries: int = 0
    imported_at: datetime = Field(sa_type=UtcDateTime)


class BankEntryRow(SQLModel, table=True):
    """One movement on the account. Credits that are not reversals are receipts to allocate;
    ``state`` is ``open``, ``proposed``, ``allocated``, ``returned`` or ``none`` (debits)."""

    __tablename__ = "bank_entry"
    __table_args__ = (Index("ix_bank_entry_state", "state", "booking_date"),)

    id: int | None = Field(default=None, primary_key=True)
    identity: str = Field(max_length=64, unique=True)
    statement_id: int = Field(foreign_key="bank_statement.id", index=True)
    account: str = Field(max_length=40)
    currency: str = Field(max_length=5)
    direction: str = Field(max_length=4)
    amount: Decimal = Field(sa_type=Money)
    booking_date: date
    value_date: date | None = None
    reference: str = Field(default="", max_length=140)
    narrative: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    payer_name: str = Field(default="", max_length=140, description="personal data")
    payer_account: str = Field(default="", max_length=40, description="personal data")
    bank_ref: str = Field(default="", max_length=80)
    reversal: bool = False
    return_reason: str = Field(default="", max_length=35)
    original_ref: str = Field(default="", max_length=80)
    reverses_id: int | None = Field(default=None, foreign_key="bank_entry.id")
    is_receipt: bool = False
    state: str = Field(max_length=20)
    remittance: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    created_at: datetime = Field(sa_type=UtcDateTime)


class RemittanceAdviceRow(SQLModel, table=True):
    __tablename__ = "remittance_advice"

    id: int | None = Field(default=None, primary_key=True)
    identity: str = Field(max_length=64, unique=True)
    payer: str = Field(max_length=140)
    payment_reference: str = Field(max_length=140, index=True)
    advice_date: date
    currency: str = Field(max_length=5)
    total: Decimal = Field(sa_type=Money)
    source: str = Field(max_length=255)
    receipt_id: int | None = Field(default=None, foreign_key="bank_entry.id")
    created_at: datetime = Field(sa_type=UtcDateTime)


class RemittanceLineRow(SQLModel, table=True):
    __tablename__ = "remittance_line"

    id: int | None = Field(default=None, primary_key=True)
    advice_id: int = Field(foreign_key="remittance_advice.id", index=True)
    invoice_ref: str = Field(max_length=40)
    paid: Decimal = Field(sa_type=Money)
    deduction: Decimal = Field(sa_type=Money)
    reason: str = Field(default="", max_length=140)


class AllocationRow(SQLModel, table=True):
    """A receipt applied to open items. ``state``: proposed → approved → posting → posted,
    or failed (SAP said no; a person acts), or reversed (a correcting journal undid it).
    ``idempotency_key`` is in the SAP document (header text and reference) before the call."""

    __tablename__ = "allocation"

    id: int | None = Field(default=None, primary_key=True)
    receipt_id: int = Field(foreign_key="bank_entry.id", index=True)
    state: str = Field(max_length=20, index=True)
    automatic: bool = False
    rule: str = Field(max_length=20)
    evidence: str = Field(sa_column=Column(Text, nullable=False))
    company_code: str = Field(max_length=4)
    customer: str = Field(max_length=10)
    currency: str = Field(max_length=5)
    amount: Decimal = Field(sa_type=Money)
    on_account: Decimal = Field(sa_type=Money)
    items: str = Field(sa_column=Column(Text, nullable=False))
    idempotency_key: str = Field(max_length=16, unique=True)
    sap_document: str | None = Field(default=None, max_length=10)
    sap_fiscal_year: int | None = None
    sap_messages: str = Field(default="[]", sa_column=Column(Text, nullable=False,
                                                             default="[]"))
    attempts: int = 0
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime,
                                     description="last sent to SAP: in doubt from then on")
    claimed_by: str | None = Field(default=None, max_length=80)
    lease_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    approved_by: str | None = Field(default=None, max_length=80)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)


class JournalRow(SQLModel, table=True):
    """A correcting journal: reset clearing, reverse the payment document, re-post."""

    __tablename__ = "correcting_journal"

    id: int | None = Field(default=None, primary_key=True)
    allocation_id: int = Field(foreign_key="allocation.id", index=True)
    new_allocation_id: int | None = Field(default=None, foreign_key="allocation.id")
    kind: str = Field(max_length=20, description="correction or return")
    state: str = Field(max_length=20, index=True)
    actor: str = Field(max_length=80)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    target: str = Field(default="", max_length=400)
    documents: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    message: str | None = Field(default=None, sa_column=Column(Text))
    claimed_by: str | None = Field(default=None, max_length=80)
    lease_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)


class PayerAccountRow(SQLModel, table=True):
    """A bank account seen paying a customer, learned from confirmed allocations."""

    __tablename__ = "payer_account"

    account: str = Field(primary_key=True, max_length=40)
    company_code: str = Field(max_length=4)
    customer: str = Field(max_length=10)
    confirmations: int = 1
    updated_at: datetime = Field(sa_type=UtcDateTime)
