"""South Africa's legal steps in the store: the section 129 notice (National Credit Act) for
customers marked natural person or small juristic person, only after 20 business days in
arrears, with the registered-mail tracking reference as proof; no hand-over before 10 business
days after delivery; and the prescription clock per item, reset by an acknowledgement of debt
or the service of summons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from config.collections import CollectionSettings
from config.errors import InputError
from sync import audit
from sync.collections.business_days import add_business_days, business_days_between
from sync.collections.dunning import standings
from sync.collections.models import InterruptionRow, LegalNoticeRow
from sync.collections.positions import Book, read_book
from sync.collections.prescription import add_years, prescribes_on
from sync.mirror.models import OpenItemRow
from sync.tables import inserted_id, table_of

NOTICES = table_of(LegalNoticeRow)
INTERRUPTIONS = table_of(InterruptionRow)
OPEN = table_of(OpenItemRow)
KINDS = ("acknowledgement", "summons")


@dataclass(frozen=True, slots=True)
class NoticeDue:
    company_code: str
    customer: str
    cycle: int
    currency: str
    arrears: Decimal
    oldest_due: date
    business_days: int


def s129_due(conn: Connection, settings: CollectionSettings, today: date, *,
             book: Book | None = None) -> list[NoticeDue]:
    """NCA customers at least ``s129_business_days`` in arrears with no notice this cycle
    (``book``: the morning's read of the positions, when the caller has it)."""
    marked = [c for c in settings.nca]
    if not marked:
        return []
    where = standings(conn)
    sent = {(r[0], r[1], r[2]) for r in conn.execute(select(
        NOTICES.c.company_code, NOTICES.c.customer, NOTICES.c.cycle).where(
        NOTICES.c.kind == "s129"))}
    out = []
    if book is None or book.as_of != today:
        book = read_book(conn, today)
    for (company, customer), pos in sorted(book.positions.items()):
        if settings.nca_of(customer) is None:
            continue
        cycle = where[(company, customer)].cycle if (company, customer) in where else 1
        if (company, customer, cycle) in sent:
            continue
        for currency, oldest in sorted(pos.oldest_due.items()):
            days = business_days_between(oldest, today)
            arrears = pos.net(currency)
            if days >= settings.s129_business_days and arrears > 0:
                out.append(NoticeDue(company, customer, cycle, currency, arrears, oldest, days))
                break
    return out


def record_notice(conn: Connection, due: NoticeDue, *, issued_on: date, now: datetime,
                  document: str | None) -> int | None:
    """The notice's row (None if this cycle has one already)."""
    found = conn.execute(select(NOTICES.c.id).where(
        NOTICES.c.company_code == due.company_code, NOTICES.c.customer == due.customer,
        NOTICES.c.kind == "s129", NOTICES.c.cycle == due.cycle)).first()
    if found is not None:
        return None
    new_id = inserted_id(conn.execute(insert(NOTICES).values(
        company_code=due.company_code, customer=due.customer, kind="s129", cycle=due.cycle,
        issued_on=issued_on, currency=due.currency, arrears=due.arrears, document=document,
        created_at=now)))
    audit.record(conn, [audit.event(action="section 129 notice issued", entity="legal_notice",
                                    key=str(new_id), at=now,
                                    detail={"customer": due.customer,
                                            "arrears": str(due.arrears),
                                            "currency": due.currency})])
    return new_id


def delivered(conn: Connection, notice_id: int, *, tracking_ref: str, delivered_on: date,
              now: datetime, by: str) -> None:
    """The registered-mail track-and-trace reference and delivery date: the proof."""
    row = conn.execute(select(NOTICES).where(NOTICES.c.id == notice_id)).first()
    if row is None:
        raise InputError(f"notice {notice_id} does not exist: see arbridge collections notices")
    if not tracking_ref.strip():
        raise InputError("tracking_ref: the registered-mail track-and-trace reference")
    if delivered_on < row.issued_on:
        raise InputError(f"delivered_on {delivered_on} is before the notice was issued "
                         f"({row.issued_on})")
    conn.execute(update(NOTICES).where(NOTICES.c.id == notice_id).values(
        tracking_ref=tracking_ref.strip(), delivered_on=delivered_on))
    audit.record(conn, [audit.event(action="notice delivered", entity="legal_notice",
                                    key=str(notice_id), at=now, actor=by,
                                    detail={"tracking_ref": tracking_ref.strip(),
                                            "delivered_on": delivered_on.isoformat()})])


def notices(conn: Connection, company_code: str | None = None,
            customer: str | None = None) -> list[dict[str, Any]]:
    query = select(NOTICES).order_by(NOTICES.c.id)
    if customer is not None:
        query = query.where(NOTICES.c.company_code == company_code,
                            NOTICES.c.customer == customer)
    return [dict(r._mapping) for r in conn.execute(query)]


def handover_allowed(conn: Connection, settings: CollectionSettings, company_code: str,
                     customer: str, today: date) -> tuple[bool, str]:
    """May the account go to the attorneys today? (yes/no, and why)."""
    if settings.nca_of(customer) is None:
        return True, "the National Credit Act does not apply (not marked in [collections.nca])"
    sent = [n for n in notices(conn, company_code, customer) if n["kind"] == "s129"]
    proved = [n for n in sent if n["delivered_on"] is not None]
    if not sent:
        return False, "no section 129 notice was sent"
    if not proved:
        return False, "the section 129 notice has no proof of delivery (tracking reference)"
    last = max(proved, key=lambda n: n["delivered_on"])
    earliest = add_business_days(last["delivered_on"], settings.handover_business_days)
    if today < earliest:
        return False, (f"delivered on {last['delivered_on']}: hand-over from {earliest} "
                       f"({settings.handover_business_days} business days)")
    return True, f"notice delivered on {last['delivered_on']} ({last['tracking_ref']})"


def interrupt(conn: Connection, *, company_code: str, customer: str, kind: str, on: date,
              by: str, now: datetime, dispute_id: int | None = None) -> int:
    if kind not in KINDS:
        raise InputError(f"kind {kind!r}: one of {', '.join(KINDS)}")
    new_id = inserted_id(conn.execute(insert(INTERRUPTIONS).values(
        company_code=company_code, customer=customer, kind=kind, happened_on=on,
        dispute_id=dispute_id, recorded_by=by, created_at=now)))
    audit.record(conn, [audit.event(action="prescription interrupted",
                                    entity="prescription_interruption", key=str(new_id),
                                    at=now, actor=by, detail={"customer": customer, "kind": kind,
                                                              "on": on.isoformat()})])
    return new_id


def prescribing(conn: Connection, settings: CollectionSettings, today: date, *,
                book: Book | None = None) -> dict[tuple[str, str], date]:
    """Customers with an open item that prescribes within the warning window: the earliest
    such date. Only items due long enough ago count (interruptions only postpone); with the
    morning's ``book`` their oldest debits are known and nothing is read again."""
    horizon = add_years(today, -settings.prescription_years)
    latest_due = horizon + timedelta(days=settings.prescription_warning_days)
    if book is not None:
        rows = [(who[0], who[1], first) for who, first in book.oldest_debit.items()
                if first <= latest_due]
    else:
        rows = [tuple(r) for r in conn.execute(select(
            OPEN.c.company_code, OPEN.c.customer, func.min(OPEN.c.due_date)).where(
            OPEN.c.amount > 0, OPEN.c.due_date <= latest_due).group_by(
            OPEN.c.company_code, OPEN.c.customer))]
    if not rows:
        return {}
    breaks: dict[tuple[str, str], list[date]] = {}
    for r in conn.execute(select(INTERRUPTIONS.c.company_code, INTERRUPTIONS.c.customer,
                                 INTERRUPTIONS.c.happened_on)):
        breaks.setdefault((r[0], r[1]), []).append(r[2])
    out = {}
    for company, customer, oldest in rows:
        oldest = oldest if isinstance(oldest, date) else date.fromisoformat(str(oldest))
        end = prescribes_on(oldest, breaks.get((company, customer), []),
                            years=settings.prescription_years)
        if end <= today + timedelta(days=settings.prescription_warning_days):
            out[(company, customer)] = end
    return out
