"""Bulk upsert: ``INSERT … ON CONFLICT DO UPDATE`` in chunks, for SQLite and PostgreSQL.

The statement is built with the dialect's ``insert(...).on_conflict_do_update(...)`` and
compiled once per table and column set. On SQLite the rows are then handed to the driver's
``executemany`` as tuples, already converted column by column (each column type's own bind
processor, or its ``fast_sqlite_column`` shortcut that converts a whole column at once): the
same values SQLAlchemy would send, without its per-row bookkeeping (several times faster for a
sync batch). PostgreSQL goes through SQLAlchemy's batched ``insertmanyvalues`` path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Date, Table, bindparam
from sqlalchemy.engine import Dialect

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert

CHUNK_ROWS = 2000


def _statement(dialect: Dialect, table: Table, columns: tuple[str, ...],
               keys: tuple[str, ...]) -> Any:
    stmt: PostgresInsert | SqliteInsert
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


ColumnConverter = Callable[[Sequence[Any]], Sequence[Any]]


@lru_cache(maxsize=64)
def _sqlite_plan(dialect: Dialect, table: Table, columns: tuple[str, ...],
                 keys: tuple[str, ...]) -> tuple[str, list[str], list[ColumnConverter | None]]:
    compiled = _statement(dialect, table, columns, keys).compile(dialect=dialect)
    order = list(compiled.positiontup or [])
    converters = [_converter(table.c[name].type, dialect) for name in order]
    return compiled.string, order, converters


def _converter(column_type: Any, dialect: Dialect) -> ColumnConverter | None:
    """Converts one column's values: the type's ``fast_sqlite_column``, or its bind processor
    applied to each value (dates memoised: a batch has few distinct ones), or None."""
    fast = getattr(column_type, "fast_sqlite_column", None)
    if fast is not None:
        return fast
    processor = column_type.dialect_impl(dialect).bind_processor(dialect)
    if processor is None:
        return None
    if isinstance(column_type, Date):
        def dates(values: Sequence[Any]) -> list[Any]:
            memo: dict[Any, Any] = {}
            return [memo[v] if v in memo else memo.setdefault(v, processor(v)) for v in values]
        return dates
    return lambda values: [processor(v) for v in values]


def upsert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]],
           keys: Sequence[str], chunk: int = CHUNK_ROWS) -> int:
    """Insert or update ``rows`` (dicts of column values) by ``keys``; returns rows written."""
    if not rows:
        return 0
    columns, key_tuple = tuple(rows[0]), tuple(keys)
    if conn.dialect.name == "sqlite":
        sql, order, converters = _sqlite_plan(conn.dialect, table, columns, key_tuple)
        getter = itemgetter(*order)
        for start in range(0, len(rows), chunk):
            part = rows[start:start + chunk]
            values = list(zip(*map(getter, part), strict=False)) if len(order) > 1 else \
                [[row[order[0]] for row in part]]
            converted = [c(v) if c else v for c, v in zip(converters, values, strict=False)]
            conn.exec_driver_sql(sql, list(zip(*converted, strict=False)))
        return len(rows)
    stmt = _statement(conn.dialect, table, columns, key_tuple)
    for start in range(0, len(rows), chunk):
        conn.execute(stmt, list(rows[start:start + chunk]))
    return len(rows)
