"""The age analysis read from the store: the items open at a date are today's open items
posted by then plus the items cleared after it (the mirror keeps both), bucketed and summed in
the database with plain date comparisons, so a book of millions of items ages in seconds on
SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Numeric,
    RowMapping,
    Subquery,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    select,
    type_coerce,
    union_all,
)

from receivables.items import ClearedItem, OpenItem
from sync.cash.store import ALLOCATIONS, ENTRIES
from sync.mirror.items import ITEM_COLUMNS, item_fields
from sync.mirror.models import ClearedItemRow, CustomerRow, OpenItemRow
from sync.reports.ageing import Ageing, Key, assemble, credit_causes
from sync.reports.buckets import DEFAULT_EDGES, Basis, Bound, date_bounds
from sync.reports.comments import comments_as_at
from sync.tables import table_of

OPEN = table_of(OpenItemRow)
CLEARED = table_of(ClearedItemRow)
CUSTOMERS = table_of(CustomerRow)


CUSTOMER_CHUNK = 500


def open_at(as_of: date, *, customer: str | None = None, company_code: str | None = None,
            customers: list[str] | None = None) -> Subquery:
    """A selectable of the items open at the end of ``as_of`` (``clearing_date`` NULL for
    those still open today). A cleared row whose key is open again (a clearing reset) counts
    once, as open."""
    still_open = select(*(OPEN.c[c] for c in ITEM_COLUMNS),
                        literal(None, CLEARED.c.clearing_date.type).label("clearing_date"),
                        literal(None, CLEARED.c.clearing_document.type)
                        .label("clearing_document")) \
        .where(OPEN.c.posting_date <= as_of)
    reopened = exists().where(and_(OPEN.c.company_code == CLEARED.c.company_code,
                                   OPEN.c.document == CLEARED.c.document,
                                   OPEN.c.fiscal_year == CLEARED.c.fiscal_year,
                                   OPEN.c.line == CLEARED.c.line))
    cleared_later = select(*(CLEARED.c[c] for c in ITEM_COLUMNS), CLEARED.c.clearing_date,
                           CLEARED.c.clearing_document) \
        .where(CLEARED.c.posting_date <= as_of, CLEARED.c.clearing_date > as_of, ~reopened)
    if customer is not None:
        still_open = still_open.where(OPEN.c.customer == customer)
        cleared_later = cleared_later.where(CLEARED.c.customer == customer)
    if customers is not None:
        still_open = still_open.where(OPEN.c.customer.in_(customers))
        cleared_later = cleared_later.where(CLEARED.c.customer.in_(customers))
    if company_code is not None:
        still_open = still_open.where(OPEN.c.company_code == company_code)
        cleared_later = cleared_later.where(CLEARED.c.company_code == company_code)
    return union_all(still_open, cleared_later).subquery("book")


def bucket_sums(conn: Connection, as_of: date, *, basis: Basis = "due",
                edges: tuple[int, ...] = DEFAULT_EDGES, customer: str | None = None,
                company_code: str | None = None) -> dict[Key, dict[str, Decimal]]:
    """Bucket sums per (company code, customer, currency), pivoted in the database.

    Two grouped queries, one per branch of the book at ``as_of`` (today's open items posted
    by then; items cleared after it, unless open again), each read from its covering index
    (``ix_open_item_ageing``, ``ix_cleared_item_ageing``) in group order: no table access,
    no sort, and each item's bucket decided by plain date comparisons. The two are added
    here, exactly (whole thousandths on SQLite, NUMERIC on PostgreSQL)."""
    bounds = date_bounds(as_of, edges)
    names = [b.name for b in bounds]
    dialect = conn.dialect.name
    reopened = exists().where(and_(OPEN.c.company_code == CLEARED.c.company_code,
                                   OPEN.c.document == CLEARED.c.document,
                                   OPEN.c.fiscal_year == CLEARED.c.fiscal_year,
                                   OPEN.c.line == CLEARED.c.line))
    out: dict[Key, dict[str, Decimal]] = {}
    for table, where in ((OPEN, [OPEN.c.posting_date <= as_of]),
                         (CLEARED, [CLEARED.c.clearing_date > as_of,
                                    CLEARED.c.posting_date <= as_of, ~reopened])):
        if customer is not None:
            where.append(table.c.customer == customer)
        if company_code is not None:
            where.append(table.c.company_code == company_code)
        query = select(table.c.company_code, table.c.customer, table.c.currency,
                       *_graded(table, bounds, basis, dialect)).where(*where) \
            .group_by(table.c.company_code, table.c.customer, table.c.currency)
        for row in conn.execute(query):
            key = (row[0], row[1], row[2])
            values = [_decimal(v, dialect) for v in row[3:]]
            known = out.get(key)
            if known is None:
                out[key] = dict(zip(names, values, strict=True))
            else:
                for name, value in zip(names, values, strict=True):
                    known[name] += value
    return out


def _graded(table: Any, bounds: list[Bound], basis: Basis,
            dialect: str) -> list[ColumnElement[Any]]:
    """One SUM per bucket: the amounts whose reference date (due or document) lies on or
    after the bucket's earliest date and before the next newer bucket's."""
    reference = table.c.due_date if basis == "due" else table.c.document_date
    # SQLite: whole thousandths (Money is text there); PostgreSQL: NUMERIC, read as the
    # driver's Decimal (typed plain Numeric: Money's per-value result processing cost more
    # than the database's whole sum)
    amount = cast(func.round(table.c.amount * MILLS), Integer) if dialect == "sqlite" \
        else type_coerce(table.c.amount, Numeric(17, 3, asdecimal=True))
    sums: list[ColumnElement[Any]] = []
    newer: date | None = None
    for bound in bounds:
        test = [reference < newer] if newer is not None else []
        if bound.earliest is not None:
            test.append(reference >= bound.earliest)
        sums.append(func.sum(case((and_(*test), amount))) if test
                    else func.sum(amount))
        newer = bound.earliest
    return sums


def receivables_at(conn: Connection, dates: list[date]) -> dict[date, dict[str, Decimal]]:
    """The receivables per currency (every item open at the end of the day, credits too: the
    ageing's ``total``) at each of ``dates``, in one grouped query per branch instead of one
    age analysis per date: each item is placed by the first of the dates on or after its
    posting (and, if cleared, its clearing), and counts at the dates between the two."""
    days = sorted(set(dates))
    out: dict[date, dict[str, Decimal]] = {d: {} for d in days}
    if not days:
        return out
    dialect = conn.dialect.name

    def first_on_or_after(column: Any) -> Any:
        return case(*[(column <= d, i) for i, d in enumerate(days)], else_=len(days))

    reopened = exists().where(and_(OPEN.c.company_code == CLEARED.c.company_code,
                                   OPEN.c.document == CLEARED.c.document,
                                   OPEN.c.fiscal_year == CLEARED.c.fiscal_year,
                                   OPEN.c.line == CLEARED.c.line))
    still_open = select(OPEN.c.currency, first_on_or_after(OPEN.c.posting_date).label("since"),
                        literal(len(days)).label("until"), OPEN.c.amount) \
        .where(OPEN.c.posting_date <= days[-1])
    cleared = select(CLEARED.c.currency,
                     first_on_or_after(CLEARED.c.posting_date).label("since"),
                     first_on_or_after(CLEARED.c.clearing_date).label("until"),
                     CLEARED.c.amount) \
        .where(CLEARED.c.posting_date <= days[-1], CLEARED.c.clearing_date > days[0],
               ~reopened)
    for branch in (still_open, cleared):
        placed = branch.subquery("placed")
        query = select(placed.c.currency, placed.c.since, placed.c.until,
                       exact_sum(placed.c.amount, dialect)) \
            .group_by(placed.c.currency, placed.c.since, placed.c.until)
        for currency, since, until, total in conn.execute(query):
            value = _decimal(total, dialect)
            for day in days[int(since):int(until)]:
                sums = out[day]
                sums[currency] = sums.get(currency, Decimal(0)) + value
    return out


MILLS = 1000  # Money has three decimals


def exact_sum(column: ColumnElement[Any], dialect: str) -> ColumnElement[Any]:
    """SUM without float: PostgreSQL sums NUMERIC exactly; SQLite holds Money as text and would
    sum through REAL, so each amount is summed as whole thousandths (exact while an amount
    stays below 9 * 10**12)."""
    if dialect == "sqlite":
        return func.sum(cast(func.round(column * MILLS), Integer))
    return func.sum(column)


def _decimal(total: Decimal | int | float | str | None, dialect: str) -> Decimal:
    """A database sum as an exact Decimal (SQLite's are whole thousandths: two places when the
    third is 0, as the amounts were written)."""
    if dialect == "sqlite":
        mills = int(total or 0)
        if not mills:
            return _ZERO_CENTS
        # a Decimal times an int is exact (far within the 28 digits of precision), and
        # faster than making a Decimal and scaling it
        return _CENT * (mills // 10) if mills % 10 == 0 else _MILL * mills
    return total if isinstance(total, Decimal) else Decimal(total or 0)


_ZERO_CENTS = Decimal("0.00")
_CENT = Decimal("0.01")
_MILL = Decimal("0.001")


def book_item(row: RowMapping) -> OpenItem:
    """One row of :func:`open_at` as the item it is: an ``OpenItem`` while its
    ``clearing_date`` is NULL, else the ``ClearedItem``."""
    if row["clearing_date"] is None:
        return OpenItem(**item_fields(row))
    return ClearedItem(**item_fields(row), clearing_date=row["clearing_date"],
                       clearing_document=row["clearing_document"])


def items_of(conn: Connection, as_of: date, keys: set[Key]) -> dict[Key, list[OpenItem]]:
    """The open items at ``as_of`` of a few (company code, customer, currency) lines, read in
    chunks of customers (one query per chunk, not per customer)."""
    out: dict[Key, list[OpenItem]] = defaultdict(list)
    customers = sorted({k[1] for k in keys})
    for start in range(0, len(customers), CUSTOMER_CHUNK):
        book = open_at(as_of, customers=customers[start:start + CUSTOMER_CHUNK])
        for row in conn.execute(select(book)):
            item = book_item(row._mapping)
            key = (item.company_code, item.customer, item.currency)
            if key in keys:
                out[key].append(item)
    return out


def allocated_twice(conn: Connection) -> set[tuple[str, str]]:
    """Customers with a bank receipt whose posted allocations add up to more than it: the
    same money applied twice (only a correcting journal undoes that)."""
    posted = select(ALLOCATIONS.c.receipt_id, ALLOCATIONS.c.company_code,
                    ALLOCATIONS.c.customer, func.sum(ALLOCATIONS.c.amount).label("applied")) \
        .where(ALLOCATIONS.c.state == "posted") \
        .group_by(ALLOCATIONS.c.receipt_id, ALLOCATIONS.c.company_code,
                  ALLOCATIONS.c.customer).subquery()
    query = select(posted.c.company_code, posted.c.customer).join(
        ENTRIES, ENTRIES.c.id == posted.c.receipt_id).where(
        posted.c.applied > func.abs(ENTRIES.c.amount))
    return {(r[0], r[1]) for r in conn.execute(query)}


def customer_names(conn: Connection) -> dict[tuple[str, str], str]:
    return {(r[0], r[1]): r[2] for r in conn.execute(
        select(CUSTOMERS.c.company_code, CUSTOMERS.c.number, CUSTOMERS.c.name))}


def ageing(conn: Connection, as_of: date, *, basis: Basis = "due",
           edges: tuple[int, ...] = DEFAULT_EDGES, customer: str | None = None,
           company_code: str | None = None) -> Ageing:
    """The age analysis as at the end of ``as_of``, with the commentary as it stood then."""
    sums = bucket_sums(conn, as_of, basis=basis, edges=edges, customer=customer,
                       company_code=company_code)
    credit_keys = {k for k, v in sums.items() if sum(v.values(), Decimal("0")) < 0}
    twice = allocated_twice(conn) if credit_keys else set()
    causes = {k: credit_causes(items, allocated_twice=(k[0], k[1]) in twice)
              for k, items in items_of(conn, as_of, credit_keys).items()}
    until = datetime.combine(as_of + timedelta(days=1), time(), tzinfo=timezone.utc)
    return assemble(sums, as_of=as_of, basis=basis, edges=edges, names=customer_names(conn),
                    commentary=comments_as_at(conn, until), causes=causes)
