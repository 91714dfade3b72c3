"""Tables of the admin web app's people: users, their sessions, API tokens, login attempts
and known login devices.

Kept apart from ``sync.mirror.models`` (the sync data) so the admin app's schema stays one migration
of its own. Secrets are never stored: passwords as argon2 hashes, session ids and API tokens
as SHA-256 digests of high-entropy random values.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from sync.types import UtcDateTime


class AdminUserRow(SQLModel, table=True):
    __tablename__ = "admin_user"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    role: str = Field(max_length=20, description="administrator, billing or viewer")
    password_hash: str = Field(max_length=200, description="argon2id, PHC string")
    active: bool = True
    created_at: datetime = Field(sa_type=UtcDateTime)
    password_changed_at: datetime = Field(sa_type=UtcDateTime)


class AdminSessionRow(SQLModel, table=True):
    """A logged-in browser. The cookie holds a random id; only its digest is stored."""

    __tablename__ = "admin_session"

    id_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="admin_user.id", index=True)
    csrf_token: str = Field(max_length=64, description="synchronizer token of this session")
    created_at: datetime = Field(sa_type=UtcDateTime)
    last_seen_at: datetime = Field(sa_type=UtcDateTime)


class ApiTokenRow(SQLModel, table=True):
    """A per-user token for scripts calling ``/api``; only its digest is stored."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="admin_user.id", index=True)
    label: str = Field(max_length=80)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12, description="first characters, to recognise it")
    created_at: datetime = Field(sa_type=UtcDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class LoginAttemptRow(SQLModel, table=True):
    """One try at logging in, for the rate limit (shared by every process of the app)."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_name_at", "name", "at"),
                      Index("ix_login_attempt_ip_at", "ip", "at"))

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UtcDateTime)
    name: str = Field(max_length=80)
    ip: str = Field(max_length=45)
    ok: bool
    device: str | None = Field(default=None, max_length=64,
                               description="digest of the known-device cookie it came with")


class LoginDeviceRow(SQLModel, table=True):
    """A browser that logged in as this user: its wrong passwords are counted on their own,
    so another's wrong passwords for the same user do not lock it out."""

    __tablename__ = "login_device"

    id_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="admin_user.id", index=True)
    created_at: datetime = Field(sa_type=UtcDateTime)
    last_used_at: datetime = Field(sa_type=UtcDateTime)
