"""The debtors' dashboard summed ahead of the page.

Ageing a book of millions of items takes seconds; the page must answer in milliseconds. So
the dashboard's figures (:func:`sync.reports.dashboard.overview`) are kept in
``book_summary``, one row per key (key date, report currency, bucket edges, Top N), with the
**book version** they were summed at. The database raises that version itself (triggers,
migration 0017) on every write to what the figures are summed from — open and cleared items,
customers, billing documents, commentary — whoever writes. The page reads the kept row only
while its version is the current one; otherwise it sums the book again (and keeps the
result), so it never shows old figures as current. The pull sums the book right after it
writes (:func:`keep`), so the page normally finds them ready.

Two figures depend on the cash tables, which move all day with allocations, and are cheap to
read, so they are read live: the number of receipts still unallocated, and which credit
balances have a receipt allocated twice as a cause.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import DBAPIError

from sync.cash.models import BankEntryRow
from sync.reports.ageing import CreditBalance
from sync.reports.ageing_store import allocated_twice
from sync.reports.dashboard import overview
from sync.reports.models import BookSummaryRow, BookVersionRow
from sync.tables import table_of
from sync.upsert import upsert

log = logging.getLogger(__name__)

VERSION = table_of(BookVersionRow)
SUMMARY = table_of(BookSummaryRow)
ENTRIES = table_of(BankEntryRow)
TWICE = "receipt allocated twice"
OTHER = "other credit items"


def book_version(conn: Connection) -> int:
    """The current book version (0 on a store no trigger has fired in)."""
    return int(conn.execute(select(VERSION.c.version).where(VERSION.c.id == 1))
               .scalar_one_or_none() or 0)


def summary_key(as_of: date, currency: str, edges: tuple[int, ...], top: int) -> str:
    return f"{as_of.isoformat()}|{currency}|{','.join(map(str, edges))}|{top}"


def dashboard(engine: Engine, as_of: date, *, currency: str,
              edges: tuple[int, ...] = (30, 60, 90, 120), top: int = 10,
              now: datetime | None = None) -> dict[str, Any]:
    """The dashboard's figures as :func:`~sync.reports.dashboard.overview` gives them (less
    the full ``report``), from the kept summary while the book has not changed since it was
    summed, else summed now and kept. ``computed_at`` says when the book was summed;
    ``summed_now`` whether this call did it."""
    key = summary_key(as_of, currency, edges, top)
    with engine.connect() as conn:
        version = book_version(conn)  # read before the book: a write after it moves it on
        row = conn.execute(select(SUMMARY.c.version, SUMMARY.c.computed_at,
                                  SUMMARY.c.figures).where(SUMMARY.c.key == key)).first()
        if row is not None and int(row[0]) == version:
            kept, computed_at, summed_now = json.loads(row[2]), row[1], False
        else:
            kept = _kept_form(overview(conn, as_of, currency=currency, edges=edges, top=top))
            computed_at, summed_now = now or datetime.now(timezone.utc), True
        figures = _figures(conn, kept)
    if summed_now:
        _keep(engine, key, version, computed_at, kept)
    return figures | {"as_of": as_of, "currency": currency, "computed_at": computed_at,
                      "version": version, "summed_now": summed_now}


def keep(engine: Engine, as_of: date, *, currency: str,
         edges: tuple[int, ...] = (30, 60, 90, 120), top: int = 10) -> bool:
    """Sum the book for the dashboard now unless the kept figures are current (the pull
    calls this after it writes). True if it summed."""
    return bool(dashboard(engine, as_of, currency=currency, edges=edges,
                          top=top)["summed_now"])


def _keep(engine: Engine, key: str, version: int, computed_at: datetime,
          kept: dict[str, Any]) -> None:
    """Store the figures with the version read before they were summed. Best effort: a
    store busy with a writer costs only a recomputation next time."""
    try:
        with engine.begin() as conn:
            upsert(conn, SUMMARY, [{"key": key, "version": version, "computed_at": computed_at,
                                    "figures": json.dumps(kept)}], ("key",))
    except DBAPIError as exc:  # e.g. SQLite's "database is locked" under a long pull
        log.warning("the dashboard's figures were not kept: %s", exc)


def _kept_form(data: dict[str, Any]) -> dict[str, Any]:
    """The overview as JSON: amounts as exact decimal strings; credit balances' causes as
    their items show them (the receipt-allocated-twice cause is read live)."""
    credits = []
    for c in data["credit_balances"]:
        causes = [x for x in c.causes if x != TWICE] or [OTHER]
        credits.append({"customer": c.customer, "name": c.name, "company_code": c.company_code,
                        "currency": c.currency, "amount": str(c.amount), "causes": causes})
    return {"receivables": {c: str(v) for c, v in data["receivables"].items()},
            "overdue": {c: str(v) for c, v in data["overdue"].items()},
            "buckets": list(data["buckets"]), "ageing": [str(v) for v in data["ageing"]],
            "dso_countback": data["dso_countback"],
            "dso_trend": [list(p) for p in data["dso_trend"]],
            "top": data["top"], "credit_balances": credits}


def _figures(conn: Connection, kept: dict[str, Any]) -> dict[str, Any]:
    """The kept figures back as the overview has them, with the live cash figures."""
    twice = allocated_twice(conn) if kept["credit_balances"] else set()
    credits = []
    for c in kept["credit_balances"]:
        causes = c["causes"]
        if (c["company_code"], c["customer"]) in twice:
            causes = [x for x in causes if x != OTHER] + [TWICE]
        credits.append(CreditBalance(customer=c["customer"], name=c["name"],
                                     company_code=c["company_code"], currency=c["currency"],
                                     amount=Decimal(c["amount"]), causes=tuple(causes)))
    unallocated = conn.execute(select(func.count()).select_from(ENTRIES).where(
        ENTRIES.c.state.in_(("open", "proposed")), ENTRIES.c.amount > 0)).scalar_one()
    return {"receivables": {c: Decimal(v) for c, v in kept["receivables"].items()},
            "overdue": {c: Decimal(v) for c, v in kept["overdue"].items()},
            "buckets": kept["buckets"], "ageing": [Decimal(v) for v in kept["ageing"]],
            "dso_countback": kept["dso_countback"],
            "dso_trend": [(m, v) for m, v in kept["dso_trend"]],
            "top": kept["top"], "credit_balances": credits,
            "unallocated_receipts": int(unallocated)}
