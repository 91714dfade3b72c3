"""Where reminders and requests go: the outbox under the home (the default: ``.eml`` files,
owner-only) or an SMTP server (``smtp://host:port``, optionally ``smtp://user:pass@host:port``
with ``?starttls``). A recipient the server refuses is a bounce (:class:`Bounced`), which the
run records and turns into a phone task; anything else is a failure retried by the next run.

Addresses are personal data: logs and errors show them masked.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

from config.errors import ArbridgeError, ConfigError, RetriableError
from config.redaction import mask_email
from sync.files import private_dir, write_private


class Bounced(ArbridgeError):
    """The mail server refused the recipient: record it, phone instead."""


OUTBOX_FILE = "outbox/collections/{}.eml"  # relative to the home


def message(*, sender: str, to: str, subject: str, body: str,
            attachment: Path | None = None, message_id: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    if message_id:
        msg["Message-ID"] = message_id
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    if attachment is not None:
        msg.add_attachment(attachment.read_bytes(), maintype="application", subtype="pdf",
                           filename=attachment.name)
    return msg


def deliver(channel: str, home: Path, msg: EmailMessage, name: str) -> str:
    """Send ``msg``; return where it went (the outbox file, or the server)."""
    if channel == "outbox":
        target = home / OUTBOX_FILE.format(name)
        private_dir(target.parent)
        write_private(target, bytes(msg))
        return str(target.relative_to(home))
    parts = urlsplit(channel)
    if parts.scheme != "smtp" or not parts.hostname:
        raise ConfigError("[collections] channel must be 'outbox' or smtp://host:port")
    try:
        with smtplib.SMTP(parts.hostname, parts.port or 25, timeout=30) as smtp:
            if "starttls" in (parts.query or ""):
                smtp.starttls()
            if parts.username:
                smtp.login(unquote(parts.username), unquote(parts.password or ""))
            smtp.send_message(msg)
    except smtplib.SMTPRecipientsRefused as refused:
        codes = "; ".join(f"{code} {text.decode(errors='replace')[:80]}"
                          for code, text in refused.recipients.values())
        raise Bounced(f"{mask_email(str(msg['To']))} refused: {codes}") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise RetriableError(f"the mail server {parts.hostname} did not take the message "
                             f"for {mask_email(str(msg['To']))}: {exc}") from None
    return f"smtp:{parts.hostname}"
