"""Outgoing mail that must not go twice (statements, reminders): the row is marked
``sending`` - with the Message-ID, the time and the owner - in a committed transaction of
its own, under the row's claim, before the mail leaves. If the process dies between the
send and the commit that records it, the next run that takes the claim finds the mark and
does not resend blindly:

* the outbox channel can be looked at: the ``.eml`` with that Message-ID is there (it was
  written: the row is settled as sent) or it is not (nothing left: send it);
* a mail server (SMTP, Apprise) cannot be asked: the row is held ``uncertain`` for a person,
  listed in the run's summary and in ``arbridge status``, and sent again only when a person
  releases it (``report statements --resend ID``, ``collections resend ID``).

The rows are the callers' own tables (``customer_statement``, ``dunning_reminder``): each
has ``id``, ``state``, ``detail`` and ``sent_at``; the mark lives in ``detail`` as JSON.
:func:`finish` records the end of one message (its outcome, recipient and file).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from email import message_from_binary_file, policy
from email.utils import make_msgid
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection, Table, select, update

from config.errors import InputError
from sync import audit
from sync.work.claims import Claim

MARK = "sending"
UNCERTAIN = "uncertain"
Settled = Literal["sent", "resend", "uncertain"]


@dataclass(frozen=True, slots=True)
class Mark:
    message_id: str
    owner: str
    at: str
    channel: str  # "outbox" (can be looked at) or "mail" (a server: cannot)
    file: str | None = None  # the outbox file, relative to the home

    def as_json(self) -> str:
        return json.dumps({MARK: {"message_id": self.message_id, "owner": self.owner,
                                  "at": self.at, "channel": self.channel,
                                  "file": self.file}})


def new_message_id() -> str:
    return make_msgid(domain="arbridge.invalid")


def mark_sending(conn: Connection, table: Table, row_id: int, claim: Claim, *,
                 message_id: str, channel: str, file: str | None, now: datetime) -> Mark:
    """Record that ``row_id`` is about to be sent. Commit it (its own transaction, after
    :func:`sync.work.claims.confirm`) before the mail leaves."""
    mark = Mark(message_id, str(claim.owner), now.isoformat(),
                "outbox" if channel == "outbox" else "mail", file)
    conn.execute(update(table).where(table.c.id == row_id).values(
        state=MARK, detail=mark.as_json()))
    return mark


def mark_of(detail: str | None) -> Mark | None:
    try:
        found = json.loads(detail or "")[MARK]
        return Mark(str(found["message_id"]), str(found["owner"]), str(found["at"]),
                    str(found["channel"]), found.get("file"))
    except (ValueError, KeyError, TypeError):
        return None


def _outbox_has(home: Path, mark: Mark) -> bool:
    if not mark.file:
        return False
    try:
        with (home / mark.file).open("rb") as handle:
            written = message_from_binary_file(handle, policy=policy.default)
    except OSError:
        return False
    return str(written.get("Message-ID", "")).strip() == mark.message_id


def settle(conn: Connection, table: Table, row_id: int, home: Path, *, entity: str,
           now: datetime) -> Settled:
    """A row left ``sending`` by an owner that is gone (the caller now holds its claim):
    ``sent`` (the outbox has it: recorded as sent), ``resend`` (the outbox does not: nothing
    left, send it) or ``uncertain`` (a mail server may have it: held for a person)."""
    row = conn.execute(select(table.c.state, table.c.detail).where(
        table.c.id == row_id)).one()
    mark = mark_of(row.detail)
    if row.state != MARK or mark is None:
        return "resend"
    if mark.channel == "outbox":
        if _outbox_has(home, mark):
            conn.execute(update(table).where(table.c.id == row_id).values(
                state="sent", sent_at=datetime.fromisoformat(mark.at), detail=None))
            _audit(conn, entity, row_id, "sending settled: in the outbox", mark, now)
            return "sent"
        return "resend"
    conn.execute(update(table).where(table.c.id == row_id).values(
        state=UNCERTAIN, detail=uncertain_text(mark)))
    _audit(conn, entity, row_id, "sending uncertain: held for a person", mark, now)
    return "uncertain"


def uncertain_text(mark: Mark) -> str:
    return (f"sent or not is unknown: {mark.owner} stopped after handing Message-ID "
            f"{mark.message_id} to the mail server at {mark.at} and before recording it; "
            "check the recipient's mailbox or the server's log, and release it for sending "
            "again only if it did not arrive")


def release(conn: Connection, table: Table, row_id: int, *, entity: str, by: str,
            now: datetime) -> None:
    """A person checked an ``uncertain`` row: the next run sends it again."""
    row = conn.execute(select(table.c.state).where(table.c.id == row_id)).first()
    if row is None:
        raise InputError(f"{entity.replace('_', ' ')} {row_id} does not exist")
    if row.state != UNCERTAIN:
        raise InputError(f"{entity.replace('_', ' ')} {row_id} is {row.state}, not "
                         f"{UNCERTAIN}: nothing to release")
    conn.execute(update(table).where(table.c.id == row_id).values(
        state="failed", detail=f"released for sending again by {by}"[:500]))
    audit.record(conn, [audit.event(action="sending released", entity=entity,
                                    key=str(row_id), at=now, actor=by, detail={})])


def uncertain(conn: Connection, table: Table) -> list[dict[str, Any]]:
    """Rows held for a person, oldest first (for ``status`` and the runs' summaries)."""
    return [dict(r._mapping) for r in conn.execute(
        select(table).where(table.c.state == UNCERTAIN).order_by(table.c.id))]


def _audit(conn: Connection, entity: str, row_id: int, action: str, mark: Mark,
           now: datetime) -> None:
    audit.record(conn, [audit.event(action=action, entity=entity, key=str(row_id), at=now,
                                    detail={"message_id": mark.message_id,
                                            "owner": mark.owner, "marked_at": mark.at})])


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
