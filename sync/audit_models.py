"""The audit trail's table: every change the store makes, with who and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from sync.types import UtcDateTime


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
