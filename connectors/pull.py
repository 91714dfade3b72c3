"""Incremental pull from SAP into the store: customers, billing documents (with their items),
open items.

Each page and its cursor move are one transaction: a failure part-way leaves every written
page complete and the cursor after the last of them, and the next run resumes there.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import and_, select

from connectors.prefetch import prefetch
from connectors.pull_rows import (
    billing_document_row,
    billing_item_rows,
    cleared_item_row,
    customer_row,
    open_item_row,
)
from sap.client import Page, SapClient
from sap.errors import SapDataError
from sap.records import Customer
from sync.mirror import billing_items, cursors
from sync.mirror.models import ClearedItemRow, CustomerRow, OpenItemRow
from sync.mirror.writes import Counts, apply_rows
from sync.store import Store, entity
from sync.tables import table_of

log = logging.getLogger(__name__)

ENTITIES = ("customers", "billing_documents", "open_items", "cleared_items")
CLEARING_OVERLAP_DAYS = 7  # clearings re-read each run: a reset (FBRA) inside it is seen
ProgressCallback = Callable[[str, str, Counts], None]


@dataclass
class PullResult:
    """What one pull did, per entity (summed over company codes)."""

    counts: dict[str, Counts] = field(default_factory=lambda: {e: Counts() for e in ENTITIES})
    resumed: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"entities": {k: v.as_dict() for k, v in self.counts.items()},
                "resumed": self.resumed, "seconds": round(self.seconds, 3)}


@dataclass(frozen=True)
class PortalRules:
    """Which portal a customer's invoices go to: an explicit binding wins over its group."""

    bindings: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)

    def portal_of(self, customer: Customer) -> str | None:
        return self.bindings.get(customer.number) or \
            self.groups.get(customer.customer_group or "")


def pull(store: Store, client: SapClient, *, source: str, company_codes: list[str],
         full: bool = False, rules: PortalRules | None = None,
         entities: tuple[str, ...] = ENTITIES,
         progress: ProgressCallback | None = None) -> PullResult:
    """Pull the given entities for every company code; see the module docstring.

    Data SAP sent that cannot be read (``SapDataError``: a malformed row, named by its key)
    stops that entity where it is, with every page before it written; the other entities are
    still pulled, and the error is raised at the end.
    """
    rules = rules or PortalRules()
    result = PullResult()
    started = time.perf_counter()
    unreadable: list[SapDataError] = []
    for company_code in company_codes:
        for name in entities:
            try:
                counts = _pull_entity(store, client, name, company_code, source=source,
                                      full=full, rules=rules, result=result, progress=progress)
            except SapDataError as error:
                log.error("pull of %s of company code %s stopped: %s", name, company_code, error)
                unreadable.append(error)
                continue
            result.counts[name].add(counts)
            log.info("pulled %s of company code %s from %s: %s", name, company_code, source,
                     counts.as_dict())
    result.seconds = time.perf_counter() - started
    if unreadable:
        raise unreadable[0]
    return result


def _pages(store: Store, client: SapClient, name: str, company_code: str,
           state: cursors.CursorState) -> Iterator[Page]:
    if name == "customers":
        return client.customers(company_code, since=state.since, after_key=state.after_key)
    if name == "billing_documents":
        return client.billing_documents(company_code, since=state.since,
                                        after_key=state.after_key)
    table = table_of(CustomerRow)
    with store.engine.connect() as conn:
        numbers = list(conn.execute(select(table.c.number).where(
            table.c.company_code == company_code).order_by(table.c.number)).scalars())
    if name == "cleared_items":
        return client.cleared_items(company_code, customers=numbers,
                                    cleared_from=_clearing_window(state.since),
                                    cleared_to=client.today(), after_key=state.after_key)
    return client.open_items(company_code, customers=numbers, key_date=client.today(),
                             after_key=state.after_key)


def _clearing_window(since: str | None) -> date | None:
    """Where a cleared-items read starts: a few days before the last run's end, so a clearing
    reset and re-done inside that time is seen; ``None`` (everything) on a first or full run."""
    if not since:
        return None
    return datetime.strptime(since, "%Y%m%d").date() - timedelta(days=CLEARING_OVERLAP_DAYS)


def _rows(name: str, page: Page, rules: PortalRules) -> list[dict[str, Any]]:
    if name == "customers":
        return [customer_row(r, rules.portal_of(r)) for r in page.records]
    if name == "billing_documents":
        return [billing_document_row(r) for r in page.records]
    if name == "cleared_items":
        return [cleared_item_row(r) for r in page.records]
    return [open_item_row(r) for r in page.records]


def _snapshot(name: str, company_code: str, page: Page, since: str | None) -> Any:
    """The stored rows a page is complete for: a page of open items holds all of its
    customers' open items; a page of cleared items all their clearings inside the window read
    (a row there that SAP no longer lists was reset, and is open again)."""
    if name == "open_items":
        table = table_of(OpenItemRow)
        return and_(table.c.company_code == company_code, table.c.customer.in_(page.scope))
    if name == "cleared_items":
        table = table_of(ClearedItemRow)
        condition = and_(table.c.company_code == company_code,
                         table.c.customer.in_(page.scope))
        start = _clearing_window(since)
        return condition if start is None else and_(condition, table.c.clearing_date >= start)
    return None


def _pull_entity(store: Store, client: SapClient, name: str, company_code: str, *,
                 source: str, full: bool, rules: PortalRules, result: PullResult,
                 progress: ProgressCallback | None) -> Counts:
    target = entity(name)
    with store.engine.begin() as conn:
        state = cursors.load(conn, source, name, company_code)
        if full:
            state = state.full()
            cursors.save(conn, source, name, company_code, state)
    if state.resuming:
        result.resumed.append(f"{name}/{company_code}")
        log.info("resuming %s of %s after %s", name, company_code, state.after_key)
    total = Counts()
    for page in prefetch(_pages(store, client, name, company_code, state)):
        now = datetime.now(timezone.utc)
        with store.engine.begin() as conn:
            counts = apply_rows(conn, target, _rows(name, page, rules), now=now, source=source,
                                snapshot=_snapshot(name, company_code, page, state.since))
            if name == "billing_documents":  # the items with their headers, in one commit
                billing_items.replace_items(
                    conn, [r.number for r in page.records], billing_item_rows(page.records),
                    now=now, source=source, new_documents=counts.inserted == counts.fetched)
            state = state.advance(page.last_key, page.high_water)
            cursors.save(conn, source, name, company_code, state)
        total.add(counts)
        if progress:
            progress(name, company_code, total)
    with store.engine.begin() as conn:
        cursors.save(conn, source, name, company_code, state.finish())
    return total
