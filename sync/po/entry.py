"""A PO entered by a person (``arbridge po add`` or the web form): the typed text checked
and turned into a :class:`~sync.po.ledger.PoRead`. Pure; messages name the field as the
person typed it (``--total`` on the command line, ``Total`` on the form). Also the entry
rules: a PO must not have expired, and a top-up keeps the currency and what was invoiced."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation

from config.errors import InputError
from sync.po.ledger import PoRead


@dataclass(frozen=True, slots=True)
class FieldNames:
    """How each field is called where the person typed it."""

    total: str = "--total"
    invoiced: str = "--invoiced"
    currency: str = "--currency"
    valid_to: str = "--valid-to"
    number: str = "the PO number"


CLI_NAMES = FieldNames()


_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
MAX_AMOUNT = Decimal("1e15")  # beyond any PO; fits the store's 24-character amount columns


def parse_amount(text: str, name: str) -> Decimal:
    """``250000``, ``250 000`` or ``250,000.00``. A comma is a thousands separator only where
    it groups three digits: ``1,5`` (a decimal comma) is refused rather than read as 15."""
    cleaned = text.strip().replace(" ", "").replace("\u202f", "")
    if "," in cleaned:
        if not _GROUPED.fullmatch(cleaned):
            raise InputError(f"{name} {text!r} is not an amount (e.g. 250000.00; a comma only "
                             "groups thousands, the decimals follow a point)")
        cleaned = cleaned.replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InputError(f"{name} {text!r} is not an amount (e.g. 250000.00)") from None
    if not value.is_finite() or value < 0:
        raise InputError(f"{name} {text!r} must be zero or more")
    if value >= MAX_AMOUNT:
        raise InputError(f"{name} {text!r} is too large for an amount")
    if value != value.quantize(Decimal("0.01")):
        raise InputError(f"{name} {text!r} has more than two decimals; write it with at most "
                         "two decimals")
    return value.quantize(Decimal("0.01"))


def parse_date(text: str | None, name: str) -> date | None:
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{name} {text!r} is not a date (YYYY-MM-DD)") from None


def po_read(*, number: str, total: str, currency: str, valid_to: str | None = None,
            invoiced: str = "0", names: FieldNames = CLI_NAMES) -> PoRead:
    """The PO as typed, checked: a number, amounts of zero or more, an ISO currency, a date."""
    number = number.strip()
    if not number:
        raise InputError(f"{names.number} is empty")
    if any(not c.isprintable() for c in number):
        raise InputError(f"{names.number} {number!r} holds a control character")
    if len(number) > 35:
        raise InputError(f"{names.number} {number[:40]!r} is longer than 35 characters")
    currency = currency.strip()
    if len(currency) != 3 or not currency.isalpha():
        raise InputError(f"{names.currency} {currency!r} is not an ISO code such as ZAR")
    return PoRead(number, parse_amount(total, names.total),
                  parse_amount(invoiced or "0", names.invoiced), currency.upper(), True,
                  parse_date(valid_to, names.valid_to))


def check_valid_to(read: PoRead, today: date) -> None:
    """A PO entered by a person must not have expired already (:class:`InputError` if so)."""
    if read.valid_to is not None and read.valid_to < today:
        raise InputError(f"PO {read.number}: valid to {read.valid_to.isoformat()} is in the "
                         "past (the PO has expired); correct the date")


def top_up(read: PoRead, *, portal: str, known_currency: str, known_invoiced: Decimal
           ) -> PoRead:
    """A PO the ledger already has, entered again (a top-up): its currency must match, and
    an 'already invoiced' left at 0 keeps what the ledger knows was invoiced on it, so a
    top-up cannot make the PO look unused and release invoices that do not fit."""
    if known_currency != read.currency:
        raise InputError(f"PO {read.number} on {portal} is in {known_currency}, not "
                         f"{read.currency}")
    if read.invoiced == 0 and known_invoiced > 0:
        return replace(read, invoiced=known_invoiced)
    return read
