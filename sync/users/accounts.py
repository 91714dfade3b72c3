"""The admin app's people in the store: users with argon2-hashed passwords, server-side
sessions and per-user API tokens (the login itself, with its rate limit, is
``sync.users.login``). Every change is audited.

Session ids and API tokens are 256-bit random values: a SHA-256 digest is enough to store
them (nothing to brute-force), and it lets a request find its session with one indexed
lookup. Passwords are low-entropy, so they get argon2id.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Row, delete, insert, select, update

from config.errors import InputError
from sync import audit
from sync.tables import inserted_id, table_of
from sync.users.models import AdminSessionRow, AdminUserRow, ApiTokenRow, LoginAttemptRow

Role = Literal["administrator", "billing", "collector", "viewer"]
ROLES: tuple[Role, ...] = get_args(Role)
USERS = table_of(AdminUserRow)
SESSIONS = table_of(AdminSessionRow)
TOKENS = table_of(ApiTokenRow)
ATTEMPTS = table_of(LoginAttemptRow)
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "arb_"
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash to verify against when the user does not exist, so that this costs the same
    time as a real check and response times do not tell which user names exist. Made on
    first use, not at import: every command that imports this module paid 0.13 s for it."""
    return hasher.hash(secrets.token_urlsafe(16))


def prepare_dummy_hash() -> None:
    """Make the unknown-user hash now (the admin app calls this as it starts), so that the
    first failed login of a name that does not exist takes no longer than any other."""
    _dummy_hash(_hasher)


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    role: str
    active: bool


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _user(row: Row[Any]) -> User:
    m = row._mapping
    return User(id=m["id"], name=m["name"], role=m["role"], active=m["active"])


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")


def add_user(conn: Connection, *, name: str, role: str, password: str, now: datetime,
             actor: str = audit.SYSTEM_ACTOR) -> User:
    name = name.strip()
    if not name or len(name) > 80 or any(c.isspace() for c in name):
        raise InputError(f"user name {name!r}: 1 to 80 characters, no spaces")
    if role not in ROLES:
        raise InputError(f"role {role!r}: must be one of {', '.join(ROLES)}")
    check_password_rules(password)
    if conn.execute(select(USERS.c.id).where(USERS.c.name == name)).first():
        raise InputError(f"user {name} already exists")
    result = conn.execute(insert(USERS).values(
        name=name, role=role, password_hash=_hasher.hash(password), active=True,
        created_at=now, password_changed_at=now))
    audit.record(conn, [audit.event(action="user added", entity="admin_user", key=name,
                                    detail={"role": role}, actor=actor, at=now)])
    return User(id=inserted_id(result), name=name, role=role, active=True)


def set_password(conn: Connection, name: str, password: str, *, now: datetime,
                 actor: str = audit.SYSTEM_ACTOR) -> None:
    """A new password; every session of the user ends and every API token is revoked."""
    check_password_rules(password)
    user = by_name(conn, name)
    if user is None:
        raise InputError(f"no user {name}")
    conn.execute(update(USERS).where(USERS.c.id == user.id).values(
        password_hash=_hasher.hash(password), password_changed_at=now))
    conn.execute(delete(SESSIONS).where(SESSIONS.c.user_id == user.id))
    revoked = conn.execute(update(TOKENS).where(
        TOKENS.c.user_id == user.id, TOKENS.c.revoked_at.is_(None)).values(revoked_at=now))
    audit.record(conn, [audit.event(action="password changed", entity="admin_user", key=name,
                                    detail={"api_tokens_revoked": int(revoked.rowcount or 0)},
                                    actor=actor, at=now)])


def set_active(conn: Connection, name: str, active: bool, *, now: datetime,
               actor: str = audit.SYSTEM_ACTOR) -> None:
    user = by_name(conn, name)
    if user is None:
        raise InputError(f"no user {name}")
    conn.execute(update(USERS).where(USERS.c.id == user.id).values(active=active))
    if not active:
        conn.execute(delete(SESSIONS).where(SESSIONS.c.user_id == user.id))
    audit.record(conn, [audit.event(action="user enabled" if active else "user disabled",
                                    entity="admin_user", key=name, detail={}, actor=actor,
                                    at=now)])


def by_name(conn: Connection, name: str) -> User | None:
    row = conn.execute(select(USERS).where(USERS.c.name == name)).first()
    return _user(row) if row else None


def all_users(conn: Connection) -> list[User]:
    return [_user(r) for r in conn.execute(select(USERS).order_by(USERS.c.name))]


def authenticate(conn: Connection, name: str, password: str) -> User | None:
    """The active user whose password this is, or None (same cost either way)."""
    row = conn.execute(select(USERS).where(USERS.c.name == name)).first()
    stored = row._mapping["password_hash"] if row else _dummy_hash(_hasher)
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row._mapping["active"]:
        return None
    if _hasher.check_needs_rehash(stored):
        conn.execute(update(USERS).where(USERS.c.id == row._mapping["id"]).values(
            password_hash=_hasher.hash(password)))
    return _user(row)


