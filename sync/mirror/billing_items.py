"""The billing documents' items in the mirror: written in the transaction of their headers'
page, replaced when a header is pulled again (left alone when SAP's items did not change, so
an overlap re-read writes nothing), and read for the cXML invoice lines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Connection, delete, select

from config.errors import InputError
from sync import audit
from sync.mirror.models import BillingItemRow
from sync.mirror.writes import LOOKUP_CHUNK
from sync.tables import table_of
from sync.upsert import upsert

ITEMS = table_of(BillingItemRow)
KEYS = ("billing_document", "item")
COLUMNS = ("billing_document", "item", "material", "description", "quantity", "unit", "net",
           "tax")


class StoredItem(NamedTuple):
    """One mirrored item, as the cXML lines need it."""

    item: str
    material: str | None
    description: str | None
    quantity: Decimal
    unit: str | None
    net: Decimal
    tax: Decimal


def _stored(conn: Connection, documents: list[str]) -> dict[str, dict[str, tuple]]:
    """Document -> item number -> the stored values of ``COLUMNS``."""
    stored: dict[str, dict[str, tuple]] = {}
    columns = [ITEMS.c[c] for c in COLUMNS]
    for start in range(0, len(documents), LOOKUP_CHUNK):
        chunk = documents[start:start + LOOKUP_CHUNK]
        for row in conn.execute(select(*columns).where(ITEMS.c.billing_document.in_(chunk))):
            stored.setdefault(row[0], {})[row[1]] = tuple(row)
    return stored


def replace_items(conn: Connection, documents: Sequence[str], rows: Sequence[dict[str, Any]],
                  *, now: datetime, source: str, new_documents: bool = False) -> int:
    """Make the stored items of ``documents`` (a page's billing documents) what ``rows`` (their
    items as pulled: dicts of ``COLUMNS``) say, in the caller's transaction. A document whose
    items are as stored is not touched; one whose items differ has its stored items deleted
    and the new ones written (in bulk), and the change is audited. ``new_documents``: the
    headers were all new to the store this transaction, so no items can be stored for them
    (a first pull skips the look-up). Returns the number of documents whose items were
    written. Two rows with one document and item number (SAP never sends them; a broken
    gateway or a custom CDS view might) are refused before anything is written, naming them:
    PostgreSQL's upsert otherwise failed with "cannot affect row a second time", and
    SQLite's silently kept the last."""
    _refuse_repeated(rows)
    if new_documents:
        upsert(conn, ITEMS, rows, KEYS)
        return len({row["billing_document"] for row in rows})
    wanted: dict[str, list[dict[str, Any]]] = {number: [] for number in documents}
    for row in rows:
        wanted.setdefault(row["billing_document"], []).append(row)
    stored = _stored(conn, list(wanted))
    stale: list[str] = []
    fresh: list[dict[str, Any]] = []
    events = []
    for number, items in wanted.items():
        old = stored.get(number)
        if old is None:  # nothing stored: written as pulled
            fresh += items
            continue
        new = {row["item"]: tuple(row[c] for c in COLUMNS) for row in items}
        if old == new:  # Decimals compare by value: 12.000 as read is 12.000 as pulled
            continue
        stale.append(number)
        fresh += items
        events.append(audit.event(
            action="items updated from SAP", entity="billing_documents", key=number,
            detail={"source": source, "items": [sorted(old), sorted(new)]}, at=now))
    for start in range(0, len(stale), LOOKUP_CHUNK):
        conn.execute(delete(ITEMS).where(
            ITEMS.c.billing_document.in_(stale[start:start + LOOKUP_CHUNK])))
    upsert(conn, ITEMS, fresh, KEYS)
    audit.record(conn, events)
    return len({row["billing_document"] for row in fresh}) + \
        sum(1 for number in stale if not wanted[number])


def _refuse_repeated(rows: Sequence[dict[str, Any]]) -> None:
    seen: set[tuple[str, str]] = set()
    for row in rows:
        key = (row["billing_document"], row["item"])
        if key in seen:
            raise InputError(
                f"SAP sent item {key[1]} of billing document {key[0]} twice; this page of the "
                "pull wrote nothing: check the billing document in SAP (VF03) and the items "
                "service, then run the pull again")
        seen.add(key)


def items_of(conn: Connection, documents: Sequence[str]) -> dict[str, list[StoredItem]]:
    """The mirrored items of ``documents``, each document's in item order; a document without
    mirrored items (pulled before they were, or from an adapter that reads none) is absent."""
    found: dict[str, list[StoredItem]] = {}
    unique = sorted(set(documents))
    for start in range(0, len(unique), LOOKUP_CHUNK):
        chunk = unique[start:start + LOOKUP_CHUNK]
        for row in conn.execute(select(*[ITEMS.c[c] for c in COLUMNS]).where(
                ITEMS.c.billing_document.in_(chunk)).order_by(ITEMS.c.billing_document,
                                                              ITEMS.c.item)):
            found.setdefault(row[0], []).append(StoredItem(*row[1:]))
    return found
