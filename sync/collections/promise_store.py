"""Promises to pay and payment arrangements in the store: made (idempotent by reference) and
judged each evening from the money that reached their items since they were made — items
cleared in SAP (the mirror's cleared items) and receipts allocated to them here. A broken
promise raises the customer's dunning level; a kept one keeps its items out of reminders."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, insert, select, tuple_, update

from config.errors import InputError
from sync import audit
from sync.cash.models import AllocationRow
from sync.collections.dunning import raise_level
from sync.collections.models import InstalmentRow, PromiseRow
from sync.collections.positions import PAID_STATES
from sync.collections.promises import Instalment, judge, judge_instalments
from sync.mirror.models import ClearedItemRow, OpenItemRow
from sync.tables import inserted_id, table_of

PROMISES = table_of(PromiseRow)
INSTALMENTS = table_of(InstalmentRow)
CLEARED = table_of(ClearedItemRow)
OPEN = table_of(OpenItemRow)
ALLOCATIONS = table_of(AllocationRow)
STATES = ("open", "kept", "partly_kept", "broken")


@dataclass(frozen=True, slots=True)
class Judged:
    promise_id: int
    customer: str
    before: str
    after: str
    paid: Decimal


def _parse(key: str) -> tuple[str, str, int, int]:
    company, document, year, line = key.split("/")
    return company, document, int(year), int(line)


def make_promise(conn: Connection, *, reference: str, company_code: str, customer: str,
                 items: list[str], instalments: list[Instalment], made_on: date,
                 by: str, now: datetime, contact_id: int | None = None) -> int:
    """Record a promise (one instalment) or an arrangement (several) over ``items`` (open
    items of the customer). The same ``reference`` twice returns the first promise."""
    found = conn.execute(select(PROMISES.c.id).where(PROMISES.c.reference == reference)).first()
    if found is not None:
        return int(found[0])
    if not instalments or any(i.amount <= 0 for i in instalments):
        raise InputError("a promise needs at least one instalment with an amount above zero")
    if not items:
        raise InputError("a promise names the items it covers")
    keys = [_parse(k) for k in items]
    rows = list(conn.execute(select(OPEN.c.customer, OPEN.c.currency).where(tuple_(
        OPEN.c.company_code, OPEN.c.document, OPEN.c.fiscal_year, OPEN.c.line).in_(keys))
        ).all()) + list(conn.execute(select(CLEARED.c.customer, CLEARED.c.currency).where(tuple_(
            CLEARED.c.company_code, CLEARED.c.document, CLEARED.c.fiscal_year,
            CLEARED.c.line).in_(keys), CLEARED.c.clearing_date >= made_on)).all())
    if len(rows) != len(items) or {r[0] for r in rows} != {customer}:
        raise InputError(f"items {', '.join(items)}: not all items of customer {customer} "
                         f"open on {made_on}")
    currencies = {r[1] for r in rows}
    if len(currencies) != 1:
        raise InputError("a promise covers items of one currency")
    new_id = inserted_id(conn.execute(insert(PROMISES).values(
        reference=reference, company_code=company_code, customer=customer,
        kind="promise" if len(instalments) == 1 else "arrangement",
        currency=currencies.pop(), amount=sum((i.amount for i in instalments), Decimal(0)),
        items=json.dumps(items), made_on=made_on, state="open", paid=Decimal(0),
        contact_id=contact_id, created_by=by, created_at=now)))
    conn.execute(insert(INSTALMENTS), [
        {"promise_id": new_id, "seq": n, "due_date": i.due_date, "amount": i.amount,
         "state": "open"} for n, i in enumerate(sorted(instalments, key=lambda i: i.due_date),
                                                start=1)])
    audit.record(conn, [audit.event(action="promise made", entity="promise_to_pay",
                                    key=str(new_id), at=now, actor=by,
                                    detail={"customer": customer, "instalments":
                                            len(instalments)})])
    return new_id


def paid_towards(conn: Connection, items: list[str], since: date, until: date) -> Decimal:
    """Money that reached ``items`` from ``since`` to ``until``: the amount of each item SAP
    cleared in that time, else what receipts allocated to it here."""
    keys = [_parse(k) for k in items]
    total = Decimal(0)
    cleared = set()
    for r in conn.execute(select(CLEARED.c.company_code, CLEARED.c.document,
                                 CLEARED.c.fiscal_year, CLEARED.c.line, CLEARED.c.amount)
                          .where(tuple_(CLEARED.c.company_code, CLEARED.c.document,
                                        CLEARED.c.fiscal_year, CLEARED.c.line).in_(keys),
                                 CLEARED.c.clearing_date >= since,
                                 CLEARED.c.clearing_date <= until)):
        cleared.add(f"{r[0]}/{r[1]}/{r[2]}/{r[3]}")
        total += r.amount
    start = datetime.combine(since, time(), tzinfo=timezone.utc)
    wanted = set(items) - cleared
    for raw in conn.execute(select(ALLOCATIONS.c["items"]).where(
            ALLOCATIONS.c.state.in_(PAID_STATES), ALLOCATIONS.c.created_at >= start)).scalars():
        for applied in json.loads(raw):
            if applied["item"] in wanted:
                total += Decimal(applied["applied"])
    return total


def evaluate(conn: Connection, today: date, *, tolerance_days: int,
             now: datetime) -> list[Judged]:
    """The evening's judgement of every open promise; audited; a broken or partly kept one
    raises the customer's level."""
    out = []
    for p in conn.execute(select(PROMISES).where(PROMISES.c.state == "open")).all():
        plan = conn.execute(select(INSTALMENTS).where(INSTALMENTS.c.promise_id == p.id)
                            .order_by(INSTALMENTS.c.seq)).all()
        instalments = [Instalment(i.due_date, i.amount) for i in plan]
        paid = paid_towards(conn, json.loads(p.items), p.made_on, today)
        verdict = judge(instalments, paid, today, tolerance_days)
        for row, each in zip(plan, judge_instalments(instalments, paid, today,
                                                     tolerance_days), strict=True):
            conn.execute(update(INSTALMENTS).where(
                INSTALMENTS.c.promise_id == p.id, INSTALMENTS.c.seq == row.seq).values(
                state=each))
        conn.execute(update(PROMISES).where(PROMISES.c.id == p.id).values(
            state=verdict, paid=paid, judged_on=today))
        if verdict != "open":
            audit.record(conn, [audit.event(action=f"promise {verdict}",
                                            entity="promise_to_pay", key=str(p.id), at=now,
                                            detail={"customer": p.customer, "paid": str(paid),
                                                    "promised": str(p.amount)})])
        if verdict in ("broken", "partly_kept"):
            raise_level(conn, p.company_code, p.customer, now=now)
        out.append(Judged(p.id, p.customer, "open", verdict, paid))
    return out