# -- sessions -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Session:
    id_hash: str
    user: User
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime


def open_session(conn: Connection, user: User, *, now: datetime) -> str:
    """A new session; returns the id for the cookie (only its digest is stored)."""
    session_id = secrets.token_urlsafe(32)
    conn.execute(insert(SESSIONS).values(
        id_hash=digest(session_id), user_id=user.id, csrf_token=secrets.token_urlsafe(32),
        created_at=now, last_seen_at=now))
    return session_id


def find_session(conn: Connection, session_id: str, *, now: datetime, idle: timedelta,
                 lifetime: timedelta) -> Session | None:
    """The live session of this cookie value, or None. An expired one is deleted; a live one
    is touched at most once a minute (the page is left open all day: no write per request)."""
    row = conn.execute(select(SESSIONS, USERS.c.name, USERS.c.role, USERS.c.active)
                       .join(USERS, USERS.c.id == SESSIONS.c.user_id)
                       .where(SESSIONS.c.id_hash == digest(session_id))).first()
    if row is None:
        return None
    m = row._mapping
    if not m["active"] or now - m["last_seen_at"] > idle or now - m["created_at"] > lifetime:
        conn.execute(delete(SESSIONS).where(SESSIONS.c.id_hash == m["id_hash"]))
        return None
    if now - m["last_seen_at"] > timedelta(minutes=1):
        conn.execute(update(SESSIONS).where(SESSIONS.c.id_hash == m["id_hash"]).values(
            last_seen_at=now))
    user = User(id=m["user_id"], name=m["name"], role=m["role"], active=m["active"])
    return Session(id_hash=m["id_hash"], user=user, csrf_token=m["csrf_token"],
                   created_at=m["created_at"], last_seen_at=m["last_seen_at"])


def close_session(conn: Connection, session_id: str) -> None:
    conn.execute(delete(SESSIONS).where(SESSIONS.c.id_hash == digest(session_id)))


def drop_expired_sessions(conn: Connection, *, now: datetime, idle: timedelta,
                          lifetime: timedelta) -> int:
    result = conn.execute(delete(SESSIONS).where(
        (SESSIONS.c.last_seen_at < now - idle) | (SESSIONS.c.created_at < now - lifetime)))
    return int(result.rowcount or 0)


# -- API tokens -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ApiToken:
    id: int
    label: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def create_token(conn: Connection, user: User, label: str, *, now: datetime) -> str:
    """A new API token for ``user``; returned once, only its digest is kept."""
    label = label.strip()[:80] or "script"
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    conn.execute(insert(TOKENS).values(user_id=user.id, label=label, token_hash=digest(token),
                                       prefix=token[:12], created_at=now))
    audit.record(conn, [audit.event(action="api token created", entity="admin_user",
                                    key=user.name, detail={"label": label, "prefix": token[:12]},
                                    actor=user.name, at=now)])
    return token


def tokens_of(conn: Connection, user: User) -> list[ApiToken]:
    rows = conn.execute(select(TOKENS).where(TOKENS.c.user_id == user.id)
                        .order_by(TOKENS.c.id.desc()))
    return [ApiToken(id=r.id, label=r.label, prefix=r.prefix, created_at=r.created_at,
                     last_used_at=r.last_used_at, revoked_at=r.revoked_at) for r in rows]


def revoke_token(conn: Connection, user: User, token_id: int, *, now: datetime) -> bool:
    result = conn.execute(update(TOKENS).where(
        TOKENS.c.id == token_id, TOKENS.c.user_id == user.id, TOKENS.c.revoked_at.is_(None)
    ).values(revoked_at=now))
    if not result.rowcount:
        return False
    audit.record(conn, [audit.event(action="api token revoked", entity="admin_user",
                                    key=user.name, detail={"token": token_id},
                                    actor=user.name, at=now)])
    return True


def user_of_token(conn: Connection, token: str, *, now: datetime) -> User | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = conn.execute(select(USERS, TOKENS.c.id.label("token_id"), TOKENS.c.last_used_at)
                       .join(TOKENS, TOKENS.c.user_id == USERS.c.id)
                       .where(TOKENS.c.token_hash == digest(token),
                              TOKENS.c.revoked_at.is_(None))).first()
    if row is None or not row._mapping["active"]:
        return None
    last = row._mapping["last_used_at"]
    if last is None or now - last > timedelta(minutes=1):
        conn.execute(update(TOKENS).where(TOKENS.c.id == row._mapping["token_id"]).values(
            last_used_at=now))
    return _user(row)
