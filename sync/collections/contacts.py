"""The contact log: who spoke to the customer, when, what was agreed and when to call back.
Personal data (POPIA): read only through roles that need it, masked in logs, and
de-identified by the retention run after the configured days, which the audit trail records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from config.errors import InputError
from sync import audit
from sync.collections.models import ContactRow, ReminderRow
from sync.tables import inserted_id, table_of

CONTACTS = table_of(ContactRow)
REMINDERS = table_of(ReminderRow)
CHANNELS = ("phone", "email", "letter", "visit")
REDACTED = "[de-identified]"


@dataclass(frozen=True, slots=True)
class Contact:
    id: int
    customer: str
    collector: str
    at: datetime
    channel: str
    contact_person: str | None
    outcome: str
    agreed: str | None
    call_back: date | None


def log_contact(conn: Connection, *, company_code: str, customer: str, collector: str,
                channel: str, outcome: str, now: datetime, agreed: str | None = None,
                contact_person: str | None = None, call_back: date | None = None) -> int:
    if channel not in CHANNELS:
        raise InputError(f"channel {channel!r}: one of {', '.join(CHANNELS)}")
    if not outcome.strip():
        raise InputError("outcome: say what happened (e.g. 'spoke to AP clerk, will pay')")
    if call_back is not None and call_back < now.date():
        raise InputError(f"call_back {call_back} is in the past")
    new_id = inserted_id(conn.execute(insert(CONTACTS).values(
        company_code=company_code, customer=customer, collector=collector, at=now,
        channel=channel, contact_person=contact_person or None, outcome=outcome.strip(),
        agreed=(agreed or "").strip() or None, call_back=call_back)))
    if channel in ("phone", "visit"):  # the phone tasks (calls, bounced e-mails) are done
        conn.execute(update(REMINDERS).where(
            REMINDERS.c.company_code == company_code, REMINDERS.c.customer == customer,
            REMINDERS.c.state.in_(("task", "bounced"))).values(state="done"))
    audit.record(conn, [audit.event(action="contact logged", entity="contact_log",
                                    key=str(new_id), at=now, actor=collector,
                                    detail={"customer": customer, "channel": channel})])
    return int(new_id)


def _contact(r: Any) -> Contact:
    return Contact(r.id, r.customer, r.collector, r.at, r.channel, r.contact_person,
                   r.outcome, r.agreed, r.call_back)


def recent(conn: Connection, company_code: str, customer: str, limit: int = 3) -> list[Contact]:
    return [_contact(r) for r in conn.execute(select(CONTACTS).where(
        CONTACTS.c.company_code == company_code, CONTACTS.c.customer == customer)
        .order_by(CONTACTS.c.at.desc(), CONTACTS.c.id.desc()).limit(limit))]


def last_contacts(conn: Connection) -> dict[tuple[str, str], tuple[datetime, date | None]]:
    """Per customer: the last contact's time and the newest open call-back date."""
    last = {(r[0], r[1]): r[2] for r in conn.execute(select(
        CONTACTS.c.company_code, CONTACTS.c.customer, func.max(CONTACTS.c.at))
        .group_by(CONTACTS.c.company_code, CONTACTS.c.customer))}
    backs: dict[tuple[str, str], date | None] = {}
    for r in conn.execute(select(CONTACTS.c.company_code, CONTACTS.c.customer,
                                 CONTACTS.c.at, CONTACTS.c.call_back)):
        if last.get((r[0], r[1])) == r[2]:
            backs[(r[0], r[1])] = r[3]
    return {k: (v, backs.get(k)) for k, v in last.items()}


def deidentify(conn: Connection, *, older_than_days: int, now: datetime) -> int:
    """POPIA retention: contact entries older than the period keep their date and channel,
    lose who and what; the run is audited with how many rows it touched."""
    cutoff = now - timedelta(days=older_than_days)
    done = conn.execute(update(CONTACTS).where(
        CONTACTS.c.at < cutoff, CONTACTS.c.deidentified.is_(False)).values(
        contact_person=None, outcome=REDACTED, agreed=None, collector="-",
        deidentified=True))
    audit.record(conn, [audit.event(action="retention run", entity="contact_log",
                                    key=cutoff.date().isoformat(), at=now,
                                    detail={"deidentified": done.rowcount,
                                            "older_than_days": older_than_days})])
    return int(done.rowcount)
