"""Logging in, with a rate limit that holds under concurrency on SQLite and PostgreSQL.

Each try is first recorded and committed as a failure, then the tries are counted, and only
a try within the limit has its password checked. Whatever order concurrent tries commit in,
the k-th to count sees at least k tries, so no more than the limit are ever checked (on
PostgreSQL, counting before recording let 19 of 30 simultaneous tries through a limit of 5).

Known devices: a browser that logged in as a user keeps a random device cookie (only its
digest is stored). Its tries are counted per device, apart from the tries under the user's
name and address, so wrong passwords sent by someone else cannot lock the user out of a
browser they have used before; a stolen device cookie still meets its own limit.

A name that is no user is stored only as a digest and shown as "unknown user" in the audit
trail: people type passwords into the user-name field.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from sync import audit
from sync.tables import table_of
from sync.txn import writing
from sync.users import accounts
from sync.users.models import LoginDeviceRow

ATTEMPTS = accounts.ATTEMPTS
DEVICES = table_of(LoginDeviceRow)
UNKNOWN_USER = "unknown user"
DEVICE_LIFETIME = timedelta(days=180)
ATTEMPTS_KEPT = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class LoginLimits:
    window: timedelta
    per_user: int
    per_address: int
    per_device: int


@dataclass(frozen=True, slots=True)
class LoginOutcome:
    status: Literal["ok", "wrong", "limited"]
    user: accounts.User | None = None
    session_id: str | None = None
    device_token: str | None = None  # the device cookie to (re)set after a success


def attempt_key(name: str, user: accounts.User | None) -> str:
    """What the attempt table holds for a typed name: the name of a real user, else a
    digest (never a password typed into the wrong field)."""
    return user.name if user else "?" + accounts.digest(name)[:40]


def _known_device(conn: Connection, token: str | None, user: accounts.User | None,
                  now: datetime) -> str | None:
    if not token or user is None:
        return None
    hashed = accounts.digest(token)
    row = conn.execute(select(DEVICES.c.last_used_at).where(
        DEVICES.c.id_hash == hashed, DEVICES.c.user_id == user.id)).first()
    if row is None or now - row[0] > DEVICE_LIFETIME:
        return None
    return hashed


def _failures(conn: Connection, *, since: datetime, **match: object) -> int:
    """Failed tries matching ``match`` since ``since``, after the last success that matches."""
    where = [getattr(ATTEMPTS.c, column) == value if value is not None
             else getattr(ATTEMPTS.c, column).is_(None) for column, value in match.items()]
    last_ok = conn.execute(select(func.max(ATTEMPTS.c.id)).where(
        *where, ATTEMPTS.c.ok.is_(True), ATTEMPTS.c.at >= since)).scalar()
    failed = [*where, ATTEMPTS.c.ok.is_(False), ATTEMPTS.c.at >= since]
    if last_ok is not None:
        failed.append(ATTEMPTS.c.id > last_ok)
    return int(conn.execute(select(func.count()).where(*failed)).scalar_one())


def over_limit(conn: Connection, *, key: str, ip: str, device: str | None, since: datetime,
               limits: LoginLimits) -> bool:
    """Whether the tries counted so far (this one included) pass the limit."""
    if device is not None:
        return _failures(conn, since=since, device=device) > limits.per_device
    by_user = _failures(conn, since=since, name=key, device=None)
    by_address = int(conn.execute(select(func.count()).where(
        ATTEMPTS.c.ip == ip, ATTEMPTS.c.device.is_(None), ATTEMPTS.c.ok.is_(False),
        ATTEMPTS.c.at >= since)).scalar_one())
    return by_user > limits.per_user or by_address > limits.per_address


def _remember_device(conn: Connection, user: accounts.User, device: str | None,
                     now: datetime) -> str | None:
    """Touch the known device, or make a new one; returns a new cookie value, if any."""
    if device is not None:
        conn.execute(update(DEVICES).where(DEVICES.c.id_hash == device).values(
            last_used_at=now))
        return None
    token = secrets.token_urlsafe(32)
    conn.execute(insert(DEVICES).values(id_hash=accounts.digest(token), user_id=user.id,
                                        created_at=now, last_used_at=now))
    conn.execute(delete(DEVICES).where(DEVICES.c.last_used_at < now - DEVICE_LIFETIME))
    return token


def _audit(conn: Connection, *, user: accounts.User | None, action: str, ip: str,
           now: datetime, **detail: object) -> None:
    name = user.name if user else UNKNOWN_USER
    audit.record(conn, [audit.event(action=action, entity="admin_user", key=name,
                                    actor=name if action == "login" else "anonymous",
                                    detail={"ip": ip, **detail}, at=now)])


def attempt_login(engine: Engine, *, name: str, password: str, ip: str,
                  device_token: str | None, now: datetime, limits: LoginLimits,
                  session_idle: timedelta, session_lifetime: timedelta) -> LoginOutcome:
    """One login try: recorded, counted, and (within the limit) checked."""
    with writing(engine) as conn:
        user = accounts.by_name(conn, name)
        key = attempt_key(name, user)
        device = _known_device(conn, device_token, user, now)
        inserted = conn.execute(insert(ATTEMPTS).values(
            at=now, name=key, ip=ip[:45], ok=False, device=device)).inserted_primary_key
        attempt_id = int(inserted[0]) if inserted else 0
    with writing(engine) as conn:
        if over_limit(conn, key=key, ip=ip[:45], device=device, since=now - limits.window,
                      limits=limits):
            _audit(conn, user=user, action="login refused", ip=ip, now=now,
                   reason="too many wrong passwords")
            return LoginOutcome("limited")
        found = accounts.authenticate(conn, name, password)
        if found is None:
            _audit(conn, user=user, action="login refused", ip=ip, now=now)
            return LoginOutcome("wrong")
        conn.execute(update(ATTEMPTS).where(ATTEMPTS.c.id == attempt_id).values(ok=True))
        _audit(conn, user=found, action="login", ip=ip, now=now)
        session_id = accounts.open_session(conn, found, now=now)
        new_device = _remember_device(conn, found, device, now)
        accounts.drop_expired_sessions(conn, now=now, idle=session_idle,
                                       lifetime=session_lifetime)
        conn.execute(delete(ATTEMPTS).where(ATTEMPTS.c.at < now - ATTEMPTS_KEPT))
    return LoginOutcome("ok", user=found, session_id=session_id, device_token=new_device)
