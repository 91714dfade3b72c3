"""The portal port: what arbridge asks of any procurement portal, whichever driver answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Literal, Protocol

InvoiceState = Literal["submitted", "approved", "paid", "disputed", "rejected"]


@dataclass(frozen=True, slots=True)
class PortalPurchaseOrder:
    number: str
    total: Decimal
    invoiced: Decimal
    currency: str
    open: bool
    valid_to: date | None

    @property
    def remaining(self) -> Decimal:
        return self.total - self.invoiced


@dataclass(frozen=True, slots=True)
class PortalInvoice:
    number: str
    po_number: str
    gross: Decimal
    state: InvoiceState
    reason: str = ""


@dataclass(frozen=True, slots=True)
class InvoiceSubmission:
    """What is typed into the portal for one invoice (kept in the evidence pack)."""

    number: str
    po_number: str
    invoice_date: date
    net: Decimal
    tax: Decimal
    currency: str
    description: str

    @property
    def gross(self) -> Decimal:
        return self.net + self.tax


@dataclass(frozen=True, slots=True)
class SubmitResult:
    invoice: PortalInvoice
    confirmation: str


class PortalDriver(Protocol):
    """One driver per portal kind; one instance per browser context."""

    kind: str

    async def login(self) -> None: ...
    async def purchase_orders(self) -> list[PortalPurchaseOrder]: ...
    async def find_invoice(self, number: str) -> PortalInvoice | None: ...
    async def submit_invoice(self, invoice: InvoiceSubmission, pdf: Path) -> SubmitResult: ...
    async def screenshot(self, path: Path, *, full_page: bool = True) -> None: ...
