"""When will a PO run out? Pure functions over a customer's billing history.

The burn rate is robust to seasonal lumps: the median of the monthly totals of the months
that were billed, scaled by the share of months that were billed (a client billed every
month gets its typical month; a client billed every quarter gets a third of its typical
quarter). A year-end spike moves the median little, where a mean would jump.

With too little history there is no rate and the forecast says so instead of guessing.
Only invoices in the PO's currency count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from statistics import median
from typing import Literal

WINDOW_MONTHS = 12
MIN_BILLED_MONTHS = 3
MIN_INVOICES = 3
DAYS_PER_MONTH = Decimal("30.4375")
ZERO = Decimal("0")

Basis = Literal["po", "customer", "none"]


@dataclass(frozen=True, slots=True)
class Billing:
    """One past invoice: when, how much (net) and in which currency."""

    billed: date
    net: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Forecast:
    basis: Basis
    reason: str = ""  # why there is no forecast (basis "none")
    monthly_rate: Decimal | None = None
    typical_invoice: Decimal | None = None
    runout: date | None = None
    invoices_left: int | None = None
    currency: str = ""
    billed_months: int = 0
    months: int = 0
    valid_to: date | None = None
    po_number: str = ""
    shared_by: int = 1

    @property
    def known(self) -> bool:
        return self.monthly_rate is not None

    @property
    def note(self) -> str:
        """How the forecast was made, in a sentence (built only when shown)."""
        if self.monthly_rate is None:
            return self.reason
        source = f"PO {self.po_number}" if self.basis == "po" else "the customer (the PO is new)"
        if self.shared_by > 1:
            source += f", shared by its {self.shared_by} open POs"
        note = (f"{self.monthly_rate:,.2f} {self.currency} a month: median of "
                f"{self.billed_months} billed months out of {self.months} of {source}")
        if self.valid_to is not None and self.runout is not None and self.valid_to < self.runout:
            note += f"; the PO expires on {self.valid_to.isoformat()}, before it runs out"
        elif self.valid_to is None:
            note += "; the PO has no end date"
        return note


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _window(history: Iterable[Billing], currency: str, today: date,
            months: int = WINDOW_MONTHS) -> tuple[list[Decimal], list[Decimal]]:
    """One pass over the history: the monthly totals (see :func:`monthly_totals`) and the
    nets of the invoices since the window's start (for the typical invoice)."""
    last = month_index(today) - 1
    first_allowed = last - months + 1
    start = date(first_allowed // 12, first_allowed % 12 + 1, 1)
    end = date(today.year, today.month, 1)
    totals: dict[int, Decimal] = {}
    nets: list[Decimal] = []
    for bill in history:
        billed = bill.billed
        if bill.currency != currency or billed < start:
            continue
        if bill.net > 0:
            nets.append(bill.net)
        if billed < end:
            index = billed.year * 12 + billed.month - 1
            totals[index] = totals.get(index, ZERO) + bill.net
    if not totals:
        return [], nets
    return [totals.get(i, ZERO) for i in range(min(totals), last + 1)], nets


def monthly_totals(history: Iterable[Billing], currency: str, today: date,
                   months: int = WINDOW_MONTHS) -> list[Decimal]:
    """Totals of the last ``months`` full months (oldest first), starting at the first month
    billed in that window; months without invoices are zeros. The current month is left
    out: it is not over."""
    return _window(history, currency, today, months)[0]


def burn_rate(totals: list[Decimal]) -> Decimal | None:
    """Median of the billed months × share of months billed; None below three billed months."""
    billed = [t for t in totals if t > 0]
    if len(billed) < MIN_BILLED_MONTHS:
        return None
    return (Decimal(median(billed)) * len(billed) / len(totals)).quantize(Decimal("0.01"))


def typical_invoice(history: Iterable[Billing], currency: str, today: date) -> Decimal | None:
    """The median net of the window's invoices; None below three invoices."""
    return _median_invoice(_window(history, currency, today)[1])


def _median_invoice(nets: list[Decimal]) -> Decimal | None:
    if len(nets) < MIN_INVOICES:
        return None
    return Decimal(median(nets)).quantize(Decimal("0.01"))


def runout_date(remaining: Decimal, monthly_rate: Decimal, today: date) -> date | None:
    if remaining <= 0:
        return today
    if monthly_rate <= 0:
        return None
    days = (remaining / monthly_rate * DAYS_PER_MONTH).to_integral_value(rounding=ROUND_FLOOR)
    return today + timedelta(days=min(int(days), 365 * 50))


def forecast(*, remaining: Decimal, currency: str, today: date, po_history: list[Billing],
             customer_history: list[Billing], valid_to: date | None = None,
             po_number: str = "the PO", customer_pos: int = 1) -> Forecast:
    """The PO's run-out: from its own invoices, or the customer's when the PO is new (the
    customer's rate shared evenly by its ``customer_pos`` open POs)."""
    basis: Basis = "po"
    totals, nets = _window(po_history, currency, today)
    rate = burn_rate(totals)
    if rate is None:
        basis = "customer"
        totals, nets = _window(customer_history, currency, today)
        rate = burn_rate(totals)
        if rate is not None and customer_pos > 1:
            rate = (rate / customer_pos).quantize(Decimal("0.01"))
    if rate is None:
        return Forecast(basis="none", reason=_no_history_note(
            po_history, customer_history, currency, today, po_number))
    typical = _median_invoice(nets)
    left = None
    if typical:
        left = int((max(remaining, ZERO) / typical).to_integral_value(rounding=ROUND_FLOOR))
    return Forecast(basis=basis, monthly_rate=rate, typical_invoice=typical,
                    runout=runout_date(remaining, rate, today), invoices_left=left,
                    currency=currency, billed_months=sum(1 for t in totals if t > 0),
                    months=len(totals), valid_to=valid_to, po_number=po_number,
                    shared_by=customer_pos if basis == "customer" else 1)


def _no_history_note(po_history: list[Billing], customer_history: list[Billing],
                     currency: str, today: date, po_number: str) -> str:
    everything = po_history + customer_history
    if not everything:
        return f"no billing history for PO {po_number} or its customer: no forecast"
    if not any(b.currency == currency for b in everything):
        others = sorted({b.currency for b in everything})
        return (f"no billing history in {currency} (the customer is billed in "
                f"{', '.join(others)}): no forecast")
    months = len([t for t in monthly_totals(customer_history or po_history, currency, today)
                  if t > 0])
    return (f"too little billing history ({months} billed month(s) in the last "
            f"{WINDOW_MONTHS}; {MIN_BILLED_MONTHS} needed): no forecast")
