"""Shapes of the JSON API (they make the OpenAPI schema). Money is a decimal string with the
currency beside it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from sync.upload_actions import Action


class Me(BaseModel):
    name: str
    role: str
    permissions: list[str]


class UploadOut(BaseModel):
    billing_document: str
    portal: str
    customer: str
    client_name: str | None = None
    invoice_number: str
    po_number: str | None
    invoice_date: date
    net: Decimal
    tax: Decimal
    gross: Decimal
    currency: str
    state: str
    reason: str | None
    attempts: int
    updated_at: datetime
    actions: list[str] = Field(description="what a person may do from this state")


class AttemptOut(BaseModel):
    number: int
    started_at: datetime
    finished_at: datetime | None
    outcome: str | None
    detail: str | None
    evidence_url: str | None = Field(description="the evidence pack's page in the web app")


class UploadDetail(UploadOut):
    attempt_list: list[AttemptOut]


class UploadPage(BaseModel):
    items: list[UploadOut]
    total: int
    page: int
    pages: int
    per_page: int


class ActionIn(BaseModel):
    reason: str | None = Field(default=None, max_length=500,
                               description="required for hold and cancel")


class BulkIn(BaseModel):
    action: Action
    documents: list[str] = Field(min_length=1, max_length=500)
    reason: str | None = Field(default=None, max_length=500)


class BulkOut(BaseModel):
    done: list[str]
    refused: list[str]


class AuditEventOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_key: str
    detail: Any


class AuditPage(BaseModel):
    items: list[AuditEventOut]
    total: int
    page: int
    pages: int
    per_page: int


class UnallocatedOut(BaseModel):
    count: int
    oldest: date | None = Field(description="booking day of the oldest unallocated receipt")
    age_days: int | None
    amount: dict[str, Decimal] = Field(description="currency → total")


class AllocatedOut(BaseModel):
    count: int = Field(description="allocations made today that stand (approved, posting, "
                                   "posted)")
    posted: int
    amount: dict[str, Decimal] = Field(description="currency → total")


class UrgentPo(BaseModel):
    portal: str
    number: str
    remaining: Decimal
    currency: str
    runout: date | None


class UrgentClient(BaseModel):
    customer: str
    name: str
    level: str = Field(description="the highest open alert on the client's POs")
    pos: list[UrgentPo]


class Dashboard(BaseModel):
    needs_a_person: dict[str, int]
    oldest_waiting: dict[str, datetime | None]
    held_by_reason: list[tuple[str, int]]
    today_by_outcome: dict[str, int]
    open_alerts: dict[str, int] = Field(description="open PO alerts by level")
    unallocated_receipts: UnallocatedOut
    allocations_today: AllocatedOut
    urgent_clients: list[UrgentClient] = Field(
        description="the clients with the most urgent POs (the dashboard's burn-downs)")

