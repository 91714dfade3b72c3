"""The daily dunning run's store side: plan a decision per customer from the policies, record
each reminder (unique per customer, cycle and level) and move the customer's level in the same
transaction, approve reminders that wait for a person, and record bounces, which turn an
e-mail into a phone task."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from config.collections import CollectionSettings
from config.errors import InputError
from sync import audit
from sync.collections.models import DunningLevelRow, ReminderRow
from sync.collections.policy import Decision, decide
from sync.collections.positions import Book, Customer, items_of, position, read_book
from sync.collections.positions import exclusions as excluded_items
from sync.mirror.models import CustomerRow
from sync.tables import inserted_id, table_of
from sync.work import outgoing

LEVELS = table_of(DunningLevelRow)
REMINDERS = table_of(ReminderRow)
CUSTOMERS = table_of(CustomerRow)


@dataclass(frozen=True, slots=True)
class Standing:
    cycle: int = 1
    level: int = 0
    reached_on: date | None = None
    raise_pending: bool = False


@dataclass(frozen=True, slots=True)
class Planned:
    company_code: str
    customer: str
    policy: str
    standing: Standing
    decision: Decision


def standings(conn: Connection) -> dict[Customer, Standing]:
    return {(r.company_code, r.customer): Standing(r.cycle, r.level, r.reached_on,
                                                   r.raise_pending)
            for r in conn.execute(select(LEVELS))}


def plan(conn: Connection, settings: CollectionSettings, as_of: date, *,
         book: Book | None = None) -> list[Planned]:
    """Today's decision for every customer with open items or a level (``book``: the
    morning's read of the positions, when the caller has it already)."""
    groups = {(r[0], r[1]): r[2] for r in conn.execute(
        select(CUSTOMERS.c.company_code, CUSTOMERS.c.number, CUSTOMERS.c.customer_group))}
    where = standings(conn)
    if book is None or book.as_of != as_of:
        book = read_book(conn, as_of)
    out = []
    fresh = Standing()
    for who, pos in sorted(book.positions.items()):
        name = settings.policy_name(who[1], groups.get(who))
        now = where.get(who, fresh)
        out.append(Planned(who[0], who[1], name, now, decide(
            settings.policies[name], pos, as_of, current=now.level,
            reached_on=now.reached_on, raise_pending=now.raise_pending)))
    seen = {(p.company_code, p.customer) for p in out}
    for who, now in where.items():  # a level with no open item left: the cycle ends
        if now.level and who not in seen:
            out.append(Planned(who[0], who[1], settings.policy_name(who[1], groups.get(who)),
                               now, Decision("nothing_overdue")))
    return out


def summary(planned: list[Planned]) -> dict[str, int]:
    return dict(Counter(p.decision.outcome for p in planned))


def end_cycle(conn: Connection, company_code: str, customer: str, *, now: datetime) -> None:
    """Nothing is overdue any more: the next overdue item starts again at level 1."""
    conn.execute(update(LEVELS).where(
        LEVELS.c.company_code == company_code, LEVELS.c.customer == customer,
        LEVELS.c.level > 0).values(cycle=LEVELS.c.cycle + 1, level=0, reached_on=None,
                                   raise_pending=False, updated_at=now))


def record(conn: Connection, settings: CollectionSettings, p: Planned, *, as_of: date,
           now: datetime, excluded: dict[str, Any] | None = None) -> int | None:
    """Record ``p``'s reminder and move the level, or None when this level already has one
    (another run got here first). Call inside a write transaction."""
    level = settings.policies[p.policy].levels[p.decision.level - 1]
    cycle = p.standing.cycle
    exists = conn.execute(select(REMINDERS.c.id).where(
        REMINDERS.c.company_code == p.company_code, REMINDERS.c.customer == p.customer,
        REMINDERS.c.cycle == cycle, REMINDERS.c.level == p.decision.level)).first()
    if exists is not None:
        return None
    items = items_of(conn, {(p.company_code, p.customer)})[(p.company_code, p.customer)]
    keys = position(items, as_of, excluded_items(conn) if excluded is None
                    else excluded).items
    state = "approval" if level.approval else ("task" if level.channel == "phone"
                                                else "pending")
    new_id = inserted_id(conn.execute(insert(REMINDERS).values(
        company_code=p.company_code, customer=p.customer, cycle=cycle,
        level=p.decision.level, channel=level.channel, template=level.template,
        run_date=as_of, state=state, items=json.dumps(keys),
        amounts=json.dumps({c: str(a) for c, a in p.decision.amounts.items()}),
        created_at=now)))
    moved = conn.execute(update(LEVELS).where(
        LEVELS.c.company_code == p.company_code, LEVELS.c.customer == p.customer,
        LEVELS.c.cycle == cycle, LEVELS.c.level == p.standing.level).values(
        level=p.decision.level, reached_on=as_of, raise_pending=False, updated_at=now))
    if moved.rowcount == 0:
        conn.execute(insert(LEVELS).values(
            company_code=p.company_code, customer=p.customer, cycle=cycle,
            level=p.decision.level, reached_on=as_of, raise_pending=False, updated_at=now))
    audit.record(conn, [audit.event(
        action="reminder recorded", entity="dunning_reminder", key=str(new_id), at=now,
        detail={"customer": p.customer, "level": str(p.decision.level), "state": state,
                "channel": level.channel})])
    return int(new_id)


