"""Alert deliveries: one row per alert, level and recipient (unique, so nobody gets the same
alert twice for the same level), claimed before anything is sent.

A delivery is ``pending`` until it is ``sent``, or ``failed`` once its attempts are used up.
Sending it is claimed work (:mod:`sync.work.claims`, kind ``alert_delivery``): one owner at a time,
for a lease; the claim is confirmed in the same transaction that records the result, so a
sender that froze past its lease records nothing. A failed send goes back to ``pending``
with a doubling wait and its error kept (visible in ``arbridge alerts list``); after
``max_attempts`` it is ``failed`` — still listed, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.dialects import postgresql, sqlite

from sync import audit
from sync.po.models import AlertDeliveryRow
from sync.tables import table_of
from sync.txn import writing
from sync.work import claims

DELIVERIES = table_of(AlertDeliveryRow)
KIND = "alert_delivery"
LEASE = timedelta(minutes=5)
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)
CLAIM_BATCH = 200


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    alert_id: int
    recipient: str
    level: str
    attempts: int
    claim: claims.Claim

    @property
    def taken_over(self) -> bool:
        """Another sender held it and its lease ran out: it may have sent it already."""
        return self.claim.taken_over_from is not None


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


def claim(engine: Engine, *, owner: claims.Owner, now: datetime, limit: int = 500,
          lease: timedelta = LEASE) -> list[Delivery]:
    """Claim up to ``limit`` due deliveries for ``owner`` (committed before any is sent);
    those another sender holds are left to it."""
    with engine.connect() as conn:
        due = [r.id for r in conn.execute(select(DELIVERIES.c.id).where(
            DELIVERIES.c.state == "pending", DELIVERIES.c.next_attempt_at <= now
        ).order_by(DELIVERIES.c.id).limit(limit))]
    taken: list[Delivery] = []
    for start in range(0, len(due), CLAIM_BATCH):
        with writing(engine) as conn:
            for delivery_id in due[start:start + CLAIM_BATCH]:
                held = claims.take(conn, KIND, str(delivery_id), owner, now=now, lease=lease)
                if held is None:
                    continue
                row = conn.execute(select(DELIVERIES).where(
                    DELIVERIES.c.id == delivery_id)).one()
                if row.state != "pending":  # sent or given up by another sender meanwhile
                    claims.release(conn, held, now=now)
                    continue
                taken.append(Delivery(row.id, row.alert_id, row.recipient, row.level,
                                      row.attempts, held))
    return taken


def _confirmed(conn: Connection, deliveries: list[Delivery], now: datetime) -> list[Delivery]:
    """Those still ours (the rest were taken over: their new sender records the result)."""
    kept = []
    for d in deliveries:
        try:
            claims.confirm(conn, d.claim, now=now)
        except claims.ClaimLost:
            continue
        kept.append(d)
    return kept


def mark_sent(conn: Connection, deliveries: list[Delivery], *, now: datetime,
              write: Callable[[], None] | None = None) -> int:
    """Record the deliveries still ours as sent; ``write`` (the outbox message) runs first,
    in the same transaction, only if any are."""
    mine = _confirmed(conn, deliveries, now)
    if mine and write is not None:
        write()
    if mine:
        conn.execute(update(DELIVERIES).where(DELIVERIES.c.id.in_([d.id for d in mine])).values(
            state="sent", sent_at=now, last_error=None, attempts=DELIVERIES.c.attempts + 1))
    for d in mine:
        claims.release(conn, d.claim, now=now)
    return len(mine)


def mark_failed(conn: Connection, deliveries: list[Delivery], *, now: datetime, error: str,
                max_attempts: int) -> None:
    """A failed send: retried later with a doubling wait, ``failed`` when attempts run out."""
    events = []
    for d in _confirmed(conn, deliveries, now):
        attempts = d.attempts + 1
        gave_up = attempts >= max_attempts
        delay = min(BACKOFF_BASE * (2 ** (attempts - 1)), BACKOFF_MAX)
        conn.execute(update(DELIVERIES).where(DELIVERIES.c.id == d.id).values(
            state="failed" if gave_up else "pending", attempts=attempts,
            next_attempt_at=now + delay, last_error=error[:2000]))
        claims.release(conn, d.claim, now=now)
        events.append(audit.event(action="alert delivery failed", entity="po_alert",
                                  key=str(d.alert_id), at=now,
                                  detail={"recipient": d.recipient, "attempt": attempts,
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
