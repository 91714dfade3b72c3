"""Claims: a unit of work (an upload, an allocation, a correcting journal, an alert delivery)
is claimed before it is touched, by one owner (host, process, run) for a lease that expires.

Atomic on both stores with the same statements: the first claim is an ``INSERT … ON CONFLICT
DO NOTHING``; later ones a conditional ``UPDATE … WHERE`` the claim is free (released, or its
lease has passed), and the row count says who won. On PostgreSQL concurrent updaters queue on
the row lock and re-check the condition; on SQLite the write transaction starts with
``BEGIN IMMEDIATE`` (see :mod:`sync.txn`) and waits for the busy timeout. Each claim bumps
``generation``, the fencing token a holder checks (:func:`confirm`) before it records a
result, so an owner that froze past its lease cannot overwrite its successor's work.

Every claim, renewal, release, expiry and take-over is written to the audit trail.

Times are read from the clock at the moment of each call (:func:`clock_from` gives a run a
clock that moves), and a holder renews its lease while a remote call is in flight
(:mod:`sync.work.heartbeat`). A claim whose owner ran on this host, in this boot, and whose
process is gone is taken over at once when the caller asks for it (``dead_owners=True``,
:mod:`sync.work.owners`); its previous outcome is still looked up before anything.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import ColumnElement, Connection, String, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from sync import audit
from sync.errors import ClaimLost
from sync.tables import table_of
from sync.work import owners
from sync.work.models import WorkClaimRow

CLAIMS = table_of(WorkClaimRow)
DEFAULT_LEASE = timedelta(minutes=2)
# Called with the kind of work on every take-over (the worker's metrics subscribe here).
ON_TAKE_OVER: list[Callable[[str], None]] = []


@dataclass(frozen=True, slots=True)
class Owner:
    """Who holds a claim: the host, the process and one run within it."""

    host: str
    pid: int
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    boot: str | None = None  # this host's boot id: a dead pid is provably dead only in it

    @classmethod
    def here(cls, run: str | None = None) -> Owner:
        return cls(owners.host_name(), os.getpid(), run or uuid.uuid4().hex[:16],
                   owners.boot_id())

    def __str__(self) -> str:
        return f"{self.host}/{self.pid}/{self.run}"


@dataclass(frozen=True, slots=True)
class Claim:
    kind: str
    key: str
    owner: Owner
    generation: int
    lease_until: datetime
    taken_over_from: str | None = None


Clock = Callable[[], datetime]


def clock_from(start: datetime | None = None) -> Clock:
    """A clock read at each call: the wall clock, or one that starts at ``start`` (a run told
    what time it is, e.g. by a test) and moves on with the real time elapsed since."""
    if start is None:
        return lambda: datetime.now(timezone.utc)
    origin = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - origin)


def _values(owner: Owner, now: datetime, lease: timedelta) -> dict[str, Any]:
    return {"owner_host": owner.host, "owner_pid": owner.pid, "owner_run": owner.run,
            "owner_boot": owner.boot, "claimed_at": now, "lease_until": now + lease}


def _audit(conn: Connection, action: str, kind: str, key: str, now: datetime,
           **detail: Any) -> None:
    audit.record(conn, [audit.event(action=action, entity=f"claim:{kind}", key=key, at=now,
                                    detail={k: str(v) for k, v in detail.items()})])


def take(conn: Connection, kind: str, key: str, owner: Owner, *, now: datetime,
         lease: timedelta = DEFAULT_LEASE, dead_owners: bool = False) -> Claim | None:
    """Claim ``kind``/``key`` for ``owner``, or None if someone else holds a live lease.

    Call inside a short write transaction (:func:`sync.txn.writing`). A claim whose lease
    has passed is taken over; the expiry and the take-over are audited with the old owner.
    With ``dead_owners``, so is a live lease whose owner is provably dead (this host, this
    boot, its process gone).
    """
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    inserted = conn.execute(dialect.insert(CLAIMS).values(
        kind=kind, key=key, generation=1, **_values(owner, now, lease)
    ).on_conflict_do_nothing(index_elements=["kind", "key"]).returning(CLAIMS.c.generation))
    if inserted.first() is not None:
        _audit(conn, "claim taken", kind, key, now, owner=owner, lease_until=now + lease)
        return Claim(kind, key, owner, 1, now + lease)
    c = CLAIMS.c
    previous = (c.owner_host + "/" + c.owner_pid.cast(CLAIMS.c.key.type) + "/" + c.owner_run)
    free = or_(c.owner_run.is_(None), c.lease_until.is_(None), c.lease_until < now)
    if dead_owners:
        holder = conn.execute(select(c.owner_host, c.owner_boot, c.owner_pid, c.claimed_at,
                                     c.generation).where(c.kind == kind, c.key == key)).first()
        if holder is not None and owners.provably_dead(holder.owner_host, holder.owner_boot,
                                                       holder.owner_pid, holder.claimed_at):
            free = or_(free, c.generation == holder.generation)  # fenced: that holder only
    won = conn.execute(update(CLAIMS).where(c.kind == kind, c.key == key, free).values(
        previous_owner=previous, previous_lease_until=c.lease_until,
        generation=c.generation + 1, **_values(owner, now, lease)))
    if won.rowcount != 1:
        return None
    row = conn.execute(select(c.generation, c.previous_owner, c.previous_lease_until).where(
        c.kind == kind, c.key == key)).one()
    if row.previous_owner is not None:
        _audit(conn, "claim expired", kind, key, now, owner=row.previous_owner,
               lease_until=row.previous_lease_until)
        _audit(conn, "claim taken over", kind, key, now, owner=owner,
               previous_owner=row.previous_owner, lease_until=now + lease)
        for hook in ON_TAKE_OVER:
            hook(kind)
    else:
        _audit(conn, "claim taken", kind, key, now, owner=owner, lease_until=now + lease)
    return Claim(kind, key, owner, row.generation, now + lease, row.previous_owner)


def confirm(conn: Connection, claim: Claim, *, now: datetime,
            lease: timedelta = DEFAULT_LEASE) -> None:
    """Check ``claim`` is still ours (and extend it) as the first write of a transaction
    that records a result; raise :class:`ClaimLost` if another owner has taken over."""
    c = CLAIMS.c
    held = conn.execute(update(CLAIMS).where(
        c.kind == claim.kind, c.key == claim.key, c.owner_run == claim.owner.run,
        c.generation == claim.generation).values(lease_until=now + lease))
    if held.rowcount != 1:
        raise ClaimLost(f"{claim.kind} {claim.key}: the claim of {claim.owner} expired and "
                        "was taken over; its result is left to the new owner")


def renew(conn: Connection, claim: Claim, *, now: datetime,
          lease: timedelta = DEFAULT_LEASE) -> bool:
    """Extend ``claim`` from ``now`` if it is still ours (a heartbeat); False if it was lost."""
    c = CLAIMS.c
    held = conn.execute(update(CLAIMS).where(
        c.kind == claim.kind, c.key == claim.key, c.owner_run == claim.owner.run,
        c.generation == claim.generation).values(lease_until=now + lease))
    if held.rowcount == 1:
        _audit(conn, "claim renewed", claim.kind, claim.key, now, owner=claim.owner,
               lease_until=now + lease)
    return held.rowcount == 1


def release(conn: Connection, claim: Claim, *, now: datetime) -> bool:
    """Give the work back (done, or not ours to do after all). False if it was lost."""
    c = CLAIMS.c
    done = conn.execute(update(CLAIMS).where(
        c.kind == claim.kind, c.key == claim.key, c.owner_run == claim.owner.run,
        c.generation == claim.generation).values(owner_host=None, owner_pid=None,
                                                  owner_run=None, lease_until=None))
    if done.rowcount == 1:
        _audit(conn, "claim released", claim.kind, claim.key, now, owner=claim.owner)
    return done.rowcount == 1


def renew_all(conn: Connection, owner: Owner, *, now: datetime,
              lease: timedelta = DEFAULT_LEASE) -> int:
    """Extend every live claim of ``owner``'s run (long work calls this every lease/3)."""
    c = CLAIMS.c
    held = conn.execute(select(c.kind, c.key).where(
        c.owner_run == owner.run, c.lease_until >= now)).all()
    if not held:
        return 0
    renewed = conn.execute(update(CLAIMS).where(
        c.owner_run == owner.run, c.lease_until >= now).values(lease_until=now + lease))
    audit.record(conn, [audit.event(
        action="claim renewed", entity=f"claim:{kind}", key=key, at=now,
        detail={"owner": str(owner), "lease_until": str(now + lease)}) for kind, key in held])
    return renewed.rowcount


