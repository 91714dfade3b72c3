"""Tables of the work machinery: claims on units of work and the record of job runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from sync.types import UtcDateTime


class WorkClaimRow(SQLModel, table=True):
    """Who works on one unit of work (``kind`` + ``key``) and until when.

    A claim is free when ``owner_run`` is NULL (released) or ``lease_until`` has passed
    (expired: its owner died or froze). ``generation`` counts the claims ever taken on the
    unit; it is the fencing token a holder checks before it records a result.
    """

    __tablename__ = "work_claim"
    __table_args__ = (Index("ix_work_claim_owner_run", "owner_run"),)

    kind: str = Field(primary_key=True, max_length=40)
    key: str = Field(primary_key=True, max_length=80)
    owner_host: str | None = Field(default=None, max_length=100)
    owner_pid: int | None = None
    owner_run: str | None = Field(default=None, max_length=40)
    owner_boot: str | None = Field(default=None, max_length=40)
    lease_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    claimed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    generation: int = 0
    previous_owner: str | None = Field(default=None, max_length=200)
    previous_lease_until: datetime | None = Field(default=None, sa_type=UtcDateTime)


class JobRunRow(SQLModel, table=True):
    """One run of a job (a dramatiq message being processed), with its outcome."""

    __tablename__ = "job_run"
    __table_args__ = (Index("ix_job_run_started_at", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(max_length=64, index=True)
    actor: str = Field(max_length=80)
    queue: str = Field(max_length=80)
    args: str = Field(sa_column=Column(Text, nullable=False))
    retries: int = 0
    host: str = Field(max_length=100)
    pid: int
    started_at: datetime = Field(sa_type=UtcDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    outcome: str | None = Field(default=None, max_length=20,
                                description="done, retry, failed (retries used up), error")
    error: str | None = Field(default=None, sa_column=Column(Text))
