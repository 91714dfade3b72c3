"""Correcting journals in the store: who, why, which allocation, every SAP document number.

A journal is ``pending`` until its steps are done in SAP (reset clearing → reverse the
payment → re-post to the right invoices, or only the first two for a returned receipt), then
``done``; ``failed`` holds SAP's refusal for a person. Claimed like allocations, with an owner
and an expiring lease, before SAP is touched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, insert, or_, select, update

from sync import audit
from sync.cash_models import JournalRow

JOURNALS = JournalRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Journal:
    id: int
    allocation_id: int
    new_allocation_id: int | None
    kind: str
    state: str
    actor: str
    reason: str
    target: str
    documents: dict[str, Any]
    message: str | None
    created_at: datetime


def _journal(row: Any) -> Journal:
    m = row._mapping
    return Journal(id=m["id"], allocation_id=m["allocation_id"],
                   new_allocation_id=m["new_allocation_id"], kind=m["kind"], state=m["state"],
                   actor=m["actor"], reason=m["reason"], target=m["target"],
                   documents=json.loads(m["documents"]), message=m["message"],
                   created_at=m["created_at"])


def create(conn: Connection, *, allocation_id: int, new_allocation_id: int | None, kind: str,
           actor: str, reason: str, target: str, now: datetime) -> int:
    journal_id = int(conn.execute(insert(JOURNALS).values(
        allocation_id=allocation_id, new_allocation_id=new_allocation_id, kind=kind,
        state="pending", actor=actor, reason=reason, target=target, documents="{}",
        created_at=now, updated_at=now)).inserted_primary_key[0])
    audit.record(conn, [audit.event(action=f"journal {kind}", entity="correcting_journal",
                                    key=str(journal_id), actor=actor, at=now,
                                    detail={"allocation": allocation_id, "reason": reason,
                                            "to": target})])
    return journal_id


def get(conn: Connection, journal_id: int) -> Journal:
    return _journal(conn.execute(select(JOURNALS).where(JOURNALS.c.id == journal_id)).one())


def claim(conn: Connection, journal_id: int, *, owner: str, now: datetime,
          lease: timedelta) -> bool:
    result = conn.execute(update(JOURNALS).where(
        JOURNALS.c.id == journal_id, JOURNALS.c.state == "pending",
        or_(JOURNALS.c.lease_until.is_(None), JOURNALS.c.lease_until < now,
            JOURNALS.c.claimed_by == owner)).values(
        claimed_by=owner, lease_until=now + lease, updated_at=now))
    return result.rowcount == 1


def record_documents(conn: Connection, journal_id: int, documents: dict[str, Any],
                     now: datetime) -> None:
    conn.execute(update(JOURNALS).where(JOURNALS.c.id == journal_id).values(
        documents=json.dumps(documents), updated_at=now))


def finish(conn: Connection, journal_id: int, *, state: str, now: datetime,
           message: str | None = None) -> None:
    conn.execute(update(JOURNALS).where(JOURNALS.c.id == journal_id).values(
        state=state, message=message, claimed_by=None, lease_until=None, updated_at=now))
    audit.record(conn, [audit.event(action=f"journal {state}", entity="correcting_journal",
                                    key=str(journal_id), at=now, detail={"message": message})])


def pending(conn: Connection, now: datetime) -> list[int]:
    return list(conn.execute(select(JOURNALS.c.id).where(and_(
        JOURNALS.c.state == "pending", or_(JOURNALS.c.lease_until.is_(None),
                                           JOURNALS.c.lease_until < now)))
        .order_by(JOURNALS.c.id)).scalars())


def listing(conn: Connection) -> list[Journal]:
    return [_journal(r) for r in conn.execute(select(JOURNALS).order_by(JOURNALS.c.id))]


def as_json(journal: Journal) -> dict[str, Any]:
    return {"id": journal.id, "kind": journal.kind, "state": journal.state,
            "allocation": journal.allocation_id, "new_allocation": journal.new_allocation_id,
            "by": journal.actor, "reason": journal.reason, "to": journal.target,
            "documents": journal.documents, "message": journal.message,
            "created_at": journal.created_at.isoformat()}
