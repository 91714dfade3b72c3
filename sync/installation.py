"""This installation's own id: generated once, the first time it is asked for, and kept in
the store. It is part of every idempotency key arbridge writes into SAP, so that a second
installation, a re-initialised store or one moved to another database never reuses a key
that SAP already holds for another installation's posting.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

from sqlalchemy import Connection, Engine, select
from sqlmodel import Field, SQLModel

from sync.tables import table_of
from sync.types import UtcDateTime

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ID_LENGTH = 4  # 36**4 = 1.7 million installations


class InstallationRow(SQLModel, table=True):
    """The one row naming this installation."""

    __tablename__ = "installation"

    id: str = Field(primary_key=True, max_length=8)
    created_at: datetime = Field(sa_type=UtcDateTime)


INSTALLATION = table_of(InstallationRow)


def base36(number: int, width: int) -> str:
    digits = ""
    while number:
        number, digit = divmod(number, 36)
        digits = ALPHABET[digit] + digits
    return digits.rjust(width, "0")[-width:]


def random_base36(width: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(width))


def installation_id(conn: Connection) -> str:
    """The id, made on first use (call inside a write transaction)."""
    found = conn.execute(select(INSTALLATION.c.id).order_by(INSTALLATION.c.created_at)).scalar()
    if found:
        return str(found)
    new = random_base36(ID_LENGTH)
    conn.execute(INSTALLATION.insert().values(id=new, created_at=datetime.now(timezone.utc)))
    return new


def ensure(engine: Engine) -> str:
    with engine.begin() as conn:
        return installation_id(conn)
