"""Customers' overdue positions read from the store: summed in the database for the many
customers with nothing excluded, item by item for the few with an item paid, disputed or
promised, so a book of a million items is read in one grouped query. The query walks the
covering index ``ix_open_item_position`` in its order (no table read, no sort).

The read is a :class:`Book`: the positions and each customer's oldest unpaid debit (what
prescription counts from, whatever is excluded). The morning's plan, the section 129 notices,
the prescription warnings and the worklist all take one ``Book`` instead of reading again."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, case, func, select, tuple_

from sync.cash.models import AllocationRow
from sync.collections.models import DisputeRow, PromiseRow
from sync.collections.policy import DueItem, Exclusion, ItemKey, Position, item_key, position
from sync.mirror.models import OpenItemRow
from sync.reports.ageing_store import _decimal, exact_sum
from sync.tables import table_of

OPEN = table_of(OpenItemRow)
ALLOCATIONS = table_of(AllocationRow)
DISPUTES = table_of(DisputeRow)
PROMISES = table_of(PromiseRow)
Customer = tuple[str, str]  # (company code, customer)
PAID_STATES = ("approved", "posting", "posted")
OPEN_DISPUTES = ("open", "escalated")
PAUSING_PROMISES = ("open", "kept")


def exclusions(conn: Connection) -> dict[ItemKey, Exclusion]:
    """Items that leave the run: paid (an approved or posted allocation holds them), in an
    open dispute, or under an open or kept promise."""
    out: dict[ItemKey, Exclusion] = {}
    for raw in conn.execute(select(PROMISES.c["items"]).where(
            PROMISES.c.state.in_(PAUSING_PROMISES))).scalars():
        out.update(dict.fromkeys(json.loads(raw), "promised"))
    for raw in conn.execute(select(DISPUTES.c["items"]).where(
            DISPUTES.c.status.in_(OPEN_DISPUTES))).scalars():
        out.update(dict.fromkeys(json.loads(raw), "disputed"))
    for raw in conn.execute(select(ALLOCATIONS.c["items"]).where(
            ALLOCATIONS.c.state.in_(PAID_STATES))).scalars():
        out.update(dict.fromkeys((i["item"] for i in json.loads(raw)), "paid"))
    return out


def customer_of(key: ItemKey, customers: dict[ItemKey, Customer]) -> Customer | None:
    return customers.get(key)


def items_of(conn: Connection, wanted: set[Customer]) -> dict[Customer, list[DueItem]]:
    """The open items of a few customers."""
    out: dict[Customer, list[DueItem]] = defaultdict(list)
    if not wanted:
        return out
    pairs = sorted(wanted)
    for start in range(0, len(pairs), 500):
        chunk = pairs[start:start + 500]
        for r in conn.execute(select(OPEN.c.company_code, OPEN.c.customer, OPEN.c.document,
                                     OPEN.c.fiscal_year, OPEN.c.line, OPEN.c.currency,
                                     OPEN.c.amount, OPEN.c.due_date).where(
                tuple_(OPEN.c.company_code, OPEN.c.customer).in_(chunk))):
            out[(r.company_code, r.customer)].append(DueItem(
                item_key(r.company_code, r.document, r.fiscal_year, r.line), r.currency,
                r.amount, r.due_date))
    return out


def _owners(conn: Connection, keys: set[ItemKey]) -> set[Customer]:
    """The customers whose open items include any of ``keys``."""
    owners: set[Customer] = set()
    parsed = []
    for key in keys:
        company, document, year, line = key.split("/")
        parsed.append((company, document, int(year), int(line)))
    for start in range(0, len(parsed), 500):
        chunk = parsed[start:start + 500]
        owners.update((r[0], r[1]) for r in conn.execute(
            select(OPEN.c.company_code, OPEN.c.customer).where(tuple_(
                OPEN.c.company_code, OPEN.c.document, OPEN.c.fiscal_year,
                OPEN.c.line).in_(chunk))))
    return owners


@dataclass(slots=True)
class Book:
    """One read of every customer's position at ``as_of``."""

    as_of: date
    positions: dict[Customer, Position] = field(default_factory=dict)
    oldest_debit: dict[Customer, date] = field(default_factory=dict)
    excluded: dict[ItemKey, Exclusion] = field(default_factory=dict)


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def read_book(conn: Connection, as_of: date) -> Book:
    """Every customer's overdue position at ``as_of`` (items due before it are overdue) and
    oldest open debit, in one grouped query and a few small ones."""
    excluded = exclusions(conn)
    special = _owners(conn, set(excluded)) if excluded else set()
    dialect = conn.dialect.name
    debit = OPEN.c.amount > 0
    overdue_cond = debit & (OPEN.c.due_date < as_of)
    query = select(
        OPEN.c.company_code, OPEN.c.customer, OPEN.c.currency,
        exact_sum(case((overdue_cond, OPEN.c.amount), else_=0), dialect).label("overdue"),
        exact_sum(case((OPEN.c.amount < 0, OPEN.c.amount), else_=0), dialect).label("credit"),
        func.min(case((overdue_cond, OPEN.c.due_date), else_=None)).label("oldest"),
        func.min(case((debit, OPEN.c.due_date), else_=None)).label("oldest_debit"),
    ).group_by(OPEN.c.company_code, OPEN.c.customer, OPEN.c.currency)
    book = Book(as_of, excluded=excluded)
    out, oldest_debit = book.positions, book.oldest_debit
    for company, customer, currency, overdue, credit, oldest, first in conn.execute(query).all():
        who = (company, customer)
        if first is not None:
            first = _day(first)
            if who not in oldest_debit or first < oldest_debit[who]:
                oldest_debit[who] = first
        if who in special:
            continue
        pos = out.get(who)
        if pos is None:
            pos = out[who] = Position()
        if overdue:
            overdue = _decimal(overdue, dialect)
            if overdue > 0:
                pos.overdue[currency] = overdue
                pos.oldest_due[currency] = _day(oldest)
        if credit:
            credit = _decimal(credit, dialect)
            if credit < 0:
                pos.credits[currency] = credit
    for who, items in items_of(conn, special).items():
        out[who] = position(items, as_of, excluded)
    return book


def positions(conn: Connection, as_of: date) -> dict[Customer, Position]:
    """Every customer's overdue position at ``as_of`` (see :func:`read_book`)."""
    return read_book(conn, as_of).positions
