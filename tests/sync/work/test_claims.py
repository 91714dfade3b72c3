"""Claims on SQLite and PostgreSQL: one owner at a time, take-over only after the lease,
fencing, and every step in the audit trail."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from sync.audit_models import AuditEventRow
from sync.tables import table_of
from sync.txn import writing
from sync.work import claims

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
LEASE = timedelta(seconds=60)
A = claims.Owner("host-a", 101, "run-a")
B = claims.Owner("host-b", 202, "run-b")


def take(store, owner, now=NOW, key="42"):
    with writing(store.engine) as conn:
        return claims.take(conn, "upload", key, owner, now=now, lease=LEASE)


def audit_actions(store, key="42"):
    table = table_of(AuditEventRow)
    with store.engine.connect() as conn:
        return [r.action for r in conn.execute(select(table.c.action).where(
            table.c.entity == "claim:upload", table.c.entity_key == key).order_by(table.c.id))]


def test_a_live_claim_keeps_everyone_else_out(store):
    assert take(store, A) is not None
    assert take(store, B, NOW + LEASE - timedelta(seconds=1)) is None
    with store.engine.connect() as conn:
        assert claims.holders(conn, "upload", now=NOW) == {"42": "host-a/101/run-a"}


def test_a_released_claim_is_taken_without_a_take_over(store):
    first = take(store, A)
    with writing(store.engine) as conn:
        assert claims.release(conn, first, now=NOW)
    second = take(store, B, NOW + timedelta(seconds=1))
    assert second is not None and second.taken_over_from is None
    assert second.generation == 2
    assert audit_actions(store) == ["claim taken", "claim released", "claim taken"]


def test_an_expired_lease_is_taken_over_and_audited_with_the_old_owner(store):
    take(store, A)
    later = NOW + LEASE + timedelta(seconds=1)
    taken = take(store, B, later)
    assert taken is not None and taken.taken_over_from == "host-a/101/run-a"
    assert audit_actions(store) == ["claim taken", "claim expired", "claim taken over"]


def test_the_old_owner_cannot_record_after_a_take_over(store):
    old = take(store, A)
    take(store, B, NOW + LEASE + timedelta(seconds=1))
    with pytest.raises(claims.ClaimLost):
        with writing(store.engine) as conn:
            claims.confirm(conn, old, now=NOW + LEASE * 2)
    with writing(store.engine) as conn:
        assert not claims.release(conn, old, now=NOW + LEASE * 2)
    with store.engine.connect() as conn:
        assert claims.holders(conn, "upload", now=NOW + LEASE * 2) == {"42": "host-b/202/run-b"}


def test_renewal_keeps_long_work_claimed_and_is_audited(store):
    take(store, A)
    with writing(store.engine) as conn:
        assert claims.renew_all(conn, A, now=NOW + LEASE / 2, lease=LEASE) == 1
    assert take(store, B, NOW + LEASE + timedelta(seconds=1)) is None
    assert "claim renewed" in audit_actions(store)


def test_an_expired_claim_is_not_renewed(store):
    take(store, A)
    with writing(store.engine) as conn:
        assert claims.renew_all(conn, A, now=NOW + LEASE * 2, lease=LEASE) == 0


def test_many_owners_racing_for_the_same_work_leave_exactly_one_winner(store):
    owners = [claims.Owner("host", n, f"run-{n}") for n in range(8)]
    start = threading.Barrier(len(owners))
    won: list[claims.Owner] = []
    errors: list[BaseException] = []

    def race(owner: claims.Owner) -> None:
        start.wait()
        try:
            for key in ("1", "2", "3"):
                if take(store, owner, key=key):
                    won.append(owner)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=race, args=(o,)) for o in owners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(won) == 3
