"""Tables of collections: each customer's dunning level, the reminders sent (one per customer,
cycle and level), the contact log, promises to pay with their instalments, dispute cases,
credit-note requests, legal notices and the events that interrupt prescription."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from sync.types import Money, UtcDateTime


class DunningLevelRow(SQLModel, table=True):
    """Where a customer stands: the last level reached in the current cycle. A cycle ends
    when nothing is overdue any more; the next overdue item starts again at level 1."""

    __tablename__ = "dunning_level"

    company_code: str = Field(primary_key=True, max_length=4)
    customer: str = Field(primary_key=True, max_length=10)
    cycle: int = 1
    level: int = 0
    reached_on: date | None = None
    raise_pending: bool = Field(default=False, description="a broken promise: next level due")
    updated_at: datetime = Field(sa_type=UtcDateTime)


class ReminderRow(SQLModel, table=True):
    """One reminder: unique per customer, cycle and level, so none is sent twice.
    ``state``: approval, pending, sending (marked before the mail leaves), uncertain (held
    for a person), sent, failed, bounced (became a phone task), task (phone)."""

    __tablename__ = "dunning_reminder"
    __table_args__ = (UniqueConstraint("company_code", "customer", "cycle", "level",
                                       name="uq_dunning_reminder_level"),)

    id: int | None = Field(default=None, primary_key=True)
    company_code: str = Field(max_length=4)
    customer: str = Field(max_length=10, index=True)
    cycle: int
    level: int
    channel: str = Field(max_length=10)
    template: str = Field(max_length=200)
    run_date: date
    state: str = Field(max_length=12, index=True)
    amounts: str = Field(sa_column=Column(Text, nullable=False), description="JSON per currency")
    items: str = Field(sa_column=Column(Text, nullable=False), description="JSON item keys")
    recipient: str | None = Field(default=None, max_length=241, description="personal data")
    document: str | None = Field(default=None, max_length=300, description="under the home")
    detail: str | None = Field(default=None, sa_column=Column(Text))
    approved_by: str | None = Field(default=None, max_length=80)
    created_at: datetime = Field(sa_type=UtcDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ContactRow(SQLModel, table=True):
    """A call, e-mail or visit: who spoke, when, what was agreed, when to call back.
    Personal data (POPIA): de-identified after the retention period."""

    __tablename__ = "contact_log"
    __table_args__ = (Index("ix_contact_log_customer", "company_code", "customer", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    company_code: str = Field(max_length=4)
    customer: str = Field(max_length=10)
    collector: str = Field(max_length=80)
    at: datetime = Field(sa_type=UtcDateTime)
    channel: str = Field(max_length=10)
    contact_person: str | None = Field(default=None, max_length=120, description="personal data")
    outcome: str = Field(sa_column=Column(Text, nullable=False), description="personal data")
    agreed: str | None = Field(default=None, sa_column=Column(Text))
    call_back: date | None = None
    deidentified: bool = False


class PromiseRow(SQLModel, table=True):
    """A promise to pay (one instalment) or an arrangement (several), over named items.
    ``state``: open, kept, partly_kept, broken."""

    __tablename__ = "promise_to_pay"

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=60, unique=True, description="idempotency key")
    company_code: str = Field(max_length=4)
    customer: str = Field(max_length=10, index=True)
    kind: str = Field(max_length=12, description="promise or arrangement")
    currency: str = Field(max_length=5)
    amount: Decimal = Field(sa_type=Money)
    items: str = Field(sa_column=Column(Text, nullable=False), description="JSON item keys")
    made_on: date
    state: str = Field(max_length=12, index=True)
    paid: Decimal = Field(default=Decimal(0), sa_type=Money)
    judged_on: date | None = None
    contact_id: int | None = Field(default=None, foreign_key="contact_log.id")
    created_by: str = Field(max_length=80)
    created_at: datetime = Field(sa_type=UtcDateTime)


class InstalmentRow(SQLModel, table=True):
    __tablename__ = "promise_instalment"

    promise_id: int = Field(primary_key=True, foreign_key="promise_to_pay.id")
    seq: int = Field(primary_key=True)
    due_date: date
    amount: Decimal = Field(sa_type=Money)
    state: str = Field(default="open", max_length=12)


class DisputeRow(SQLModel, table=True):
    """A dispute case. ``status``: open, escalated, resolved; ``resolution``: paid, credited,
    written_off, rejected."""

    __tablename__ = "dispute_case"

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=80, unique=True, description="manual:N or upload:ID")
    company_code: str = Field(max_length=4)
    customer: str = Field(max_length=10, index=True)
    items: str = Field(sa_column=Column(Text, nullable=False), description="JSON item keys")
    billing_document: str | None = Field(default=None, max_length=10)
    currency: str = Field(max_length=5)
    original: Decimal = Field(sa_type=Money)
    disputed: Decimal = Field(sa_type=Money)
    credited: Decimal = Field(default=Decimal(0), sa_type=Money)
    written_off: Decimal = Field(default=Decimal(0), sa_type=Money)
    reason: str = Field(max_length=30)
    root_cause: str | None = Field(default=None, max_length=40)
    text: str | None = Field(default=None, sa_column=Column(Text))
    owner: str = Field(max_length=80)
    due_date: date
    status: str = Field(max_length=12, index=True)
    resolution: str | None = Field(default=None, max_length=12)
    opened_on: date
    resolved_on: date | None = None
    created_at: datetime = Field(sa_type=UtcDateTime)


class CreditRequestRow(SQLModel, table=True):
    """A credit note asked of the billing manager, with evidence, until SAP has the credit
    memo. ``state``: requested, linked (the pull saw the credit memo), closed."""

    __tablename__ = "credit_note_request"

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=80, unique=True)
    dispute_id: int | None = Field(default=None, foreign_key="dispute_case.id")
    company_code: str = Field(max_length=4)
    customer: str = Field(max_length=10)
    billing_document: str | None = Field(default=None, max_length=10)
    currency: str = Field(max_length=5)
    amount: Decimal = Field(sa_type=Money)
    evidence: str = Field(sa_column=Column(Text, nullable=False), description="JSON")
    state: str = Field(max_length=12, index=True)
    credit_memo: str | None = Field(default=None, max_length=10)
    requested_on: date
    closed_on: date | None = None
    created_at: datetime = Field(sa_type=UtcDateTime)


class LegalNoticeRow(SQLModel, table=True):
    """A section 129 letter of demand (one per customer and cycle), with its proof."""

    __tablename__ = "legal_notice"
    __table_args__ = (UniqueConstraint("company_code", "customer", "kind", "cycle",
                                       name="uq_legal_notice_cycle"),)

    id: int | None = Field(default=None, primary_key=True)
    company_code: str = Field(max_length=4)
    customer: str = Field(max_length=10)
    kind: str = Field(max_length=10)
    cycle: int
    issued_on: date
    currency: str = Field(max_length=5)
    arrears: Decimal = Field(sa_type=Money)
    document: str | None = Field(default=None, max_length=300)
    tracking_ref: str | None = Field(default=None, max_length=40)
    delivered_on: date | None = None
    created_at: datetime = Field(sa_type=UtcDateTime)


class InterruptionRow(SQLModel, table=True):
    """An acknowledgement of debt or the service of summons: prescription starts again."""

    __tablename__ = "prescription_interruption"

    id: int | None = Field(default=None, primary_key=True)
    company_code: str = Field(max_length=4)
    customer: str = Field(max_length=10, index=True)
    kind: str = Field(max_length=15, description="acknowledgement or summons")
    happened_on: date
    dispute_id: int | None = Field(default=None, foreign_key="dispute_case.id")
    recorded_by: str = Field(max_length=80)
    created_at: datetime = Field(sa_type=UtcDateTime)
