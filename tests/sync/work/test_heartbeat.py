"""Leases kept alive while a call is in flight, and owners that are provably dead, on SQLite
and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

from sync.txn import writing
from sync.work import claims, owners
from sync.work.heartbeat import Heartbeat

LEASE = timedelta(seconds=1)


def take(store, owner, *, lease=LEASE, dead_owners=False):  # type: ignore[no-untyped-def]
    with writing(store.engine) as conn:
        return claims.take(conn, "allocation", "7", owner, now=datetime.now(timezone.utc),
                           lease=lease, dead_owners=dead_owners)


def test_a_claim_outlives_its_lease_while_its_heartbeat_beats_and_not_after(store) -> None:  # type: ignore[no-untyped-def]
    mine = take(store, claims.Owner.here("mine"))
    with Heartbeat(store.engine, [mine], lease=LEASE, clock=claims.clock_from()) as beat:
        time.sleep(2.5)  # a SAP call two and a half leases long
        assert take(store, claims.Owner("host-b", 2, "theirs")) is None
    assert beat.beats >= 3 and not beat.lost
    time.sleep(1.2)  # no more beats: the lease runs out
    assert take(store, claims.Owner("host-b", 2, "theirs")) is not None


def test_a_heartbeat_notices_a_claim_taken_over(store) -> None:  # type: ignore[no-untyped-def]
    mine = take(store, claims.Owner.here("mine"))
    time.sleep(1.1)  # froze past the lease, and another run took it over
    assert take(store, claims.Owner("host-b", 2, "theirs"), lease=timedelta(minutes=5))
    beat = Heartbeat(store.engine, [mine], lease=LEASE, clock=claims.clock_from())
    beat.beat()
    assert beat.lost == {"7"}


def test_a_claim_of_a_dead_process_on_this_host_is_taken_over_at_once(store) -> None:  # type: ignore[no-untyped-def]
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    elsewhere = claims.Owner("host-b", int(child.stdout), "other", "their-boot")
    theirs = take(store, elsewhere, lease=timedelta(minutes=5))
    assert theirs is not None
    assert take(store, claims.Owner.here("heir"), dead_owners=True) is None  # can't know
    with writing(store.engine) as conn:
        claims.release(conn, theirs, now=datetime.now(timezone.utc))
    dead = claims.Owner(owners.host_name(), int(child.stdout), "dead-run", owners.boot_id())
    assert take(store, dead, lease=timedelta(minutes=5)) is not None
    assert take(store, claims.Owner.here("waits"), dead_owners=False) is None
    taken = take(store, claims.Owner.here("heir"), dead_owners=True)
    assert taken is not None and taken.taken_over_from == str(dead)


def test_a_live_process_on_this_host_keeps_its_claim(store) -> None:  # type: ignore[no-untyped-def]
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        alive = claims.Owner(owners.host_name(), sleeper.pid, "alive-run", owners.boot_id())
        assert take(store, alive, lease=timedelta(minutes=5)) is not None
        assert take(store, claims.Owner.here("heir"), dead_owners=True) is None
    finally:
        sleeper.kill()
        sleeper.wait()
