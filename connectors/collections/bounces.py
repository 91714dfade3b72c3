"""Bounces that come back later: a mail server that took a reminder may still fail to deliver
it and send a delivery status notification (RFC 3464) to the sender. Those land in a mailbox;
this reads them from an mbox file or a maildir (Python's ``mailbox`` and ``email``), finds the
reminder by the returned message's ``Message-ID`` (each reminder e-mail carries one that names
it, :func:`message_id`), and records the bounce: the reminder becomes a phone task on the
worklist, with nobody at the keyboard. Only ``Action: failed`` counts; a ``delayed`` notice is
not a bounce. Reading the same mailbox again records nothing twice.
"""

from __future__ import annotations

import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import Message
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from config.errors import InputError
from config.redaction import mask_email
from sync.collections import dunning
from sync.txn import writing

_ID = re.compile(r"<arbridge\.reminder\.(\d+)\.[^@>]*@[^>]+>")


def message_id(reminder: dict[str, Any], sender: str) -> str:
    """The reminder e-mail's Message-ID: names the reminder, so a bounce finds it."""
    domain = sender.rpartition("@")[2] or "arbridge.invalid"
    return (f"<arbridge.reminder.{reminder['id']}.{reminder['company_code']}."
            f"{reminder['customer']}.c{reminder['cycle']}.l{reminder['level']}@{domain}>")


@dataclass(frozen=True, slots=True)
class Failure:
    """One failed delivery a notification reports."""

    reminder_id: int | None
    status: str
    diagnostic: str


@dataclass
class BounceReport:
    read: int = 0
    recorded: list[int] = field(default_factory=list)
    already: int = 0
    not_a_failure: int = 0
    unmatched: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"read": self.read, "recorded": self.recorded, "already": self.already,
                "not_a_failure": self.not_a_failure, "unmatched": self.unmatched}


def _parts(msg: Message) -> Iterator[Message]:
    yield msg
    if msg.is_multipart():
        for part in _messages(msg.get_payload()):
            yield from _parts(part)


def _messages(payload: object) -> list[Message]:
    """A multipart's (or a message/* part's) payload as messages."""
    items = payload if isinstance(payload, list) else [payload]
    return [m for m in items if isinstance(m, Message)]


def _original_ids(msg: Message) -> list[str]:
    """Message-IDs of the returned message (its full copy or its headers)."""
    found: list[str] = []
    for part in _parts(msg):
        kind = part.get_content_type()
        if kind == "message/rfc822":
            found.extend(str(inner.get("Message-ID", ""))
                         for inner in _messages(part.get_payload())[:1])
        elif kind == "text/rfc822-headers":
            raw = part.get_payload(decode=True) or b""
            headers = BytesParser(policy=policy.compat32).parsebytes(
                raw if isinstance(raw, bytes) else str(raw).encode(), headersonly=True)
            found.append(str(headers.get("Message-ID", "")))
    found.append(str(msg.get("X-Original-Message-ID", "")))
    return [f for f in found if f]


def failures(msg: Message) -> list[Failure] | None:
    """The failed recipients of a delivery status notification (None: not a DSN)."""
    if msg.get_content_type() != "multipart/report" or \
            msg.get_param("report-type", "").lower() != "delivery-status":  # type: ignore[union-attr]
        return None
    ids = [int(m.group(1)) for i in _original_ids(msg) if (m := _ID.search(i))]
    reminder = ids[0] if ids else None
    out = []
    for part in _parts(msg):
        if part.get_content_type() != "message/delivery-status":
            continue
        for block in _messages(part.get_payload())[1:]:  # per recipient
            if str(block.get("Action", "")).strip().lower() != "failed":
                continue
            out.append(Failure(reminder, str(block.get("Status", "")).strip(),
                               " ".join(str(block.get("Diagnostic-Code", "")).split())))
    return out


def read_mailbox(path: Path) -> Iterator[Message]:
    """The messages of an mbox file or a maildir folder."""
    if path.is_dir():
        if not (path / "cur").is_dir() and not (path / "new").is_dir():
            raise InputError(f"{path} is a folder but not a maildir (no cur/ or new/)")
        box: mailbox.Mailbox = mailbox.Maildir(path, factory=None, create=False)
    elif path.is_file():
        box = mailbox.mbox(path, create=False)
    else:
        raise InputError(f"{path} does not exist: give an mbox file or a maildir folder")
    parser = BytesParser(policy=policy.default)
    try:
        for key in box.iterkeys():
            yield parser.parsebytes(box.get_bytes(key))
    finally:
        box.close()


def record_bounces(engine: Engine, path: Path, *, now: datetime) -> BounceReport:
    """Record every failed reminder the notifications in ``path`` report."""
    report = BounceReport()
    for msg in read_mailbox(path):
        report.read += 1
        found = failures(msg)
        if not found:
            report.not_a_failure += 1
            continue
        failure = found[0]
        if failure.reminder_id is None:
            report.unmatched += 1
            continue
        with writing(engine) as conn:
            try:
                row = dunning.reminder(conn, failure.reminder_id)
            except InputError:
                report.unmatched += 1
                continue
            if row["channel"] != "email" or row["state"] != "sent":
                report.already += row["state"] == "bounced"
                report.unmatched += row["state"] != "bounced"
                continue
            dunning.bounced(conn, failure.reminder_id, by="mailbox", now=now,
                            reason=_masked(f"{failure.status} {failure.diagnostic}").strip()
                            or "delivery failed")
        report.recorded.append(failure.reminder_id)
    return report


_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _masked(text: str) -> str:
    """The diagnostic without the recipient's address in clear (personal data)."""
    return _ADDRESS.sub(lambda m: mask_email(m.group(0)), text)