def lease_end(conn: Connection, kind: str, key: str) -> datetime | None:
    """When the current lease on ``kind``/``key`` ends (None if nobody holds it)."""
    c = CLAIMS.c
    return conn.execute(select(c.lease_until).where(
        c.kind == kind, c.key == key, c.owner_run.is_not(None))).scalar()


def holders(conn: Connection, kind: str, *, now: datetime) -> dict[str, str]:
    """Live claims of ``kind``: key → owner (for listings and tests)."""
    c = CLAIMS.c
    rows = conn.execute(select(c.key, c.owner_host, c.owner_pid, c.owner_run).where(
        c.kind == kind, c.owner_run.is_not(None), c.lease_until >= now))
    return {r.key: f"{r.owner_host}/{r.owner_pid}/{r.owner_run}" for r in rows}


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a claim, for a run's account of what it left behind."""

    key: str
    host: str | None
    pid: int | None
    boot: str | None
    lease_until: datetime | None
    claimed_at: datetime | None = None

    def describe(self) -> str:
        return owners.describe(self.host, self.boot, self.pid)

    def dead(self) -> bool:
        """Provably dead: on this host, in this boot, its process gone."""
        return owners.provably_dead(self.host, self.boot, self.pid, self.claimed_at)


def live_holders(conn: Connection, kind: str, keys: list[str], *,
                 now: datetime) -> dict[str, Holder]:
    """Of ``keys``, those someone holds a live lease on: key → holder."""
    if not keys:
        return {}
    c = CLAIMS.c
    rows = conn.execute(select(c.key, c.owner_host, c.owner_pid, c.owner_boot, c.lease_until,
                               c.claimed_at)
                        .where(c.kind == kind, c.key.in_(keys), c.owner_run.is_not(None),
                               c.lease_until >= now))
    return {r.key: Holder(r.key, r.owner_host, r.owner_pid, r.owner_boot, r.lease_until,
                          r.claimed_at) for r in rows}


def unheld(kind: str, key_column: Any, *, now: datetime) -> ColumnElement[bool]:
    """A WHERE clause for listings: nobody holds a live claim of ``kind`` on the row whose
    key is ``key_column`` (never claimed, released, or its lease has passed)."""
    c = CLAIMS.c
    return ~select(c.key).where(
        c.kind == kind, c.key == key_column.cast(String), c.owner_run.is_not(None),
        c.lease_until >= now).exists()
