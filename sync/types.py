"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Numeric, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

CENT = Decimal("0.01")


class Money(TypeDecorator):
    """Exact ``Decimal``: NUMERIC(17, 3) on PostgreSQL, text on SQLite (which has no decimal
    type and would otherwise round through float). Three decimals, because some currencies
    have them (KWD, BHD: see TCURX); amounts with two read back with two."""

    impl = Numeric(17, 3)
    cache_ok = True

    @staticmethod
    def fast_sqlite_bind(value: Any) -> str | None:
        """What ``process_bind_param`` gives on SQLite, without the TypeDecorator layers."""
        return None if value is None else str(Decimal(value))

    @staticmethod
    def fast_sqlite_column(values: Sequence[Any]) -> list[str | None]:
        """``fast_sqlite_bind`` over a whole column (a sync batch's amounts are Decimals)."""
        return [str(v) if type(v) is Decimal else Money.fast_sqlite_bind(v) for v in values]

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(24))
        return dialect.type_descriptor(Numeric(17, 3, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return str(value) if isinstance(value, Decimal) else str(Decimal(value))
        return Decimal(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        value = Decimal(value)
        if value.as_tuple().exponent == -3 and value == value.quantize(CENT):
            return value.quantize(CENT)  # NUMERIC(17, 3) gives 100.000 for 100.00
        return value


_last_datetime: tuple[datetime | None, str | None] = (None, None)


class UtcDateTime(TypeDecorator):
    """Timezone-aware datetimes, stored in UTC: TIMESTAMPTZ on PostgreSQL, fixed-width ISO text
    on SQLite (``2026-11-23 08:00:00.000000+00:00``, so text order is time order)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @staticmethod
    def fast_sqlite_bind(value: datetime | None) -> str | None:
        """What ``process_bind_param`` gives on SQLite, without the TypeDecorator layers.

        A batch stamps every row with the same ``synced_at``: the last conversion is reused.
        """
        global _last_datetime
        if value is None:
            return None
        last = _last_datetime
        if value is last[0]:
            return last[1]
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: arbridge stores aware datetimes only")
        if value.tzinfo is not timezone.utc:
            value = value.astimezone(timezone.utc)
        text = value.isoformat(sep=" ", timespec="microseconds")
        _last_datetime = (value, text)
        return text

    @staticmethod
    def fast_sqlite_column(values: Sequence[Any]) -> list[str | None]:
        """``fast_sqlite_bind`` over a whole column; a batch stamps every row with the same
        ``synced_at``, so a value equal to the one before is not converted again."""
        out: list[str | None] = []
        last: Any = object()
        text: str | None = None
        bind = UtcDateTime.fast_sqlite_bind
        for value in values:
            if value is not last:
                last, text = value, bind(value)
            out.append(text)
        return out

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: arbridge stores aware datetimes only")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.isoformat(sep=" ", timespec="microseconds")
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value
