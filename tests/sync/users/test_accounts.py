"""Admin users in the store (SQLite and PostgreSQL): hashed passwords, sessions that expire,
API tokens kept only as digests, and the failed-login count behind the rate limit."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from config.errors import InputError
from sync.audit_models import AuditEventRow
from sync.tables import table_of
from sync.users import accounts as users

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)
PASSWORD = "correct horse battery"
IDLE, LIFETIME = timedelta(hours=8), timedelta(hours=12)
PRODUCTION_HASHING = True  # argon2's production parameters here (tests/conftest.py)


def _add(store, name="thandi", role="administrator"):
    with store.engine.begin() as conn:
        return users.add_user(conn, name=name, role=role, password=PASSWORD, now=NOW,
                              actor="root")


def test_password_is_stored_as_argon2_and_only_the_right_one_logs_in(store):
    _add(store)
    with store.engine.begin() as conn:
        stored = conn.execute(select(users.USERS.c.password_hash)).scalar_one()
        assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and PASSWORD not in stored
        assert users.authenticate(conn, "thandi", PASSWORD).role == "administrator"
        assert users.authenticate(conn, "thandi", "wrong password!") is None
        assert users.authenticate(conn, "nobody", PASSWORD) is None
        audit = conn.execute(select(table_of(AuditEventRow))).all()
    assert [(a.actor, a.action, a.entity_key) for a in audit] == [("root", "user added",
                                                                   "thandi")]


def test_an_unknown_name_costs_one_password_check_like_a_known_one(store, monkeypatch):
    """Response times must not tell which names exist: a name nobody has is checked against
    a hash made with the same parameters, made before the first login (the admin app
    prepares it as it starts)."""
    _add(store)
    users.prepare_dummy_hash()
    checked: list[str] = []
    real = users._hasher

    class Counting:
        def __getattr__(self, name):  # type: ignore[no-untyped-def]
            return getattr(real, name)

        def verify(self, stored, password):  # type: ignore[no-untyped-def]
            checked.append(stored.split("$")[3])  # the parameters it was made with
            return real.verify(stored, password)

    monkeypatch.setattr(users, "_hasher", Counting())
    with store.engine.begin() as conn:
        assert users.authenticate(conn, "nobody", PASSWORD) is None
        assert users.authenticate(conn, "thandi", "wrong password!") is None
    assert checked == ["m=65536,t=3,p=4"] * 2


@pytest.mark.parametrize("name, role, password, message", [
    ("thandi", "superuser", PASSWORD, "role 'superuser'"),
    ("thandi", "viewer", "short", "at least 10 characters"),
    ("two words", "viewer", PASSWORD, "no spaces"),
])
def test_bad_users_are_refused_with_the_field_named(store, name, role, password, message):
    with store.engine.begin() as conn, pytest.raises(InputError, match=message):
        users.add_user(conn, name=name, role=role, password=password, now=NOW)


def test_a_name_is_taken_once(store):
    _add(store)
    with pytest.raises(InputError, match="already exists"):
        _add(store)


def test_sessions_end_when_idle_too_long_or_too_old_and_on_password_change(store):
    user = _add(store)
    with store.engine.begin() as conn:
        sid = users.open_session(conn, user, now=NOW)
        stored = conn.execute(select(users.SESSIONS.c.id_hash)).scalar_one()
        assert stored != sid and stored == users.digest(sid)
        live = users.find_session(conn, sid, now=NOW + timedelta(hours=7), idle=IDLE,
                                  lifetime=LIFETIME)
        assert live is not None and live.user.name == "thandi" and len(live.csrf_token) > 30
        # touched at 7h, so still alive at 11h; but not past the 12h lifetime
        assert users.find_session(conn, sid, now=NOW + timedelta(hours=11), idle=IDLE,
                                  lifetime=LIFETIME) is not None
        assert users.find_session(conn, sid, now=NOW + timedelta(hours=12, minutes=1),
                                  idle=IDLE, lifetime=LIFETIME) is None
        idle_sid = users.open_session(conn, user, now=NOW)
        assert users.find_session(conn, idle_sid, now=NOW + timedelta(hours=9), idle=IDLE,
                                  lifetime=LIFETIME) is None
        other = users.open_session(conn, user, now=NOW)
        users.set_password(conn, "thandi", "another good password", now=NOW)
        assert users.find_session(conn, other, now=NOW, idle=IDLE, lifetime=LIFETIME) is None


def test_api_tokens_are_kept_as_digests_and_stop_working_when_revoked(store):
    user = _add(store)
    with store.engine.begin() as conn:
        token = users.create_token(conn, user, "nightly report", now=NOW)
        assert token.startswith("arb_")
        assert token not in str(conn.execute(select(users.TOKENS)).all())
        assert users.user_of_token(conn, token, now=NOW).name == "thandi"
        assert users.user_of_token(conn, token + "x", now=NOW) is None
        [held] = users.tokens_of(conn, user)
        assert users.revoke_token(conn, user, held.id, now=NOW)
        assert users.user_of_token(conn, token, now=NOW) is None


def test_a_disabled_user_cannot_log_in_and_loses_sessions_and_tokens(store):
    user = _add(store)
    with store.engine.begin() as conn:
        sid = users.open_session(conn, user, now=NOW)
        token = users.create_token(conn, user, "script", now=NOW)
        users.set_active(conn, "thandi", False, now=NOW, actor="root")
        assert users.authenticate(conn, "thandi", PASSWORD) is None
        assert users.find_session(conn, sid, now=NOW, idle=IDLE, lifetime=LIFETIME) is None
        assert users.user_of_token(conn, token, now=NOW) is None