def raise_level(conn: Connection, company_code: str, customer: str, *, now: datetime) -> None:
    """A broken promise: the next run sends the next level whatever the days say."""
    done = conn.execute(update(LEVELS).where(
        LEVELS.c.company_code == company_code, LEVELS.c.customer == customer).values(
        raise_pending=True, updated_at=now))
    if done.rowcount == 0:
        conn.execute(insert(LEVELS).values(company_code=company_code, customer=customer,
                                           cycle=1, level=0, raise_pending=True,
                                           updated_at=now))


def reminder(conn: Connection, reminder_id: int) -> dict[str, Any]:
    row = conn.execute(select(REMINDERS).where(REMINDERS.c.id == reminder_id)).first()
    if row is None:
        raise InputError(f"reminder {reminder_id} does not exist: see arbridge collections "
                         "reminders")
    return dict(row._mapping)


def approve(conn: Connection, reminder_id: int, *, by: str, now: datetime) -> None:
    row = reminder(conn, reminder_id)
    if row["state"] != "approval":
        raise InputError(f"reminder {reminder_id} is {row['state']}, not waiting for approval")
    conn.execute(update(REMINDERS).where(REMINDERS.c.id == reminder_id).values(
        state="task" if row["channel"] == "phone" else "pending", approved_by=by))
    audit.record(conn, [audit.event(action="reminder approved", entity="dunning_reminder",
                                    key=str(reminder_id), at=now, actor=by, detail={})])


def bounced(conn: Connection, reminder_id: int, *, reason: str, now: datetime,
            by: str = "system") -> None:
    """An e-mail came back: recorded, and the reminder becomes a phone task on the
    worklist (never stuck)."""
    row = reminder(conn, reminder_id)
    if row["channel"] != "email":
        raise InputError(f"reminder {reminder_id} went by {row['channel']}, not e-mail")
    conn.execute(update(REMINDERS).where(REMINDERS.c.id == reminder_id).values(
        state="bounced", detail=f"bounced: {reason}"[:500]))
    audit.record(conn, [audit.event(action="reminder bounced", entity="dunning_reminder",
                                    key=str(reminder_id), at=now, actor=by,
                                    detail={"reason": reason[:200]})])


def finish(conn: Connection, reminder_id: int, *, state: str, now: datetime,
           recipient: str | None = None, document: str | None = None,
           detail: str | None = None) -> None:
    outgoing.finish(conn, REMINDERS, reminder_id, state=state, now=now, recipient=recipient,
                    detail=detail, document=document)


def to_send(conn: Connection) -> list[dict[str, Any]]:
    """Reminders waiting to go out (new, failed last time, or left ``sending`` by a run that
    stopped: :mod:`sync.work.outgoing` settles those)."""
    return [dict(r._mapping) for r in conn.execute(select(REMINDERS).where(
        REMINDERS.c.state.in_(("pending", "failed", "sending"))).order_by(REMINDERS.c.id))]


def counts_by_level(conn: Connection, states: tuple[str, ...] = (
        "sent", "task", "bounced", "done")) -> dict[str, int]:
    return {str(level): int(n) for level, n in conn.execute(
        select(REMINDERS.c.level, func.count()).where(REMINDERS.c.state.in_(states))
        .group_by(REMINDERS.c.level).order_by(REMINDERS.c.level))}


def amounts_of(row: dict[str, Any]) -> dict[str, Decimal]:
    return {c: Decimal(a) for c, a in json.loads(row["amounts"]).items()}
