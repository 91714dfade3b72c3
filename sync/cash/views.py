"""Read-only views of cash application for people (web app and API): bank receipts and
allocations, filtered and paginated in the database (readable with tens of thousands of rows),
each with what a person needs beside it (age, the allocation's SAP document, its journals)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select

from sync.cash.allocations import ALLOCATIONS, Allocation, _allocation
from sync.cash.journals import JOURNALS, Journal, _journal
from sync.cash.store import ENTRIES
from sync.mirror.models import CustomerRow
from sync.paging import Page, containing, page_bounds
from sync.tables import table_of

CUSTOMERS = table_of(CustomerRow)
# What a person filters receipts by. "unallocated" is what ``arbridge bank unallocated``
# lists: nobody has allocated it yet, whether or not the matcher proposed something.
RECEIPT_STATES = ("unallocated", "open", "proposed", "allocated", "posted", "returned", "all")
WORK_STATES = ("unallocated", "open", "proposed")


@dataclass(frozen=True, slots=True)
class ReceiptFilter:
    state: str = "unallocated"
    payer: str | None = None
    since: date | None = None
    until: date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None


def _posted(receipt_id: Any) -> Any:
    return exists().where(ALLOCATIONS.c.receipt_id == receipt_id,
                          ALLOCATIONS.c.state == "posted")


def _receipt_where(query: Select, f: ReceiptFilter) -> Select:
    query = query.where(ENTRIES.c.is_receipt.is_(True))
    states = {"unallocated": ENTRIES.c.state.in_(("open", "proposed")),
              "open": ENTRIES.c.state == "open", "proposed": ENTRIES.c.state == "proposed",
              "allocated": and_(ENTRIES.c.state == "allocated", ~_posted(ENTRIES.c.id)),
              "posted": and_(ENTRIES.c.state == "allocated", _posted(ENTRIES.c.id)),
              "returned": ENTRIES.c.state == "returned"}
    if f.state in states:
        query = query.where(states[f.state])
    if f.payer:
        text = containing(f.payer.strip())
        query = query.where(or_(ENTRIES.c.payer_name.ilike(text, escape="\\"),
                                ENTRIES.c.reference.ilike(text, escape="\\")))
    if f.since:
        query = query.where(ENTRIES.c.booking_date >= f.since)
    if f.until:
        query = query.where(ENTRIES.c.booking_date <= f.until)
    if f.amount_min is not None:
        query = query.where(ENTRIES.c.amount >= f.amount_min)
    if f.amount_max is not None:
        query = query.where(ENTRIES.c.amount <= f.amount_max)
    return query


def _latest_allocation() -> Any:
    """The receipt's latest allocation that still stands (not rejected or reversed)."""
    return (select(func.max(ALLOCATIONS.c.id)).where(
        ALLOCATIONS.c.receipt_id == ENTRIES.c.id,
        ALLOCATIONS.c.state.not_in(("rejected", "reversed"))).scalar_subquery())


def receipts(conn: Any, f: ReceiptFilter, *, today: date, page: int = 1,
             per_page: int = 50) -> Page:
    """Receipts with their age in days and their standing allocation (state, rule, SAP
    document): the work states oldest first (the longest waiting on top), others newest."""
    page, per_page = page_bounds(page, per_page)
    total = conn.execute(_receipt_where(select(func.count()).select_from(ENTRIES), f)
                         ).scalar_one()
    latest = _latest_allocation().label("allocation_id")
    listed = _receipt_where(select(ENTRIES, latest), f)
    order = (ENTRIES.c.booking_date, ENTRIES.c.id) if f.state in WORK_STATES else (
        ENTRIES.c.booking_date.desc(), ENTRIES.c.id.desc())
    inner = listed.order_by(*order).limit(per_page).offset((page - 1) * per_page).subquery()
    query = select(inner, ALLOCATIONS.c.state.label("allocation_state"),
                   ALLOCATIONS.c.rule.label("allocation_rule"),
                   ALLOCATIONS.c.sap_document, ALLOCATIONS.c.customer).outerjoin(
        ALLOCATIONS, ALLOCATIONS.c.id == inner.c.allocation_id).order_by(
        *((inner.c.booking_date, inner.c.id) if f.state in WORK_STATES else
          (inner.c.booking_date.desc(), inner.c.id.desc())))
    rows = [dict(r._mapping) for r in conn.execute(query)]
    for row in rows:
        row["age_days"] = (today - row["booking_date"]).days
    return Page(rows=rows, total=int(total), page=page, per_page=per_page)


