"""Shapes of the PO and alert API (they make the OpenAPI schema). Money is a decimal string
with the currency beside it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field


class ForecastOut(BaseModel):
    runout: date | None = Field(description="forecast day the PO runs out; null when unknown")
    note: str = Field(description="how the forecast was made, or why there is none "
                                  "(e.g. too little billing history)")
    monthly_rate: Decimal | None
    invoices_left: int | None


class OpenAlertBrief(BaseModel):
    id: int
    rule: str
    level: str
    summary: str


class PoOut(BaseModel):
    portal: str
    number: str
    customer: str | None
    customer_name: str | None
    total: Decimal
    invoiced: Decimal
    pending: Decimal = Field(description="arbridge's invoices the portal does not count yet")
    remaining: Decimal
    currency: str
    open: bool
    usable: bool = Field(description="open and not expired")
    valid_to: date | None
    source: str
    mismatch: str | None
    read_at: datetime
    waiting: dict[str, int] = Field(description="invoices waiting on the PO, by upload state")
    forecast: ForecastOut | None
    alerts: list[OpenAlertBrief]


class PoPage(BaseModel):
    items: list[PoOut]
    total: int
    page: int
    pages: int
    per_page: int


class BalanceRead(BaseModel):
    read_at: datetime
    source: str
    total: Decimal
    invoiced: Decimal
    remaining: Decimal
    currency: str


class WaitingInvoice(BaseModel):
    billing_document: str
    invoice_date: date
    net: Decimal
    currency: str
    state: str
    reason: str | None


class AlertOut(BaseModel):
    id: int
    portal: str
    po_number: str
    customer: str | None
    rule: str
    level: str
    state: str
    summary: str
    opened_at: datetime
    closed_at: datetime | None
    close_reason: str | None
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    snapshot: dict[str, Any] = Field(description="what the billing team needed to act, as "
                                                 "it stood when the alert last changed")


class PoDetail(BaseModel):
    portal: str
    number: str
    po: PoOut | None = Field(description="null when the PO is not on the portal: invoices "
                                         "are held against it")
    history: list[BalanceRead]
    invoices: list[WaitingInvoice]
    alerts: list[AlertOut]


class AlertPage(BaseModel):
    items: list[AlertOut]
    total: int
    page: int
    pages: int
    per_page: int


class PoIn(BaseModel):
    portal: str = Field(max_length=40)
    number: str = Field(max_length=35)
    total: Decimal = Field(ge=0)
    currency: str = Field(min_length=3, max_length=3, examples=["ZAR"])
    valid_to: date | None = None
    invoiced: Decimal = Field(default=Decimal("0"), ge=0)
    customer: str | None = Field(default=None, max_length=10, pattern=r"^\d+$")


class PoAdded(BaseModel):
    portal: str
    number: str
    total: Decimal
    currency: str
    released: int = Field(description="held invoices released by the PO")


class AssignIn(BaseModel):
    document: str = Field(max_length=10, description="billing document")
    po_number: str = Field(max_length=35)


class AssignOut(BaseModel):
    billing_document: str
    po_number: str | None
    state: str
    reason: str | None
    released: int = Field(description="held invoices of the portal released by the re-check")
