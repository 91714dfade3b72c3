"""The SQLAlchemy ``Table`` behind a SQLModel table class, typed.

SQLModel sets ``__table__`` on each ``table=True`` class at class creation, but does not
declare it, so ``Row.__table__`` reads as an unknown attribute to a type checker. The store's
queries use the Core table (bulk upserts, selects); :func:`table_of` gives it once, typed.
:func:`inserted_id` reads the key a single-row ``INSERT`` created, typed too.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Table


def table_of(row: type) -> Table:
    """The ``Table`` of a SQLModel table class (``table_of(CustomerRow).c.number``)."""
    table = getattr(row, "__table__", None)
    if not isinstance(table, Table):
        raise TypeError(f"{row.__name__} is not a table model (declare it with table=True)")
    return cast(Table, table)


def inserted_id(result: CursorResult[Any]) -> int:
    """The integer primary key a single-row ``INSERT`` just created.

    SQLAlchemy types ``inserted_primary_key`` as optional (a multi-row insert has none); a
    single-row insert always has one.
    """
    key = result.inserted_primary_key
    if key is None:
        raise TypeError("inserted_id needs the result of a single-row INSERT")
    return int(key[0])
