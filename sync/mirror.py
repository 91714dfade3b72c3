"""Mirror SAP records into the store, one page per transaction.

Rows are compared by a content hash: a re-read record that did not change is neither written
nor audited, so overlap windows and re-runs add nothing. Changed records are upserted in bulk
and each update is audited with its changed fields (personal data masked).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, delete, select, tuple_

from sync import audit
from sync.models import BillingDocumentRow, CustomerRow, OpenItemRow
from sync.upsert import upsert

LOOKUP_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Entity:
    name: str
    table: Table
    keys: tuple[str, ...]


CUSTOMERS = Entity("customers", CustomerRow.__table__, ("company_code", "number"))  # type: ignore[attr-defined]
BILLING_DOCUMENTS = Entity("billing_documents", BillingDocumentRow.__table__, ("number",))  # type: ignore[attr-defined]
OPEN_ITEMS = Entity("open_items", OpenItemRow.__table__,  # type: ignore[attr-defined]
                    ("company_code", "document", "fiscal_year", "line"))


@dataclass(slots=True)
class Counts:
    fetched: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def add(self, other: Counts) -> None:
        for name in self.__slots__:  # type: ignore[attr-defined]
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__slots__}  # type: ignore[attr-defined]


def content_hash(row: dict[str, Any], columns: Sequence[str]) -> str:
    text = "\x1f".join("" if row[c] is None else str(row[c]) for c in columns)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _key(row: dict[str, Any], keys: Sequence[str]) -> tuple:
    return tuple(row[k] for k in keys)


def _key_filter(entity: Entity, keys: Sequence[tuple]):  # type: ignore[no-untyped-def]
    columns = [entity.table.c[k] for k in entity.keys]
    if len(columns) == 1:
        return columns[0].in_([k[0] for k in keys])
    return tuple_(*columns).in_(keys)


def _existing_hashes(conn: Connection, entity: Entity, keys: list[tuple]) -> dict[tuple, str]:
    found: dict[tuple, str] = {}
    columns = [entity.table.c[k] for k in entity.keys]
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = keys[start:start + LOOKUP_CHUNK]
        query = select(*columns, entity.table.c.row_hash).where(_key_filter(entity, chunk))
        for row in conn.execute(query):
            found[tuple(row[:-1])] = row[-1]
    return found


def _old_rows(conn: Connection, entity: Entity, keys: list[tuple]) -> dict[tuple, dict]:
    old: dict[tuple, dict] = {}
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = keys[start:start + LOOKUP_CHUNK]
        for row in conn.execute(select(entity.table).where(_key_filter(entity, chunk))):
            mapping = dict(row._mapping)
            old[_key(mapping, entity.keys)] = mapping
    return old


def _diff(old: dict, new: dict, columns: Iterable[str]) -> dict[str, list]:
    return {c: [audit.mask(c, old.get(c)), audit.mask(c, new[c])]
            for c in columns if str(old.get(c)) != str(new[c])}


def apply_rows(conn: Connection, entity: Entity, rows: list[dict[str, Any]], *, now: datetime,
               source: str, snapshot: Any = None) -> Counts:
    """Write one page of rows in the caller's transaction.

    Args:
        rows: column values without ``row_hash``/``synced_at`` (added here).
        snapshot: for snapshot entities, a SQL condition selecting the stored rows this page
            is complete for; those not in ``rows`` are deleted (e.g. open items now cleared).
    """
    counts = Counts(fetched=len(rows))
    content = [c for c in rows[0]] if rows else []
    by_key: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        row["row_hash"] = content_hash(row, content)
        row["synced_at"] = now
        by_key[_key(row, entity.keys)] = row  # a record read twice counts once, last wins
    existing = _existing_hashes(conn, entity, list(by_key))
    fresh = [r for k, r in by_key.items() if k not in existing]
    changed = [r for k, r in by_key.items() if k in existing and existing[k] != r["row_hash"]]
    counts.inserted, counts.updated = len(fresh), len(changed)
    counts.unchanged = len(by_key) - len(fresh) - len(changed)
    events = []
    if changed:
        old = _old_rows(conn, entity, [_key(r, entity.keys) for r in changed])
        for row in changed:
            key = _key(row, entity.keys)
            events.append(audit.event(
                action="updated from SAP", entity=entity.name, key="/".join(map(str, key)),
                detail={"source": source, "changes": _diff(old[key], row, content)}, at=now))
    if fresh:
        keys = sorted("/".join(map(str, _key(r, entity.keys))) for r in fresh)
        events.append(audit.event(
            action="inserted from SAP", entity=entity.name, key=f"{keys[0]}..{keys[-1]}",
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
