"""The collector's worklist: every customer with something to chase, ranked by the strategy
(:mod:`sync.collections.strategy`), each with the ageing, open disputes, promises, the last
contacts and the next step. Read in a handful of grouped queries, whatever the book's size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from config.collections import CollectionSettings
from sync.collections.contacts import last_contacts
from sync.collections.disputes import DISPUTES
from sync.collections.dunning import REMINDERS
from sync.collections.legal import NOTICES, prescribing
from sync.collections.positions import Book, read_book
from sync.collections.promise_store import PROMISES, broken_counts
from sync.collections.strategy import Facts, Ranked, rank
from sync.reports.ageing import money_text
from sync.reports.ageing_store import bucket_sums, customer_names
from sync.reports.buckets import DEFAULT_EDGES

TASK_STATES = ("bounced", "task", "approval")


@dataclass(slots=True)
class Entry:
    rank: int
    company_code: str
    customer: str
    name: str
    score: Decimal
    why: str
    overdue: dict[str, Decimal]
    days_overdue: int
    ageing: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    disputes: list[dict[str, Any]] = field(default_factory=list)
    promises: list[dict[str, Any]] = field(default_factory=list)
    last_contact: str | None = None
    call_back: date | None = None
    prescribes_on: date | None = None
    tasks: list[str] = field(default_factory=list)
    next_step: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"rank": self.rank, "company_code": self.company_code,
                "customer": self.customer, "name": self.name, "score": str(self.score),
                "why": self.why,
                "overdue": {c: money_text(a, c) for c, a in self.overdue.items()},
                "days_overdue": self.days_overdue,
                "ageing": {c: {b: money_text(v, c) for b, v in bs.items()}
                           for c, bs in self.ageing.items()},
                "disputes": self.disputes, "promises": self.promises,
                "last_contact": self.last_contact,
                "call_back": self.call_back.isoformat() if self.call_back else None,
                "prescribes_on": self.prescribes_on.isoformat() if self.prescribes_on
                else None, "tasks": self.tasks, "next_step": self.next_step}


def _grouped(conn: Connection, query: Any) -> dict[tuple[str, str], list[dict[str, Any]]]:
    out: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in conn.execute(query):
        out[(r.company_code, r.customer)].append(dict(r._mapping))
    return out


def next_step(entry: Entry, today: date, nca: bool, notice_unproved: bool) -> str:
    if entry.call_back is not None and entry.call_back <= today:
        return f"call back (agreed for {entry.call_back})"
    if entry.tasks:
        return entry.tasks[0]
    if notice_unproved:
        return "record the section 129 notice's registered-mail tracking reference"
    if entry.prescribes_on is not None:
        return (f"prescribes on {entry.prescribes_on}: get an acknowledgement of debt or "
                "serve summons")
    broken = [p for p in entry.promises if p["state"] in ("broken", "partly_kept")]
    open_ = [p for p in entry.promises if p["state"] == "open"]
    if broken:
        return f"call: promise of {broken[0]['made_on']} was {broken[0]['state']}"
    if open_:
        return f"wait: promise {open_[0]['amount']} {open_[0]['currency']} open"
    if entry.call_back is not None:
        return f"call back on {entry.call_back}"
    if nca and entry.days_overdue >= 28:
        return "consumer (NCA): section 129 notice before any hand-over"
    return f"call: {entry.days_overdue} days overdue"


def build(conn: Connection, settings: CollectionSettings, today: date, *,
          edges: tuple[int, ...] = DEFAULT_EDGES, limit: int | None = None,
          book: Book | None = None) -> list[Entry]:
    """The ranked worklist (the top ``limit`` in detail). ``book``: the morning's read of
    every position, shared with the daily run's plan (read here when not given)."""
    if book is None or book.as_of != today:
        book = read_book(conn, today)
    pos = book.positions
    tasks = _grouped(conn, select(REMINDERS.c.company_code, REMINDERS.c.customer,
                                  REMINDERS.c.id, REMINDERS.c.level, REMINDERS.c.state)
                     .where(REMINDERS.c.state.in_(TASK_STATES)))
    contacts = last_contacts(conn)
    broken = broken_counts(conn, today - timedelta(days=90))
    warn = prescribing(conn, settings, today, book=book)
    facts = []
    for who, p in pos.items():
        amounts = p.net_overdue()
        back = contacts.get(who, (None, None))[1]
        if not amounts and who not in tasks and who not in warn:
            continue
        days = max(((today - p.oldest_due[c]).days for c in amounts), default=0)
        facts.append(Facts(f"{who[0]}/{who[1]}", amounts, days, broken.get(who, 0),
                           settings.risk_of(who[1]), back is not None and back <= today,
                           who in warn))
    ranked = rank(facts, settings.strategy)
    if limit is not None:
        ranked = ranked[:limit]
    return _detail(conn, settings, today, ranked, tasks, contacts, warn, edges)


