"""The end of one outgoing message (a dunning reminder, a customer statement): its row takes
the outcome, the detail, and — when known — who it went to and the file it carried; a sent
one is stamped with the time it went."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, update


def finish(conn: Connection, table: Table, row_id: int, *, state: str, now: datetime,
           recipient: str | None = None, detail: str | None = None,
           **files: str | None) -> None:
    """Record the outcome of the message ``row_id`` in ``table``. ``files`` names the
    table's file column (``document=…``, ``pdf=…``); a ``None`` recipient or file leaves
    what the row holds."""
    values: dict[str, Any] = {"state": state, "detail": detail}
    known = {"recipient": recipient, **files}
    values.update({column: value for column, value in known.items() if value is not None})
    if state == "sent":
        values["sent_at"] = now
    conn.execute(update(table).where(table.c.id == row_id).values(**values))
