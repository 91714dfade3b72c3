"""Deliver PO alerts to the billing team: the one notification seam.

Recipients are channel names. ``outbox`` (the embedded default) writes each message to a file
under ``ARBRIDGE_HOME/outbox`` (owner-only) and to the store's ``alert_outbox`` table; any
other name is an Apprise URL in ``po_alerts.channels`` (e-mail, Microsoft Teams, Slack,
generic webhooks, …). URLs are secrets: they never reach the store, logs or error texts.

Each run claims the due deliveries first (``sync.work.claims``, committed before anything is
sent; renewed by a heartbeat while they are being sent), sends them — one message per alert, or
one per recipient in digest mode — and marks
them sent, or failed with the error kept and a later retry, confirming the claim in the same
transaction. An outbox message and its "sent" commit together, and a message a crashed run
already wrote is found by its key; Apprise channels cannot be looked up, so a crash between
sending and marking can repeat one message there (at least once, never lost).
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, insert, select
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from config.errors import ConfigError, RetriableError
from config.po_alerts import OUTBOX, PoAlertSettings
from config.redaction import redact_channel
from connectors.errors import DeliveryFailed
from sync.po import alerts
from sync.po import deliveries as alert_deliveries
from sync.po.deliveries import Delivery
from sync.po.messages import body, digest, subject
from sync.po.models import OutboxMessageRow
from sync.tables import table_of
from sync.txn import writing
from sync.work import claims
from sync.work.heartbeat import Heartbeat

log = logging.getLogger(__name__)
OUTBOX_TABLE = table_of(OutboxMessageRow)
SEND_ATTEMPTS = 3
SEND_WAIT_SECONDS = 0.5


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"sent": self.sent, "failed": self.failed, "errors": self.errors}


class Notifier:
    """Sends one message to one recipient (a channel name)."""

    def __init__(self, settings: PoAlertSettings, outbox: Path, engine: Engine) -> None:
        self.settings = settings
        self.outbox = outbox
        self.engine = engine

    def send(self, recipient: str, title: str, text: str, key: str, now: datetime,
             conn: Connection | None = None) -> None:
        """Send one message. The outbox writes in ``conn``'s transaction when given (so the
        message and its deliveries' "sent" commit together)."""
        if recipient == OUTBOX:
            if conn is None:
                with writing(self.engine) as own:
                    self.to_outbox(own, title, text, key, now)
            else:
                self.to_outbox(conn, title, text, key, now)
            return
        channel = self.settings.channels.get(recipient)
        if channel is None:
            raise ConfigError(f"no channel named {recipient!r} in po_alerts.channels: add its "
                              "Apprise URL, or remove it from the recipients")
        self._to_apprise(channel.get_secret_value(), title, text)

    @retry(retry=retry_if_exception_type(DeliveryFailed), stop=stop_after_attempt(SEND_ATTEMPTS),
           wait=wait_exponential(multiplier=SEND_WAIT_SECONDS, max=4), reraise=True)
    def _to_apprise(self, url: str, title: str, text: str) -> None:
        import apprise

        sender = apprise.Apprise()
        if not sender.add(url):
            raise ConfigError(f"not a usable Apprise URL: {redact_channel(url, url)[:60]}")
        with apprise.LogCapture(level=logging.WARNING) as captured:
            ok = sender.notify(title=title, body=text, body_format=apprise.NotifyFormat.TEXT)
        if not ok:
            detail = " | ".join(line.split(" - ", 2)[-1] for line in
                                captured.getvalue().splitlines() if line.strip())
            raise DeliveryFailed(redact_channel(detail or "the channel refused the message", url))

    def to_outbox(self, conn: Connection, title: str, text: str, key: str,
                  now: datetime) -> None:
        if conn.execute(select(OUTBOX_TABLE.c.id).where(OUTBOX_TABLE.c.key == key)).first():
            return  # a crashed run already wrote it
        self.outbox.mkdir(parents=True, exist_ok=True)
        os.chmod(self.outbox, 0o700)
        digest_key = hashlib.sha1(key.encode()).hexdigest()[:10]
        path = self.outbox / f"{now:%Y%m%dT%H%M%S}-{digest_key}.txt"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(f"Subject: {title}\nDate: {now.isoformat()}\n\n{text}\n")
        conn.execute(insert(OUTBOX_TABLE).values(key=key, at=now, subject=title[:300],
                                                 body=text, path=str(path)))


def deliver(engine: Engine, settings: PoAlertSettings, outbox: Path, *, now: datetime,
            owner: claims.Owner | None = None) -> DeliveryReport:
    """Claim and send every due delivery; nothing is dropped: failures stay queued."""
    owner = owner or claims.Owner.here()
    report = DeliveryReport()
    clock = claims.clock_from(now)
    while True:
        claimed = alert_deliveries.claim(engine, owner=owner, now=clock())
        if not claimed:
            return report
        # the batch's leases are renewed while its messages go out (a slow channel, retries)
        with Heartbeat(engine, [d.claim for d in claimed], lease=alert_deliveries.LEASE,
                       clock=clock):
            _deliver_batch(engine, settings, outbox, claimed, now=now, report=report)


def _deliver_batch(engine: Engine, settings: PoAlertSettings, outbox: Path,
                   claimed: list[Delivery], *, now: datetime, report: DeliveryReport) -> None:
    with engine.connect() as conn:
        rows = {a["id"]: a for a in alerts.listing(conn, include_closed=True,
                                                   ids=[d.alert_id for d in claimed])}
    notifier = Notifier(settings, outbox, engine)
    for deliveries, title, text in _messages(claimed, rows, settings.digest):
        key = "deliveries:" + ",".join(str(d.id) for d in deliveries)
        if len(key) > 120:
            key = "deliveries#" + hashlib.sha1(key.encode()).hexdigest()
        recipient = deliveries[0].recipient
        if recipient == OUTBOX:  # the message and "sent" in one transaction
            with writing(engine) as conn:
                report.sent += alert_deliveries.mark_sent(
                    conn, deliveries, now=now, write=lambda: notifier.send(
                        recipient, title, text, key, now, conn))  # noqa: B023
            continue
        try:
            notifier.send(recipient, title, text, key, now)
        except (RetriableError, ConfigError) as error:
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            log.warning("alert delivery to %s failed: %s", recipient, message)
            with writing(engine) as conn:
                alert_deliveries.mark_failed(conn, deliveries, now=now, error=message,
                                             max_attempts=settings.max_attempts)
            report.failed += len(deliveries)
            report.errors.append(f"{recipient}: {message}")
            continue
        with writing(engine) as conn:
            report.sent += alert_deliveries.mark_sent(conn, deliveries, now=now)
        log.info("alert message to %s: %s", recipient, title)


def _messages(claimed: list[Delivery], rows: dict[int, dict], as_digest: bool
              ) -> list[tuple[list[Delivery], str, str]]:
    """(deliveries, subject, body): one per delivery, or one per recipient in digest mode."""
    if not as_digest:
        return [([d], subject(_at(rows[d.alert_id], d)), body(_at(rows[d.alert_id], d)))
                for d in claimed]
    by_recipient: dict[str, list[Delivery]] = defaultdict(list)
    for d in claimed:
        by_recipient[d.recipient].append(d)
    result = []
    for group in by_recipient.values():
        title, text = digest([_at(rows[d.alert_id], d) for d in group])
        result.append((group, title, text))
    return result


def _at(alert: dict, delivery: Delivery) -> dict:
    """The alert as it is told at the delivery's level."""
    return {**alert, "level": delivery.level}