def _detail(conn: Connection, settings: CollectionSettings, today: date, ranked: list[Ranked],
            tasks: dict[tuple[str, str], list[dict[str, Any]]],
            contacts: dict[tuple[str, str], Any], warn: dict[tuple[str, str], date],
            edges: tuple[int, ...]) -> list[Entry]:
    names = customer_names(conn)
    ageing: dict[tuple[str, str], dict[str, dict[str, Decimal]]] = defaultdict(dict)
    shown = [tuple(r.facts.customer.split("/")) for r in ranked]
    sums = bucket_sums(conn, today, edges=edges) if len(shown) > 1000 else {
        k: v for company, customer in shown for k, v in bucket_sums(
            conn, today, edges=edges, customer=customer, company_code=company).items()}
    for key, buckets in sums.items():
        ageing[(key[0], key[1])][key[2]] = buckets
    disputes = _grouped(conn, select(DISPUTES.c.company_code, DISPUTES.c.customer,
                                     DISPUTES.c.id, DISPUTES.c.reason, DISPUTES.c.disputed,
                                     DISPUTES.c.currency, DISPUTES.c.status,
                                     DISPUTES.c.due_date).where(
        DISPUTES.c.status != "resolved"))
    promises = _grouped(conn, select(PROMISES.c.company_code, PROMISES.c.customer,
                                     PROMISES.c.id, PROMISES.c.amount, PROMISES.c.currency,
                                     PROMISES.c.state, PROMISES.c.made_on).where(
        PROMISES.c.made_on >= today - timedelta(days=90)))
    unproved = {(r[0], r[1]) for r in conn.execute(select(
        NOTICES.c.company_code, NOTICES.c.customer).where(NOTICES.c.delivered_on.is_(None)))}
    out = []
    for n, r in enumerate(ranked, start=1):
        company, customer = r.facts.customer.split("/")
        who = (company, customer)
        last, back = contacts.get(who, (None, None))
        entry = Entry(
            rank=n, company_code=company, customer=customer, name=names.get(who, ""),
            score=r.score, why=r.why, overdue=r.facts.overdue,
            days_overdue=r.facts.days_overdue,
            ageing=ageing.get(who, {}),
            disputes=[_plain(d) for d in disputes.get(who, [])],
            promises=[_plain(p) for p in promises.get(who, [])],
            last_contact=last.isoformat() if last else None, call_back=back,
            prescribes_on=warn.get(who),
            tasks=[_task(t) for t in tasks.get(who, [])])
        entry.next_step = next_step(entry, today, settings.nca_of(customer) is not None,
                                    who in unproved)
        out.append(entry)
    return out


def _task(t: dict[str, Any]) -> str:
    return {"bounced": f"phone: the level {t['level']} e-mail bounced (reminder {t['id']})",
            "task": f"phone: level {t['level']} call (reminder {t['id']})",
            "approval": f"approve the level {t['level']} reminder {t['id']}"}[t["state"]]


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, (Decimal, date)) else v) for k, v in row.items()
            if k not in ("company_code", "customer")}
