"""Bounces that come back after the send: the run e-mails reminders (each with a Message-ID
that names it); days later the mail servers return delivery status notifications (RFC 3464)
to the sender's mailbox. Read from an mbox or a maildir, each failed one is recorded against
its reminder without a person and becomes a phone task; a delayed notice or an ordinary reply
is not a bounce; reading the mailbox again records nothing twice."""

from __future__ import annotations

import mailbox
from datetime import datetime, timezone
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import select

from config.collections import CollectionSettings
from connectors.collections.bounces import record_bounces
from connectors.collections.run import run_collections
from sync.audit_models import AuditEventRow
from sync.collections.dunning import REMINDERS
from sync.collections.worklist import build
from sync.tables import table_of
from tests.sync.collections.collections_book import TODAY, Book

NOW = datetime(2026, 12, 5, 6, tzinfo=timezone.utc)
LATER = datetime(2026, 12, 7, 9, tzinfo=timezone.utc)


def postfix_dsn(original: bytes, recipient: str) -> bytes:
    """A bounce as Postfix writes it: the original's headers only (text/rfc822-headers)."""
    headers = original.split(b"\n\n", 1)[0].decode()
    return f"""Return-Path: <>
Received: by mx.example.co.za (Postfix) id 4F1A2B3C4D; Mon,  7 Dec 2026 09:00:01 +0200 (SAST)
Date: Mon,  7 Dec 2026 09:00:01 +0200 (SAST)
From: MAILER-DAEMON@mx.example.co.za (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: accounts@example.co.za
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="4F1A2B3C4D.1733554801/mx.example.co.za"
Message-Id: <20261207070001.4F1A2B3C4D@mx.example.co.za>

This is a MIME-encapsulated message.

--4F1A2B3C4D.1733554801/mx.example.co.za
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.co.za.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

<{recipient}>: host mail.client.example[192.0.2.10] said: 550 5.1.1
    <{recipient}>: Recipient address rejected: User unknown in virtual mailbox
    table (in reply to RCPT TO command)

--4F1A2B3C4D.1733554801/mx.example.co.za
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.co.za
X-Postfix-Queue-ID: 4F1A2B3C4D
X-Postfix-Sender: rfc822; accounts@example.co.za
Arrival-Date: Sat,  5 Dec 2026 08:00:00 +0200 (SAST)

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: failed
Status: 5.1.1
Remote-MTA: dns; mail.client.example
Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected: User
    unknown in virtual mailbox table

--4F1A2B3C4D.1733554801/mx.example.co.za
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

{headers}

--4F1A2B3C4D.1733554801/mx.example.co.za--
""".encode()


def exim_dsn(original: bytes, recipient: str, *, action: str = "failed",
             status: str = "5.2.2") -> bytes:
    """A notification carrying the whole original (message/rfc822), as Exim and others do."""
    body = original.decode()
    return f"""Return-path: <>
From: Mail Delivery System <Mailer-Daemon@relay.example.net>
To: accounts@example.co.za
Subject: Mail delivery failed: returning message to sender
Date: Mon, 07 Dec 2026 07:10:00 +0000
Message-Id: <E1tK9xY-0001ab-2Q@relay.example.net>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary=1733555400-eximdsn-1

--1733555400-eximdsn-1
Content-type: text/plain; charset=us-ascii

This message was created automatically by mail delivery software.

  {recipient}
    mailbox is full: retry timeout exceeded

--1733555400-eximdsn-1
Content-type: message/delivery-status

Reporting-MTA: dns; relay.example.net

Action: {action}
Final-Recipient: rfc822;{recipient}
Status: {status}
Diagnostic-Code: smtp; 552 5.2.2 mailbox full

--1733555400-eximdsn-1
Content-type: message/rfc822

{body}
--1733555400-eximdsn-1--
""".encode()


REPLY = b"""From: ap@karoo.example
To: accounts@example.co.za
Subject: Re: Overdue account 0000500001: reminder 1
Message-ID: <reply-1@karoo.example>

We will pay on Friday.
"""


def _sent(store, home: Path) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    """The reminder e-mails the run put in the outbox, by customer."""
    book = Book(store.engine)
    for n, address in enumerate(("ap@karoo.example", "ap@gone.example", "ap@full.example",
                                 "ap@slow.example"), start=1):
        customer = book.customer(f"00005000{n:02d}", email=address)
        book.item(customer, "2500.00", 12)
    report = run_collections(store.engine, CollectionSettings(), home, as_of=TODAY, now=NOW)
    assert report.sent == 4
    return {message_from_bytes(p.read_bytes(), policy=policy.default)["To"]: p.read_bytes()
            for p in (home / "outbox" / "collections").glob("*.eml")}


def _states(store) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        return {r.customer: r.state for r in conn.execute(select(REMINDERS))}


@pytest.mark.parametrize("kind", ["mbox", "maildir"])
def test_notifications_in_a_mailbox_turn_their_reminders_into_phone_tasks(store, tmp_path,
                                                                         kind):  # type: ignore[no-untyped-def]
    sent = _sent(store, tmp_path)
    assert all(b"Message-ID: <arbridge.reminder." in m for m in sent.values())
    path = tmp_path / ("bounces.mbox" if kind == "mbox" else "Maildir")
    box: mailbox.Mailbox = mailbox.mbox(path) if kind == "mbox" else mailbox.Maildir(path)
    for raw in (postfix_dsn(sent["ap@gone.example"], "ap@gone.example"),
                exim_dsn(sent["ap@full.example"], "ap@full.example"),
                exim_dsn(sent["ap@slow.example"], "ap@slow.example", action="delayed",
                         status="4.4.7"),
                REPLY):
        box.add(raw)
    box.close()

    report = record_bounces(store.engine, path, now=LATER)
    assert (report.read, len(report.recorded), report.not_a_failure, report.unmatched) == \
        (4, 2, 2, 0)
    assert _states(store) == {"0000500001": "sent", "0000500002": "bounced",
                              "0000500003": "bounced", "0000500004": "sent"}
    with store.engine.connect() as conn:
        detail = conn.execute(select(REMINDERS.c.detail).where(
            REMINDERS.c.customer == "0000500002")).scalar_one()
        actors = set(conn.execute(select(table_of(AuditEventRow).c.actor).where(
            table_of(AuditEventRow).c.action == "reminder bounced")).scalars())
        tasks = {e.customer: e.tasks for e in build(conn, CollectionSettings(), TODAY)}
    assert "5.1.1" in detail and "User unknown" in detail
    assert "ap@gone.example" not in detail  # the address is masked (POPIA)
    assert actors == {"mailbox"}
    assert tasks["0000500002"][0].startswith("phone: the level 1 e-mail bounced")
    assert tasks["0000500003"][0].startswith("phone: the level 1 e-mail bounced")
    assert tasks["0000500001"] == []

    again = record_bounces(store.engine, path, now=LATER)
    assert (again.recorded, again.already) == ([], 2)


def test_a_notification_for_a_message_arbridge_did_not_send_is_left_unmatched(store,
                                                                             tmp_path):  # type: ignore[no-untyped-def]
    _sent(store, tmp_path)
    other = b"From: someone@example.co.za\nTo: x@client.example\nSubject: hello\n" \
            b"Message-ID: <not-ours@example.co.za>\n\nhi\n"
    path = tmp_path / "bounces.mbox"
    box = mailbox.mbox(path)
    box.add(postfix_dsn(other, "x@client.example"))
    box.close()
    report = record_bounces(store.engine, path, now=LATER)
    assert (report.recorded, report.unmatched) == ([], 1)
    assert set(_states(store).values()) == {"sent"}
