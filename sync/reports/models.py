"""Tables of the debtors' book: commentary per client (every version kept, the newest shown),
the record of statements sent and of the management pack e-mailed."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from sync.types import UtcDateTime


class CustomerCommentRow(SQLModel, table=True):
    """A person's note on a client's line of the age analysis ("promised to pay on the 25th").
    Never updated: a new note is a new row, so the history stays."""

    __tablename__ = "customer_comment"
    __table_args__ = (Index("ix_customer_comment_customer", "company_code", "customer"),)

    id: int | None = Field(default=None, primary_key=True)
    company_code: str = Field(max_length=4)
    customer: str = Field(max_length=10)
    text: str = Field(sa_column=Column(Text, nullable=False))
    author: str = Field(max_length=80)
    created_at: datetime = Field(sa_type=UtcDateTime)


class StatementRow(SQLModel, table=True):
    """A customer statement: one per customer, schedule and period (``2026-12-05`` for the
    daily run, ``2026-11`` for the monthly), claimed before it is sent, so none goes twice."""

    __tablename__ = "customer_statement"
    __table_args__ = (UniqueConstraint("company_code", "customer", "schedule", "period",
                                       name="uq_customer_statement_period"),)

    id: int | None = Field(default=None, primary_key=True)
    company_code: str = Field(max_length=4)
    customer: str = Field(max_length=10)
    schedule: str = Field(max_length=10)
    period: str = Field(max_length=10)
    as_of: date
    state: str = Field(max_length=12)
    recipient: str | None = Field(default=None, max_length=241, description="personal data")
    pdf: str | None = Field(default=None, max_length=300, description="relative to the home")
    detail: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(sa_type=UtcDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ReportMailingRow(SQLModel, table=True):
    """A report e-mailed on a schedule (``management-pack`` for ``2026-11``): one per kind
    and period, claimed before it is sent, so none goes twice."""

    __tablename__ = "report_mailing"
    __table_args__ = (UniqueConstraint("kind", "period", name="uq_report_mailing_period"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    period: str = Field(max_length=10)
    state: str = Field(max_length=12)
    recipients: str | None = Field(default=None, sa_column=Column(Text),
                                   description="personal data")
    file: str | None = Field(default=None, max_length=300, description="relative to the home")
    detail: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(sa_type=UtcDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class BookVersionRow(SQLModel, table=True):
    """One row: a number the database itself raises (triggers, migration 0017) on every write
    to what the debtors' dashboard sums — open and cleared items, customers, billing
    documents, commentary — whoever writes (the pull, a bulk load, a person's comment)."""

    __tablename__ = "book_version"

    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=0, sa_type=BigInteger)


class BookSummaryRow(SQLModel, table=True):
    """The dashboard's figures summed ahead of the page, for one key (key date, report
    currency, bucket edges) at one book version; read only while the version is current."""

    __tablename__ = "book_summary"

    key: str = Field(primary_key=True, max_length=120)
    version: int = Field(sa_type=BigInteger)
    computed_at: datetime = Field(sa_type=UtcDateTime)
    figures: str = Field(sa_column=Column(Text, nullable=False))
