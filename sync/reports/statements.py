"""Customer statements: what one says (pure: open items with their due dates and days
overdue, receipts applied since the last statement, the ageing block, the balance per
currency) and who gets one when (daily: accounts that moved that day; monthly: every debtor
with a balance), each statement claimed and recorded once per customer, schedule and
period."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import Connection, func, insert, select

from sync.cash.models import AllocationRow, BankEntryRow
from sync.mirror.models import ClearedItemRow, CustomerRow, OpenItemRow
from sync.reports.ageing import age_items, money_text
from sync.reports.ageing_store import book_item, exact_sum, open_at
from sync.reports.buckets import DEFAULT_EDGES, bucket_names, days_past
from sync.reports.models import StatementRow
from sync.tables import inserted_id, table_of
from sync.work import outgoing

Schedule = Literal["daily", "monthly"]
STATEMENTS = table_of(StatementRow)
OPEN = table_of(OpenItemRow)
CLEARED = table_of(ClearedItemRow)
CUSTOMERS = table_of(CustomerRow)
ALLOCATIONS = table_of(AllocationRow)
ENTRIES = table_of(BankEntryRow)


@dataclass(frozen=True, slots=True)
class StatementLine:
    document: str
    reference: str | None
    document_date: date
    due_date: date
    days_overdue: int
    currency: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Receipt:
    booked: date
    currency: str
    amount: Decimal
    applied_to: str


@dataclass(slots=True)
class Statement:
    company_code: str
    customer: str
    name: str
    as_of: date
    since: date | None
    lines: list[StatementLine]
    receipts: list[Receipt]
    buckets: list[str]
    ageing: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # currency -> bucket

    def balance(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = defaultdict(lambda: Decimal(0))
        for line in self.lines:
            out[line.currency] += line.amount
        return dict(sorted(out.items()))

    def as_json(self) -> dict[str, Any]:
        return {"customer": self.customer, "company_code": self.company_code,
                "name": self.name, "as_of": self.as_of.isoformat(),
                "balance": {c: money_text(v, c) for c, v in self.balance().items()},
                "items": len(self.lines), "receipts": len(self.receipts)}


def period_of(schedule: Schedule, as_of: date) -> str:
    """The period a statement is sent once for: the day (daily) or the month (monthly)."""
    return as_of.isoformat() if schedule == "daily" else as_of.strftime("%Y-%m")


def compose(conn: Connection, company_code: str, customer: str, as_of: date, *,
            edges: tuple[int, ...] = DEFAULT_EDGES) -> Statement:
    """Everything one statement shows, as at the end of ``as_of``."""
    book = open_at(as_of, customer=customer, company_code=company_code)
    items = [book_item(r._mapping)
             for r in conn.execute(select(book).order_by(book.c.due_date, book.c.document))]
    lines = [StatementLine(i.document, i.reference, i.document_date, i.due_date,
                           max(0, days_past(as_of, i.due_date, i.document_date, "due")),
                           i.currency, i.amount) for i in items]
    ageing = {ccy: sums for (_, _, ccy), sums in age_items(items, as_of, edges=edges).items()}
    since = last_sent(conn, company_code, customer)
    name = conn.execute(select(CUSTOMERS.c.name).where(
        CUSTOMERS.c.company_code == company_code, CUSTOMERS.c.number == customer)
    ).scalar_one_or_none() or ""
    return Statement(company_code=company_code, customer=customer, name=name, as_of=as_of,
                     since=since, lines=lines,
                     receipts=receipts_since(conn, company_code, customer, since, as_of),
                     buckets=bucket_names(edges), ageing=ageing)


def receipts_since(conn: Connection, company_code: str, customer: str, since: date | None,
                   as_of: date) -> list[Receipt]:
    """Bank receipts allocated to the customer and posted in SAP after ``since``."""
    query = select(ENTRIES.c.booking_date, ALLOCATIONS.c.currency, ALLOCATIONS.c.amount,
                   ALLOCATIONS.c["items"]).join(ENTRIES, ENTRIES.c.id == ALLOCATIONS.c.receipt_id) \
        .where(ALLOCATIONS.c.company_code == company_code, ALLOCATIONS.c.customer == customer,
               ALLOCATIONS.c.state == "posted", ENTRIES.c.booking_date <= as_of)
    if since is not None:
        query = query.where(ENTRIES.c.booking_date > since)
    out = []
    for booked, currency, amount, items in conn.execute(query.order_by(ENTRIES.c.booking_date)):
        out.append(Receipt(booked, currency, Decimal(amount), _invoices(items)))
    return out


def _invoices(items: str) -> str:
    import json

    try:
        parsed = json.loads(items)
    except ValueError:
        return ""
    names = [str(i.get("document") or i.get("billing_document") or "") for i in parsed
             if isinstance(i, dict)]
    return ", ".join(n for n in names if n)


def last_sent(conn: Connection, company_code: str, customer: str) -> date | None:
    return conn.execute(select(func.max(STATEMENTS.c.as_of)).where(
        STATEMENTS.c.company_code == company_code, STATEMENTS.c.customer == customer,
        STATEMENTS.c.state == "sent")).scalar_one_or_none()


def candidates(conn: Connection, schedule: Schedule, as_of: date,
               customer: str | None = None) -> list[tuple[str, str]]:
    """Who is due a statement: monthly, every customer with a balance at ``as_of``; daily,
    those whose account moved that day (an item posted or cleared, a receipt allocated)."""
    if schedule == "monthly":
        book = open_at(as_of, customer=customer)
        query = select(book.c.company_code, book.c.customer).group_by(
            book.c.company_code, book.c.customer, book.c.currency).having(
            exact_sum(book.c.amount, conn.dialect.name) != 0)
        found = {(r[0], r[1]) for r in conn.execute(query)}
    else:
        found = set()
        for table, column in ((OPEN, OPEN.c.posting_date), (CLEARED, CLEARED.c.clearing_date),
                              (CLEARED, CLEARED.c.posting_date)):
            query = select(table.c.company_code, table.c.customer).where(column == as_of)
            if customer:
                query = query.where(table.c.customer == customer)
            found |= {(r[0], r[1]) for r in conn.execute(query.distinct())}
        start = datetime.combine(as_of, time(), tzinfo=timezone.utc)
        moved = select(ALLOCATIONS.c.company_code, ALLOCATIONS.c.customer).where(
            ALLOCATIONS.c.state == "posted", ALLOCATIONS.c.updated_at >= start,
            ALLOCATIONS.c.updated_at < start + timedelta(days=1))
        if customer:
            moved = moved.where(ALLOCATIONS.c.customer == customer)
        found |= {(r[0], r[1]) for r in conn.execute(moved.distinct())}
    return sorted(found)


def record(conn: Connection, *, company_code: str, customer: str, schedule: Schedule,
           as_of: date, now: datetime) -> tuple[int, str]:
    """The statement's row for this period, made if new: (id, state). Unique per customer,
    schedule and period, so a second run finds it and sends nothing twice."""
    period = period_of(schedule, as_of)
    key = (STATEMENTS.c.company_code == company_code, STATEMENTS.c.customer == customer,
           STATEMENTS.c.schedule == schedule, STATEMENTS.c.period == period)
    row = conn.execute(select(STATEMENTS.c.id, STATEMENTS.c.state).where(*key)).first()
    if row is not None:
        return int(row[0]), str(row[1])
    new_id = inserted_id(conn.execute(insert(STATEMENTS).values(
        company_code=company_code, customer=customer, schedule=schedule, period=period,
        as_of=as_of, state="pending", created_at=now)))
    return new_id, "pending"


def finish(conn: Connection, statement_id: int, *, state: str, now: datetime,
           recipient: str | None = None, pdf: str | None = None,
           detail: str | None = None) -> None:
    outgoing.finish(conn, STATEMENTS, statement_id, state=state, now=now, recipient=recipient,
                    detail=detail, pdf=pdf)


def counts(conn: Connection, *, states: tuple[str, ...] = ("sent",)) -> int:
    return int(conn.execute(select(func.count()).select_from(STATEMENTS).where(
        STATEMENTS.c.state.in_(states))).scalar_one())
