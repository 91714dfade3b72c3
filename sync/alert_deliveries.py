"""Alert deliveries: one row per alert, level and recipient (unique, so nobody gets the same
alert twice for the same level), claimed before anything is sent.

The claim is a conditional UPDATE (issue 7's generic claim module was not on main when this
was written): a row is taken only if it is still ``pending`` and due, or ``claimed`` with an
expired lease; whoever's UPDATE matched owns it until ``lease_until`` (owner and lease time
tell the rows one worker got from those another took at the same moment). A failed send goes
back to ``pending`` with a doubling wait and its error kept (visible in ``arbridge alerts
list``); after ``max_attempts`` it is ``failed`` — still listed, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from sync import audit
from sync.po_models import AlertDeliveryRow

DELIVERIES = AlertDeliveryRow.__table__  # type: ignore[attr-defined]
LEASE = timedelta(minutes=5)
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    alert_id: int
    recipient: str
    level: str
    attempts: int
    taken_over: bool


def enqueue(conn: Connection, alert_id: int, level: str, recipients: Iterable[str], *,
            now: datetime) -> int:
    rows = [{"alert_id": alert_id, "recipient": r, "level": level, "state": "pending",
             "attempts": 0, "next_attempt_at": now, "created_at": now}
            for r in dict.fromkeys(recipients)]
    if not rows:
        return 0
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    result = conn.execute(dialect.insert(DELIVERIES).on_conflict_do_nothing(
        index_elements=["alert_id", "recipient", "level"]), rows)
    return int(result.rowcount or 0)


def _claimable(now: datetime):  # type: ignore[no-untyped-def]
    return or_(and_(DELIVERIES.c.state == "pending", DELIVERIES.c.next_attempt_at <= now),
               and_(DELIVERIES.c.state == "claimed", DELIVERIES.c.lease_until < now))


def claim(conn: Connection, *, owner: str, now: datetime, limit: int = 500,
          lease: timedelta = LEASE) -> list[Delivery]:
    """Take up to ``limit`` due deliveries for ``owner`` with one conditional UPDATE: a row
    another worker took in the meantime no longer matches and stays theirs."""
    candidates = dict(conn.execute(select(DELIVERIES.c.id, DELIVERIES.c.state).where(
        _claimable(now)).order_by(DELIVERIES.c.id).limit(limit)).all())
    if not candidates:
        return []
    lease_until = now + lease
    conn.execute(update(DELIVERIES).where(
        DELIVERIES.c.id.in_(sorted(candidates)), _claimable(now)).values(
        state="claimed", claimed_by=owner, lease_until=lease_until))
    rows = conn.execute(select(DELIVERIES).where(
        DELIVERIES.c.id.in_(sorted(candidates)), DELIVERIES.c.state == "claimed",
        DELIVERIES.c.claimed_by == owner, DELIVERIES.c.lease_until == lease_until
    ).order_by(DELIVERIES.c.id)).all()
    return [Delivery(r.id, r.alert_id, r.recipient, r.level, r.attempts,
                     taken_over=candidates[r.id] == "claimed") for r in rows]


def mark_sent(conn: Connection, delivery_ids: list[int], *, owner: str, now: datetime) -> None:
    conn.execute(update(DELIVERIES).where(
        DELIVERIES.c.id.in_(delivery_ids), DELIVERIES.c.claimed_by == owner).values(
        state="sent", sent_at=now, lease_until=None, last_error=None,
        attempts=DELIVERIES.c.attempts + 1))


def mark_failed(conn: Connection, delivery_ids: list[int], *, owner: str, now: datetime,
                error: str, max_attempts: int) -> None:
    """A failed send: retried later with a doubling wait, ``failed`` when attempts run out."""
    rows = conn.execute(select(DELIVERIES.c.id, DELIVERIES.c.attempts, DELIVERIES.c.alert_id,
                               DELIVERIES.c.recipient).where(
        DELIVERIES.c.id.in_(delivery_ids), DELIVERIES.c.claimed_by == owner)).all()
    events = []
    for delivery_id, attempts, alert_id, recipient in rows:
        attempts += 1
        gave_up = attempts >= max_attempts
        delay = min(BACKOFF_BASE * (2 ** (attempts - 1)), BACKOFF_MAX)
        conn.execute(update(DELIVERIES).where(DELIVERIES.c.id == delivery_id).values(
            state="failed" if gave_up else "pending", attempts=attempts, lease_until=None,
            next_attempt_at=now + delay, last_error=error[:2000]))
        events.append(audit.event(action="alert delivery failed", entity="po_alert",
                                  key=str(alert_id), at=now,
                                  detail={"recipient": recipient, "attempt": attempts,
                                          "error": error[:300], "gave_up": gave_up}))
    audit.record(conn, events)


def retry_failed(conn: Connection, *, now: datetime) -> int:
    """A person fixed the channel: send the failed deliveries again."""
    return int(conn.execute(update(DELIVERIES).where(DELIVERIES.c.state == "failed").values(
        state="pending", next_attempt_at=now)).rowcount or 0)


def problems(conn: Connection, alert_ids: list[int]) -> dict[int, list[str]]:
    """Deliveries not (yet) through, per alert: 'recipient: state after N attempts: error'."""
    if not alert_ids:
        return {}
    found: dict[int, list[str]] = {}
    query = select(DELIVERIES).where(DELIVERIES.c.alert_id.in_(alert_ids),
                                     DELIVERIES.c.last_error.is_not(None),
                                     DELIVERIES.c.state != "sent")
    for row in conn.execute(query):
        found.setdefault(row.alert_id, []).append(
            f"{row.recipient} ({row.level}): {row.state} after {row.attempts} attempt(s): "
            f"{row.last_error}")
    return found


def rows(conn: Connection, alert_id: int | None = None) -> list[dict]:
    query = select(DELIVERIES).order_by(DELIVERIES.c.id)
    if alert_id is not None:
        query = query.where(DELIVERIES.c.alert_id == alert_id)
    return [dict(r._mapping) for r in conn.execute(query)]
