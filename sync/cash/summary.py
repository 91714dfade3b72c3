"""The dashboard's cash figures, read only: receipts still unallocated (how many, the
oldest) and today's allocations (how many, how much, per currency)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from sync.cash.models import AllocationRow, BankEntryRow
from sync.tables import table_of

ENTRIES = table_of(BankEntryRow)
ALLOCATIONS = table_of(AllocationRow)
UNALLOCATED_STATES = ("open", "proposed")  # as ``arbridge bank unallocated`` lists them
ALLOCATED_STATES = ("approved", "posting", "posted")
CENT = Decimal("0.01")


def _money(value: Any) -> Decimal:
    """A SUM as Decimal to the cent (SQLite's SUM drops the scale)."""
    return Decimal(str(value or 0)).quantize(CENT)


@dataclass(frozen=True, slots=True)
class Unallocated:
    """Receipts not yet allocated: ``count`` with nothing proposed (unallocated), ``proposed``
    with a proposal waiting for a person; ``oldest`` and ``amount`` cover both. The one source
    of these figures for the dashboard, the API, ``arbridge bank unallocated`` and the demo."""

    count: int = 0
    oldest: date | None = None
    amount: dict[str, Decimal] = field(default_factory=dict)  # currency → total
    proposed: int = 0

    def age_days(self, today: date) -> int | None:
        return (today - self.oldest).days if self.oldest else None


@dataclass(frozen=True, slots=True)
class Allocated:
    count: int = 0
    posted: int = 0
    amount: dict[str, Decimal] = field(default_factory=dict)  # currency → total


def unallocated(conn: Any) -> Unallocated:
    rows = conn.execute(select(ENTRIES.c.currency, ENTRIES.c.state, func.count(),
                               func.min(ENTRIES.c.booking_date), func.sum(ENTRIES.c.amount))
                        .where(ENTRIES.c.is_receipt.is_(True),
                               ENTRIES.c.state.in_(UNALLOCATED_STATES))
                        .group_by(ENTRIES.c.currency, ENTRIES.c.state)).all()
    dates = [first for _, _, _, first, _ in rows if first is not None]
    amount: dict[str, Decimal] = {}
    for currency, _, _, _, total in rows:
        amount[currency] = amount.get(currency, Decimal(0)) + _money(total)
    return Unallocated(count=sum(int(n) for _, state, n, _, _ in rows if state == "open"),
                       proposed=sum(int(n) for _, state, n, _, _ in rows
                                    if state == "proposed"),
                       oldest=min(dates) if dates else None, amount=amount)


def allocated_since(conn: Any, since: datetime) -> Allocated:
    """Allocations made since ``since`` that stand (approved, being posted or posted)."""
    rows = conn.execute(select(ALLOCATIONS.c.currency, ALLOCATIONS.c.state, func.count(),
                               func.sum(ALLOCATIONS.c.amount)).where(
        ALLOCATIONS.c.created_at >= since, ALLOCATIONS.c.state.in_(ALLOCATED_STATES))
        .group_by(ALLOCATIONS.c.currency, ALLOCATIONS.c.state)).all()
    amount: dict[str, Decimal] = {}
    for currency, _, _, total in rows:
        amount[currency] = amount.get(currency, CENT * 0) + _money(total)
    return Allocated(count=sum(int(n) for _, _, n, _ in rows),
                     posted=sum(int(n) for _, s, n, _ in rows if s == "posted"),
                     amount=amount)
