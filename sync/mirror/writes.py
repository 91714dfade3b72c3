"""Mirror SAP records into the store, one page per transaction.

Each re-read record is compared field by field with the stored row: one that did not change
is neither written nor audited, so overlap windows and re-runs add nothing. New and changed
records are upserted in bulk and each update is audited with its changed fields (personal data
masked).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, and_, delete, select, tuple_

from config.redaction import mask_field
from sync import audit
from sync.mirror.models import BillingDocumentRow, ClearedItemRow, CustomerRow, OpenItemRow
from sync.tables import table_of
from sync.upsert import upsert

LOOKUP_CHUNK = 5000  # keys per lookup: 4-column keys stay under SQLite's 32,766 variables


@dataclass(frozen=True, slots=True)
class Entity:
    name: str
    table: Table
    keys: tuple[str, ...]


CUSTOMERS = Entity("customers", table_of(CustomerRow), ("company_code", "number"))
BILLING_DOCUMENTS = Entity("billing_documents", table_of(BillingDocumentRow), ("number",))
OPEN_ITEMS = Entity("open_items", table_of(OpenItemRow),
                    ("company_code", "document", "fiscal_year", "line"))
CLEARED_ITEMS = Entity("cleared_items", table_of(ClearedItemRow),
                       ("company_code", "document", "fiscal_year", "line"))


@dataclass(slots=True)
class Counts:
    fetched: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def add(self, other: Counts) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__slots__}


def _key_of(keys: Sequence[str]) -> Callable[[dict[str, Any]], tuple]:
    """A row's key as a tuple, fast for many rows."""
    if len(keys) == 1:
        name = keys[0]
        return lambda row: (row[name],)
    return itemgetter(*keys)


def _key_filter(entity: Entity, keys: Sequence[tuple]) -> ColumnElement[bool]:
    columns = [entity.table.c[k] for k in entity.keys]
    if len(columns) == 1:
        return columns[0].in_([k[0] for k in keys])
    return tuple_(*columns).in_(keys)


def _stored_rows(conn: Connection, entity: Entity, keys: list[tuple],
                 columns: Sequence[str]) -> dict[tuple, dict]:
    """The stored values of ``columns`` for the rows with these keys."""
    stored: dict[tuple, dict] = {}
    key_of = _key_of(entity.keys)
    selected = [entity.table.c[c] for c in columns]
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = keys[start:start + LOOKUP_CHUNK]
        for row in conn.execute(select(*selected).where(_key_filter(entity, chunk))):
            mapping = dict(zip(columns, row, strict=False))
            stored[key_of(mapping)] = mapping
    return stored


def _diff(old: dict, new: dict, columns: Iterable[str]) -> dict[str, list]:
    """Changed columns as ``[old, new]``; values compare by meaning (``Decimal('1.0') ==
    Decimal('1.00')``), so a re-read record never shows as changed by formatting alone."""
    return {c: [mask_field(c, old[c]), mask_field(c, new[c])]
            for c in columns if old[c] != new[c]}


def apply_rows(conn: Connection, entity: Entity, rows: list[dict[str, Any]], *, now: datetime,
               source: str, snapshot: Any = None) -> Counts:
    """Write one page of rows in the caller's transaction.

    Args:
        rows: column values without ``synced_at`` (added here).
        snapshot: for snapshot entities, a SQL condition selecting the stored rows this page
            is complete for; those not in ``rows`` are deleted (e.g. open items now cleared).
    """
    counts = Counts(fetched=len(rows))
    content = list(rows[0]) if rows else []
    key_of = _key_of(entity.keys)
    by_key = {key_of(row): row for row in rows}  # a record read twice counts once, last wins
    stored = _stored_rows(conn, entity, list(by_key), content)
    fresh: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    events = []
    for key, row in by_key.items():
        old = stored.get(key)
        if old is None:
            fresh.append(row)
            continue
        changes = _diff(old, row, content)
        if changes:
            changed.append(row)
            events.append(audit.event(
                action="updated from SAP", entity=entity.name, key="/".join(map(str, key)),
                detail={"source": source, "changes": changes}, at=now))
    for row in fresh + changed:
        row["synced_at"] = now
    counts.inserted, counts.updated = len(fresh), len(changed)
    counts.unchanged = len(by_key) - len(fresh) - len(changed)
    if fresh:
        keys = [key_of(r) for r in fresh]
        first, last = ("/".join(map(str, k)) for k in (min(keys), max(keys)))
        events.append(audit.event(
            action="inserted from SAP", entity=entity.name, key=f"{first}..{last}",
            detail={"source": source, "count": len(fresh)}, at=now))
    if snapshot is not None:
        counts.deleted = _delete_missing(conn, entity, snapshot, set(by_key), events, now, source)
    upsert(conn, entity.table, fresh + changed, entity.keys)
    audit.record(conn, events)
    return counts


def _delete_missing(conn: Connection, entity: Entity, snapshot: Any, present: set[tuple],
                    events: list, now: datetime, source: str) -> int:
    columns = [entity.table.c[k] for k in entity.keys]
    gone = [tuple(r) for r in conn.execute(select(*columns).where(snapshot))
            if tuple(r) not in present]
    for start in range(0, len(gone), LOOKUP_CHUNK):
        conn.execute(delete(entity.table).where(
            and_(snapshot, _key_filter(entity, gone[start:start + LOOKUP_CHUNK]))))
    for key in gone:
        events.append(audit.event(action="no longer open in SAP", entity=entity.name,
                                  key="/".join(map(str, key)), detail={"source": source}, at=now))
    return len(gone)
