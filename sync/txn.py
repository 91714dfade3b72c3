"""Short write transactions that never lose a race to a stale snapshot.

SQLite's default (deferred) transaction reads first and asks for the write lock later; in WAL
mode, if another connection wrote in between, the late write fails at once with "database is
locked" instead of waiting for the busy timeout. A write transaction that starts with
``BEGIN IMMEDIATE`` takes the write lock first and waits its turn. On PostgreSQL a plain
transaction is right: row locks and conditional updates do the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A transaction that will write: committed on success, rolled back on error."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
