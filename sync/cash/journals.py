"""Correcting journals in the store: who, why, which allocation, every SAP document number.

A journal is ``pending`` until its steps are done in SAP (reset clearing → reverse the
payment → re-post to the right invoices, or only the first two for a returned receipt), then
``done``; ``failed`` holds SAP's refusal for a person, with where it stopped (``documents``:
``payment``, ``reset`` or ``resetting``, ``reversal``, ``repost``, ``stopped_at``), and
:func:`resume` puts it back to ``pending``. Running one is claimed work
(:mod:`sync.work.claims`, kind ``journal``), like an allocation's posting: one owner, an expiring
lease, a fencing generation confirmed before each step's documents are recorded, all audited.
(The table's own ``claimed_by``/``lease_until`` columns are unused since migration 0008 and are
to be dropped: see CHANGELOG.md.)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from sync import audit
from sync.cash.models import JournalRow
from sync.tables import inserted_id, table_of
from sync.work import claims

JOURNALS = table_of(JournalRow)


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
    journal_id = inserted_id(conn.execute(insert(JOURNALS).values(
        allocation_id=allocation_id, new_allocation_id=new_allocation_id, kind=kind,
        state="pending", actor=actor, reason=reason, target=target, documents="{}",
        created_at=now, updated_at=now)))
    audit.record(conn, [audit.event(action=f"journal {kind}", entity="correcting_journal",
                                    key=str(journal_id), actor=actor, at=now,
                                    detail={"allocation": allocation_id, "reason": reason,
                                            "to": target})])
    return journal_id


def get(conn: Connection, journal_id: int) -> Journal:
    return _journal(conn.execute(select(JOURNALS).where(JOURNALS.c.id == journal_id)).one())


KIND = "journal"


def claim(conn: Connection, journal_id: int, *, owner: claims.Owner, now: datetime,
          lease: timedelta) -> claims.Claim | None:
    """Take a pending journal (call in :func:`sync.txn.writing`); None if another process
    holds it or it is no longer pending."""
    held = claims.take(conn, KIND, str(journal_id), owner, now=now, lease=lease)
    if held is None:
        return None
    state = conn.execute(select(JOURNALS.c.state).where(JOURNALS.c.id == journal_id)).scalar()
    if state != "pending":
        claims.release(conn, held, now=now)
        return None
    return held


def record_documents(conn: Connection, held: claims.Claim, documents: dict[str, Any],
                     now: datetime, lease: timedelta = claims.DEFAULT_LEASE) -> None:
    """Record the SAP documents of the steps done so far (and extend the lease)."""
    claims.confirm(conn, held, now=now, lease=lease)
    conn.execute(update(JOURNALS).where(JOURNALS.c.id == int(held.key)).values(
        documents=json.dumps(documents), updated_at=now))


def finish(conn: Connection, held: claims.Claim, *, state: str, now: datetime,
           message: str | None = None) -> None:
    claims.confirm(conn, held, now=now)
    journal_id = int(held.key)
    conn.execute(update(JOURNALS).where(JOURNALS.c.id == journal_id).values(
        state=state, message=message, updated_at=now))
    audit.record(conn, [audit.event(action=f"journal {state}", entity="correcting_journal",
                                    key=str(journal_id), at=now, detail={"message": message})])
    claims.release(conn, held, now=now)


def resume(conn: Connection, journal_id: int, *, actor: str, now: datetime) -> None:
    """A failed journal back to ``pending`` (its documents so far are kept: each step checks
    SAP first, so it carries on from where it stopped)."""
    journal = get(conn, journal_id)
    if journal.state != "failed":
        raise ValueError(f"journal {journal_id} is {journal.state}; only a failed journal is "
                         "resumed")
    conn.execute(update(JOURNALS).where(JOURNALS.c.id == journal_id).values(
        state="pending", updated_at=now))
    audit.record(conn, [audit.event(action="journal resumed", entity="correcting_journal",
                                    key=str(journal_id), actor=actor, at=now,
                                    detail={"was": journal.message})])


def pending(conn: Connection, now: datetime) -> list[int]:
    """Pending journals nobody is running now."""
    return list(conn.execute(select(JOURNALS.c.id).where(
        JOURNALS.c.state == "pending", claims.unheld(KIND, JOURNALS.c.id, now=now))
        .order_by(JOURNALS.c.id)).scalars())


def listing(conn: Connection) -> list[Journal]:
    return [_journal(r) for r in conn.execute(select(JOURNALS).order_by(JOURNALS.c.id))]


def as_json(journal: Journal) -> dict[str, Any]:
    return {"id": journal.id, "kind": journal.kind, "state": journal.state,
            "allocation": journal.allocation_id, "new_allocation": journal.new_allocation_id,
            "by": journal.actor, "reason": journal.reason, "to": journal.target,
            "documents": journal.documents, "message": journal.message,
            "created_at": journal.created_at.isoformat()}
