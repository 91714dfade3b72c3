"""Shapes of the JSON API (they make the OpenAPI schema). Money is a decimal string with the
currency beside it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from sync.uploads.actions import Action


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
    count: int = Field(description="receipts with nothing proposed")
    proposed: int = Field(default=0, description="receipts with a proposal awaiting approval")
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



class SuggestionOut(BaseModel):
    allocation: int | None = Field(description="the proposal to approve; None for a hint")
    rule: str
    customer: str
    invoices: list[str]
    text: str
    evidence: dict[str, Any] = Field(default_factory=dict)


class ReceiptOut(BaseModel):
    id: int
    booking_date: date
    age_days: int
    amount: Decimal
    currency: str
    payer_name: str
    reference: str
    narrative: str
    state: str = Field(description="open, proposed, allocated or returned")
    allocation: int | None = Field(default=None, description="its standing allocation")
    allocation_state: str | None = None
    sap_document: str | None = None
    suggestions: list[SuggestionOut] = Field(default_factory=list)


class ReceiptPage(BaseModel):
    items: list[ReceiptOut]
    total: int
    page: int
    pages: int
    per_page: int


class SplitIn(BaseModel):
    invoice: str = Field(min_length=1, max_length=40)
    amount: str = Field(min_length=1, max_length=20, description="a decimal string, 1234.50")


class AllocateIn(BaseModel):
    splits: list[SplitIn] = Field(min_length=1, max_length=50)
    on_account: bool = Field(default=False, description="post what the splits leave over on "
                                                        "account (else they must add up)")
    note: str = Field(default="", max_length=200)


class AllocationOut(BaseModel):
    id: int
    receipt: int
    state: str
    rule: str
    automatic: bool
    approved_by: str | None = None
    customer: str
    currency: str
    amount: Decimal
    on_account: Decimal
    items: list[dict[str, Any]]
    evidence: dict[str, Any]
    sap_document: str | None
    sap_fiscal_year: int | None
    sap_messages: list[dict[str, str]]
    journals: list[int] = Field(default_factory=list)


class AllocationPage(BaseModel):
    items: list[AllocationOut]
    total: int
    page: int
    pages: int
    per_page: int


class JournalIn(BaseModel):
    invoices: list[str] = Field(min_length=1, max_length=20,
                                description="the invoice(s) the money should have gone to")
    reason: str = Field(min_length=1, max_length=500)


class JournalOut(BaseModel):
    id: int
    kind: str
    state: str
    allocation: int
    new_allocation: int | None
    by: str
    reason: str
    to: str
    documents: dict[str, Any] = Field(description="payment, reset, reversal and repost SAP "
                                                  "document numbers as they are done")
    message: str | None
    created_at: datetime