def promises_of(conn: Connection, company_code: str, customer: str) -> list[dict[str, Any]]:
    """A customer's promises, newest first, each with its ``instalments`` (date order)."""
    found = [dict(r._mapping) | {"instalments": []} for r in conn.execute(select(
        PROMISES).where(PROMISES.c.company_code == company_code,
                        PROMISES.c.customer == customer).order_by(PROMISES.c.id.desc()))]
    by_id = {p["id"]: p for p in found}
    if by_id:
        for i in conn.execute(select(INSTALMENTS).where(INSTALMENTS.c.promise_id.in_(
                list(by_id))).order_by(INSTALMENTS.c.promise_id, INSTALMENTS.c.seq)):
            by_id[i.promise_id]["instalments"].append(dict(i._mapping))
    return found


def broken_counts(conn: Connection, since: date) -> dict[tuple[str, str], int]:
    return {(r[0], r[1]): int(r[2]) for r in conn.execute(select(
        PROMISES.c.company_code, PROMISES.c.customer, func.count()).where(
        PROMISES.c.state.in_(("broken", "partly_kept")), PROMISES.c.judged_on >= since)
        .group_by(PROMISES.c.company_code, PROMISES.c.customer))}


def counts(conn: Connection) -> dict[str, int]:
    found: dict[str, int] = {r[0]: int(r[1]) for r in conn.execute(
        select(PROMISES.c.state, func.count()).group_by(PROMISES.c.state))}
    return {"kept": int(found.get("kept", 0)),
            "broken": int(found.get("broken", 0)) + int(found.get("partly_kept", 0)),
            "open": int(found.get("open", 0))}
