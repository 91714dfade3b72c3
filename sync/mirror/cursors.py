"""Load and save sync cursors in the store (the state machine is ``sync.mirror.cursor_state``)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Connection, select

from sync.mirror.cursor_state import CursorState
from sync.mirror.models import SyncCursorRow
from sync.tables import table_of
from sync.upsert import upsert

TABLE = table_of(SyncCursorRow)


def load(conn: Connection, source: str, entity: str, scope: str) -> CursorState:
    row = conn.execute(select(TABLE.c.since, TABLE.c.after_key, TABLE.c.high_water).where(
        TABLE.c.source == source, TABLE.c.entity == entity, TABLE.c.scope == scope)).first()
    return CursorState(*row) if row else CursorState()


def save(conn: Connection, source: str, entity: str, scope: str, state: CursorState) -> None:
    upsert(conn, TABLE, [{"source": source, "entity": entity, "scope": scope,
                          "since": state.since, "after_key": state.after_key,
                          "high_water": state.high_water,
                          "updated_at": datetime.now(timezone.utc)}],
           ("source", "entity", "scope"))


def all_cursors(conn: Connection) -> list[dict]:
    return [dict(r._mapping) for r in conn.execute(select(TABLE).order_by(
        TABLE.c.source, TABLE.c.entity, TABLE.c.scope))]
