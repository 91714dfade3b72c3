"""What a cXML invoice is made of, as plain data: the credentials, the invoice and its lines,
and the PO lines it is billed against. Money is ``Decimal`` with the currency beside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

CENT = Decimal("0.01")
Purpose = Literal["standard", "creditMemo"]
# ISO 4217 minor units where they are not 2 (SAP's TCURX): "to the cent" means to these
MINOR_UNITS = {"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
               "JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "VND": 0, "UGX": 0, "XAF": 0}


def places(currency: str) -> int:
    return MINOR_UNITS.get(currency.upper(), 2)


def unit(currency: str) -> Decimal:
    """The smallest amount of ``currency``: 0.01 ZAR, 0.001 KWD, 1 JPY."""
    return Decimal(1).scaleb(-places(currency))


def cents(value: Decimal, currency: str = "ZAR") -> Decimal:
    """``value`` rounded half up to the currency's smallest unit."""
    return value.quantize(unit(currency), rounding=ROUND_HALF_UP)


def text(amount: Decimal, currency: str) -> str:
    return f"{cents(amount, currency):.{places(currency)}f}"


@dataclass(frozen=True, slots=True)
class Credential:
    domain: str
    identity: str


@dataclass(frozen=True, slots=True)
class Credentials:
    """Header/From, To and Sender; the shared secret goes only into Sender (never logged)."""

    sender_from: Credential
    to: Credential
    sender: Credential
    shared_secret: str = field(repr=False)
    user_agent: str = "arbridge"


@dataclass(frozen=True, slots=True)
class RemitTo:
    name: str
    bank_name: str = ""
    account_number: str = ""
    branch_code: str = ""
    swift: str = ""


@dataclass(frozen=True, slots=True)
class BilledItem:
    """One item of the SAP billing document (VBRP, as mirrored): what it billed and SAP's VAT
    on it (MWSBP), which SAP rounds per item. Amounts positive, in the document's currency."""

    number: str  # POSNR
    material: str | None
    description: str | None
    quantity: Decimal
    unit: str | None
    net: Decimal
    tax: Decimal


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """One invoice line against PO line ``po_line``; quantity and amounts are positive, the
    document's ``purpose`` says whether it is an invoice or a credit memo."""

    po_line: int
    part_id: str
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    tax_rate_percent: Decimal = Decimal(15)
    currency: str = "ZAR"
    vat: Decimal | None = None  # SAP's VAT on the item this line bills; None: the rate on
    # the subtotal, rounded half up (a document mirrored without its items)

    @property
    def subtotal(self) -> Decimal:
        return cents(self.quantity * self.unit_price, self.currency)

    @property
    def exact_tax(self) -> Decimal:
        """The rate on the subtotal, unrounded."""
        return self.subtotal * self.tax_rate_percent / 100

    @property
    def rate_tax(self) -> Decimal:
        """The rate on the subtotal, rounded half up to the currency's unit."""
        return cents(self.exact_tax, self.currency)

    @property
    def tax(self) -> Decimal:
        return self.vat if self.vat is not None else self.rate_tax


@dataclass(frozen=True, slots=True)
class CxmlInvoice:
    number: str
    purpose: Purpose
    invoice_date: datetime  # with its time zone
    currency: str
    po_number: str
    lines: tuple[InvoiceLine, ...]
    payment_days: int | None = None
    tax_category: str = "vat"
    remit_to: RemitTo | None = None
    attachment_cid: str | None = None  # the PDF's Content-ID, where the buyer takes them
    original_invoice: str | None = None  # a credit memo's invoice

    @property
    def subtotal(self) -> Decimal:
        return sum((line.subtotal for line in self.lines), Decimal("0.00"))

    @property
    def tax(self) -> Decimal:
        return sum((line.tax for line in self.lines), Decimal("0.00"))

    @property
    def gross(self) -> Decimal:
        return self.subtotal + self.tax


@dataclass(frozen=True, slots=True)
class PoLine:
    """A PO line as the buyer's network has it; ``quantity_open`` None for an amount-based
    line (only ``amount_open`` limits it)."""

    number: int
    part_id: str
    description: str
    unit: str
    unit_price: Decimal
    amount_open: Decimal
    quantity_open: Decimal | None = None


@dataclass(frozen=True, slots=True)
class CxmlOrder:
    number: str
    currency: str
    lines: tuple[PoLine, ...]

    def line(self, number: int) -> PoLine | None:
        return next((line for line in self.lines if line.number == number), None)
