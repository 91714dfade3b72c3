"""What the SAP port returns: plain, validated records, independent of the adapter. The
customer items (``OpenItem``, ``ClearedItem``) are defined in :mod:`receivables.items`, below
both the port and the store, which read the same records.

Records are treated as immutable but not declared ``frozen``: a frozen dataclass costs three
times as much to build, and a full pull builds hundreds of thousands of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from receivables.items import ClearedItem, OpenItem

__all__ = ["BillingDocument", "ClearedItem", "Customer", "OpenItem"]


@dataclass(slots=True)
class Customer:
    """An SD customer in one company code (KNA1 + KNB1 + KNVV; S/4 A_Customer)."""

    number: str
    company_code: str
    name: str
    vat_number: str | None
    payment_terms: str | None
    email: str | None
    phone: str | None
    city: str | None
    country: str | None
    customer_group: str | None
    changed_on: date | None


@dataclass(slots=True)
class BillingItem:
    """One item of a billing document (VBRP; S/4 A_BillingDocumentItem): what was billed and
    SAP's VAT on it, which SAP rounds per item. Amounts in the document's currency."""

    number: str  # POSNR, six digits ("000010"): text order is item order
    material: str | None
    description: str | None
    quantity: Decimal  # FKIMG, three decimals
    unit: str | None  # VRKME, the sales unit
    net: Decimal
    tax: Decimal


@dataclass(slots=True)
class BillingDocument:
    """An SD billing document: its header (VBRK, VBKD-BSTKD; S/4 A_BillingDocument) and its
    items."""

    number: str
    doc_type: str
    company_code: str
    sold_to: str
    payer: str
    billing_date: date
    net: Decimal
    tax: Decimal
    currency: str
    customer_po: str | None
    accounting_document: str | None
    fiscal_year: int | None
    cancelled: bool
    changed_at: datetime
    cancels: str | None = None  # a cancellation document (VF11, e.g. S1): the one it cancels
    reference: str | None = None  # XBLNR: a credit memo's (G2) invoice
    items: tuple[BillingItem, ...] = ()  # in item order; () where the adapter reads none

    @property
    def gross(self) -> Decimal:
        return self.net + self.tax