def receipt(conn: Any, receipt_id: int, *, today: date) -> dict[str, Any] | None:
    row = conn.execute(select(ENTRIES).where(ENTRIES.c.id == receipt_id,
                                             ENTRIES.c.is_receipt.is_(True))).first()
    if row is None:
        return None
    found = dict(row._mapping)
    found["age_days"] = (today - found["booking_date"]).days
    return found


def allocations_of_receipt(conn: Any, receipt_id: int) -> list[Allocation]:
    return [_allocation(r) for r in conn.execute(select(ALLOCATIONS).where(
        ALLOCATIONS.c.receipt_id == receipt_id).order_by(ALLOCATIONS.c.id))]


@dataclass(frozen=True, slots=True)
class AllocationFilter:
    state: str | None = None
    rule: str | None = None
    customer: str | None = None
    document: str | None = None


def _allocation_where(query: Select, f: AllocationFilter) -> Select:
    if f.state:
        query = query.where(ALLOCATIONS.c.state == f.state)
    if f.rule:
        query = query.where(ALLOCATIONS.c.rule == f.rule)
    if f.customer:
        text = f.customer.strip()
        query = query.where(or_(ALLOCATIONS.c.customer == text.zfill(10),
                                CUSTOMERS.c.name.ilike(containing(text), escape="\\")))
    if f.document:
        text = containing(f.document.strip())
        query = query.where(or_(ALLOCATIONS.c.sap_document.ilike(text, escape="\\"),
                                ALLOCATIONS.c["items"].ilike(text, escape="\\")))
    return query


def _with_customer() -> Any:
    return ALLOCATIONS.outerjoin(CUSTOMERS, and_(
        CUSTOMERS.c.company_code == ALLOCATIONS.c.company_code,
        CUSTOMERS.c.number == ALLOCATIONS.c.customer))


def allocation_page(conn: Any, f: AllocationFilter, *, page: int = 1,
                    per_page: int = 50) -> Page:
    """Allocations newest first; each row is ``{"allocation": Allocation, "client_name",
    "approved_by", "journals": [Journal]}``."""
    page, per_page = page_bounds(page, per_page)
    total = conn.execute(_allocation_where(
        select(func.count()).select_from(_with_customer()), f)).scalar_one()
    query = _allocation_where(select(ALLOCATIONS, CUSTOMERS.c.name.label("client_name"))
                              .select_from(_with_customer()), f)
    found = conn.execute(query.order_by(ALLOCATIONS.c.id.desc()).limit(per_page)
                         .offset((page - 1) * per_page)).all()
    ids = [r._mapping["id"] for r in found]
    by_allocation: dict[int, list[Journal]] = {}
    if ids:
        for j in conn.execute(select(JOURNALS).where(or_(
                JOURNALS.c.allocation_id.in_(ids), JOURNALS.c.new_allocation_id.in_(ids)))
                .order_by(JOURNALS.c.id)):
            journal = _journal(j)
            by_allocation.setdefault(journal.allocation_id, []).append(journal)
            if journal.new_allocation_id is not None:
                by_allocation.setdefault(journal.new_allocation_id, []).append(journal)
    rows = []
    for r in found:
        allocation = _allocation(r)
        rows.append({"allocation": allocation, "client_name": r._mapping["client_name"],
                     "approved_by": _approver(allocation, r._mapping["approved_by"]),
                     "created_at": r._mapping["created_at"],
                     "journals": by_allocation.get(allocation.id, [])})
    return Page(rows=rows, total=int(total), page=page, per_page=per_page)


def _approver(allocation: Allocation, approved_by: str | None) -> str | None:
    """Who decided it: the approver, or for a correcting journal's re-post who asked."""
    return approved_by or (allocation.evidence.get("by") if allocation.rule == "correction"
                           else None)


def allocation(conn: Any, allocation_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(ALLOCATIONS, CUSTOMERS.c.name.label("client_name"))
                       .select_from(_with_customer())
                       .where(ALLOCATIONS.c.id == allocation_id)).first()
    if row is None:
        return None
    journals = [_journal(j) for j in conn.execute(select(JOURNALS).where(or_(
        JOURNALS.c.allocation_id == allocation_id,
        JOURNALS.c.new_allocation_id == allocation_id)).order_by(JOURNALS.c.id))]
    found = _allocation(row)
    return {"allocation": found, "client_name": row._mapping["client_name"],
            "approved_by": _approver(found, row._mapping["approved_by"]),
            "created_at": row._mapping["created_at"], "journals": journals}


def journal(conn: Any, journal_id: int) -> Journal | None:
    row = conn.execute(select(JOURNALS).where(JOURNALS.c.id == journal_id)).first()
    return _journal(row) if row is not None else None


def rules(conn: Any) -> list[str]:
    return list(conn.execute(select(ALLOCATIONS.c.rule).distinct().order_by(
        ALLOCATIONS.c.rule)).scalars())
