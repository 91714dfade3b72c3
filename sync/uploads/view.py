"""Read-only views of the upload queue for people (web app and API): filtered, paginated
listings with the client's name, one upload with its attempts, and what needs a person now."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select

from sync.mirror.models import CustomerRow
from sync.paging import Page, containing, page_bounds
from sync.tables import table_of
from sync.uploads.holds import KIND_LABELS, hold_kind
from sync.uploads.queue import ATTEMPTS, UPLOADS

CUSTOMERS = table_of(CustomerRow)
NEEDS_A_PERSON = ("review", "failed", "held")


@dataclass(frozen=True, slots=True)
class QueueFilter:
    portal: str | None = None
    client: str | None = None
    state: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Attention:
    """What needs a person now: counts and the oldest waiting, by state."""

    counts: dict[str, int] = field(default_factory=dict)
    oldest: dict[str, datetime | None] = field(default_factory=dict)
    held_by_reason: list[tuple[str, int]] = field(default_factory=list)


def _joined() -> Any:
    return UPLOADS.outerjoin(CUSTOMERS, and_(CUSTOMERS.c.company_code == UPLOADS.c.company_code,
                                             CUSTOMERS.c.number == UPLOADS.c.customer))


def _where(query: Select, f: QueueFilter) -> Select:
    if f.portal:
        query = query.where(UPLOADS.c.portal == f.portal)
    if f.state:
        query = query.where(UPLOADS.c.state == f.state)
    if f.client:
        client = f.client.strip()
        query = query.where(or_(UPLOADS.c.customer == client,
                                UPLOADS.c.customer == client.zfill(10),
                                CUSTOMERS.c.name.ilike(containing(client), escape="\\")))
    if f.text:
        text = containing(f.text.strip())
        query = query.where(or_(UPLOADS.c.billing_document.ilike(text, escape="\\"),
                                UPLOADS.c.invoice_number.ilike(text, escape="\\"),
                                UPLOADS.c.po_number.ilike(text, escape="\\")))
    return query


def listing(conn: Any, f: QueueFilter, *, page: int = 1, per_page: int = 50) -> Page:
    page, per_page = page_bounds(page, per_page)
    total = conn.execute(_where(select(func.count()).select_from(_joined()), f)).scalar_one()
    query = _where(select(UPLOADS, CUSTOMERS.c.name.label("client_name"))
                   .select_from(_joined()), f)
    query = query.order_by(UPLOADS.c.updated_at.desc(), UPLOADS.c.id.desc())
    rows = [dict(r._mapping) for r in
            conn.execute(query.limit(per_page).offset((page - 1) * per_page))]
    return Page(rows=rows, total=int(total), page=page, per_page=per_page)


def portals(conn: Any) -> list[str]:
    return list(conn.execute(select(UPLOADS.c.portal).distinct().order_by(UPLOADS.c.portal))
                .scalars())


def one(conn: Any, billing_document: str) -> dict[str, Any] | None:
    """One upload (by billing document, with or without leading zeros) with its client."""
    row = conn.execute(select(UPLOADS, CUSTOMERS.c.name.label("client_name"))
                       .select_from(_joined())
                       .where(UPLOADS.c.billing_document.in_(
                           {billing_document, billing_document.zfill(10)}))).first()
    return dict(row._mapping) if row else None


def attempts(conn: Any, upload_id: int) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(
        select(ATTEMPTS).where(ATTEMPTS.c.upload_id == upload_id)
        .order_by(ATTEMPTS.c.number.desc()))]


def attempt(conn: Any, upload_id: int, number: int) -> dict[str, Any] | None:
    row = conn.execute(select(ATTEMPTS).where(ATTEMPTS.c.upload_id == upload_id,
                                              ATTEMPTS.c.number == number)).first()
    return dict(row._mapping) if row else None


def attention(conn: Any) -> Attention:
    found = conn.execute(select(UPLOADS.c.state, func.count(), func.min(UPLOADS.c.updated_at))
                         .where(UPLOADS.c.state.in_(NEEDS_A_PERSON))
                         .group_by(UPLOADS.c.state)).all()
    counts = {s: 0 for s in NEEDS_A_PERSON}
    oldest: dict[str, datetime | None] = {s: None for s in NEEDS_A_PERSON}
    for state, count, first in found:
        counts[state], oldest[state] = int(count), first
    return Attention(counts=counts, oldest=oldest, held_by_reason=held_by_kind(conn))


def held_by_kind(conn: Any) -> list[tuple[str, int]]:
    """Held uploads by kind of reason, most first: a currency that differs from the PO's
    apart from a PO that ran dry (each reason names its own PO and amount, so grouping by
    the text would give one line per invoice)."""
    kinds: dict[str, int] = {}
    for reason, count in conn.execute(select(UPLOADS.c.reason, func.count()).where(
            UPLOADS.c.state == "held").group_by(UPLOADS.c.reason)):
        label = KIND_LABELS[hold_kind(reason)] if reason else "(no reason given)"
        kinds[label] = kinds.get(label, 0) + int(count)
    return sorted(kinds.items(), key=lambda item: (-item[1], item[0]))


def attempts_since(conn: Any, since: datetime, *, limit: int = 20) -> tuple[dict[str, int],
                                                                          list[dict[str, Any]]]:
    """Invoices tried since ``since``, counted once each by the outcome of their last
    attempt (an invoice held by three runs is one held invoice, as the queue counts it), and
    the latest attempts."""
    last = (select(func.max(ATTEMPTS.c.id).label("id")).where(ATTEMPTS.c.started_at >= since)
            .group_by(ATTEMPTS.c.upload_id).subquery())
    by_outcome = {(outcome or "running"): int(count) for outcome, count in conn.execute(
        select(ATTEMPTS.c.outcome, func.count()).join(last, last.c.id == ATTEMPTS.c.id)
        .group_by(ATTEMPTS.c.outcome))}
    latest = [dict(r._mapping) for r in conn.execute(
        select(ATTEMPTS.c.number, ATTEMPTS.c.started_at, ATTEMPTS.c.outcome,
               ATTEMPTS.c.detail, UPLOADS.c.billing_document, UPLOADS.c.portal,
               UPLOADS.c.gross, UPLOADS.c.currency, UPLOADS.c.state)
        .join(UPLOADS, UPLOADS.c.id == ATTEMPTS.c.upload_id)
        .where(ATTEMPTS.c.started_at >= since)
        .order_by(ATTEMPTS.c.started_at.desc(), ATTEMPTS.c.id.desc()).limit(limit))]
    return by_outcome, latest
