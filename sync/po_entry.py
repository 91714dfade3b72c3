"""A PO entered by a person (``arbridge po add`` or the web form): the typed text checked
and turned into a :class:`~sync.po_ledger.PoRead`. Pure; messages name the field as the
person typed it (``--total`` on the command line, ``Total`` on the form)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from config.errors import InputError
from sync.po_ledger import PoRead


@dataclass(frozen=True, slots=True)
class FieldNames:
    """How each field is called where the person typed it."""

    total: str = "--total"
    invoiced: str = "--invoiced"
    currency: str = "--currency"
    valid_to: str = "--valid-to"
    number: str = "the PO number"


CLI_NAMES = FieldNames()


def parse_amount(text: str, name: str) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", "").replace(" ", "").replace("\u202f", ""))
    except InvalidOperation:
        raise InputError(f"{name} {text!r} is not an amount (e.g. 250000.00)") from None
    if not value.is_finite() or value < 0:
        raise InputError(f"{name} {text!r} must be zero or more")
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
    if len(number) > 35:
        raise InputError(f"{names.number} {number[:40]!r} is longer than 35 characters")
    currency = currency.strip()
    if len(currency) != 3 or not currency.isalpha():
        raise InputError(f"{names.currency} {currency!r} is not an ISO code such as ZAR")
    return PoRead(number, parse_amount(total, names.total),
                  parse_amount(invoiced or "0", names.invoiced), currency.upper(), True,
                  parse_date(valid_to, names.valid_to))
