"""Send the customer statements of one schedule and period: each statement is recorded and
claimed before anything is written or sent (its lease renewed by a heartbeat until it is
recorded, however slow the mail server), rendered to an owner-only PDF, and e-mailed
through the notification layer (the outbox by default, or an Apprise e-mail URL) to the
customer's statement address. A statement already sent for the period is never sent again;
one that failed is retried by the next run; one without an address is recorded as such.

E-mail addresses are personal data: logs show them masked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from config.redaction import mask_email
from config.reports import StatementSettings
from connectors.reports.statement_pdf import write_statement
from sync.files import private_dir, write_private
from sync.mirror.models import CustomerRow
from sync.reports.statements import (
    STATEMENTS,
    Schedule,
    candidates,
    compose,
    finish,
    period_of,
    record,
)
from sync.tables import table_of
from sync.txn import writing
from sync.work import claims, outgoing
from sync.work.heartbeat import Heartbeat

log = logging.getLogger(__name__)
CUSTOMERS = table_of(CustomerRow)
LEASE = timedelta(minutes=5)


@dataclass
class StatementReport:
    schedule: str
    period: str
    sent: int = 0
    already_sent: int = 0
    no_address: int = 0
    failed: int = 0
    held_elsewhere: int = 0
    previewed: int = 0
    uncertain: int = 0
    errors: list[str] = field(default_factory=list)
    pdfs: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"schedule": self.schedule, "period": self.period, "sent": self.sent,
                "already_sent": self.already_sent, "no_address": self.no_address,
                "failed": self.failed, "held_by_another_run": self.held_elsewhere,
                "previewed": self.previewed, "uncertain": self.uncertain,
                "errors": self.errors}


def recipient(engine: Engine, settings: StatementSettings, company_code: str,
              customer: str) -> str | None:
    override = settings.addresses.get(customer) or settings.addresses.get(customer.lstrip("0"))
    if override:
        return override
    with engine.connect() as conn:
        return conn.execute(select(CUSTOMERS.c.email).where(
            CUSTOMERS.c.company_code == company_code,
            CUSTOMERS.c.number == customer)).scalar_one_or_none()


def wants(settings: StatementSettings, customer: str, schedule: Schedule) -> bool:
    """A customer on ``daily`` gets the daily and the monthly statement, on ``monthly`` the
    monthly only, on ``none`` neither (an opt-out)."""
    chosen = settings.schedules.get(customer) or settings.schedules.get(customer.lstrip("0")) \
        or settings.default_schedule
    return chosen == "daily" or (chosen == "monthly" and schedule == "monthly")


def run_statements(engine: Engine, settings: StatementSettings, home: Path, *,
                   schedule: Schedule, as_of: date, now: datetime, send: bool,
                   customer: str | None = None, edges: tuple[int, ...] = (30, 60, 90, 120),
                   owner: claims.Owner | None = None,
                   lease: timedelta = LEASE) -> StatementReport:
    """Send (or, without ``send``, only render) the statements due for ``schedule``.

    ``now`` stamps the records; the claims read a clock that starts there and moves on
    (:func:`sync.work.claims.clock_from`), and each statement's lease is renewed while it is
    rendered and sent, so a slow mail server does not hand it to a second run."""
    period = period_of(schedule, as_of)
    report = StatementReport(schedule=schedule, period=period)
    folder = home / "statements" / period
    with engine.connect() as conn:
        due = [c for c in candidates(conn, schedule, as_of, customer) if wants(settings, c[1],
                                                                                schedule)]
    run = _Run(engine, settings, home, folder, report, schedule, as_of, now,
               owner or claims.Owner.here(), edges, claims.clock_from(now), lease)
    for company_code, number in due:
        if not send:
            with engine.connect() as conn:
                statement = compose(conn, company_code, number, as_of, edges=edges)
            report.pdfs.append(str(write_statement(statement, settings, folder / "preview")))
            report.previewed += 1
            continue
        _send_one(run, company_code, number)
    return report


@dataclass(frozen=True)
class _Run:
    """What every statement of one sending run shares."""

    engine: Engine
    settings: StatementSettings
    home: Path
    folder: Path
    report: StatementReport
    schedule: Schedule
    as_of: date
    now: datetime  # stamps the records
    owner: claims.Owner
    edges: tuple[int, ...]
    clock: claims.Clock  # times the claims
    lease: timedelta


def _send_one(run: _Run, company_code: str, number: str) -> None:
    key = f"{company_code}/{number}/{run.schedule}/{period_of(run.schedule, run.as_of)}"
    report = run.report
    with writing(run.engine) as conn:
        statement_id, state = record(conn, company_code=company_code, customer=number,
                                     schedule=run.schedule, as_of=run.as_of, now=run.now)
        if state in ("sent", "no_address", outgoing.UNCERTAIN):
            report.already_sent += state == "sent"
            report.uncertain += state == outgoing.UNCERTAIN
            if state == outgoing.UNCERTAIN:
                report.errors.append(_held(number, statement_id))
            return
        claim = claims.take(conn, "statement", key, run.owner, now=run.clock(),
                            lease=run.lease, dead_owners=True)
    if claim is None:
        report.held_elsewhere += 1
        return
    # renewed while the statement is settled, rendered and sent (a slow mail server)
    with Heartbeat(run.engine, [claim], lease=run.lease, clock=run.clock):
        _send_claimed(run, claim, key, company_code, number, statement_id, state)


def _send_claimed(run: _Run, claim: claims.Claim, key: str, company_code: str, number: str,
                  statement_id: int, state: str) -> None:
    report, engine, home, now = run.report, run.engine, run.home, run.now
    if state == outgoing.MARK:  # its last owner stopped between the send and the record
        with writing(engine) as conn:
            claims.confirm(conn, claim, now=run.clock(), lease=run.lease)
            settled = outgoing.settle(conn, STATEMENTS, statement_id, home,
                                      entity="customer_statement", now=now)
            if settled != "resend":
                claims.release(conn, claim, now=run.clock())
        if settled == "sent":
            report.already_sent += 1
            return
        if settled == "uncertain":
            report.uncertain += 1
            report.errors.append(_held(number, statement_id))
            return
    address = recipient(engine, run.settings, company_code, number)
    with engine.connect() as conn:
        statement = compose(conn, company_code, number, run.as_of, edges=run.edges)
    pdf = write_statement(statement, run.settings, run.folder)
    relative = str(pdf.relative_to(home))
    try:
        if not address:
            outcome, detail = "no_address", "no statement e-mail address (SAP or override)"
        else:
            channel = run.settings.channel.get_secret_value()
            target = _outbox_file(home, key) if channel == "outbox" else None
            message_id = outgoing.new_message_id()
            with writing(engine) as conn:  # committed before the mail leaves
                claims.confirm(conn, claim, now=run.clock(), lease=run.lease)
                outgoing.mark_sending(conn, STATEMENTS, statement_id, claim,
                                      message_id=message_id, channel=channel, now=now,
                                      file=str(target.relative_to(home)) if target else None)
            _deliver(run.settings, home, statement.name, address, pdf, key, run.as_of,
                     message_id)
            outcome, detail = "sent", None
    except claims.ClaimLost:  # taken over before anything left: the new owner sends it
        report.held_elsewhere += 1
        return
    except Exception as exc:  # noqa: BLE001 - any channel failure is kept for the next run
        outcome, detail = "failed", str(exc)[:500]
        report.errors.append(f"{number}: {detail}")
    with writing(engine) as conn:
        claims.confirm(conn, claim, now=run.clock(), lease=run.lease)
        finish(conn, statement_id, state=outcome, now=now, recipient=address, pdf=relative,
               detail=detail)
        claims.release(conn, claim, now=run.clock())
    log.info("statement %s for %s: %s (%s)", key, number, outcome,
             mask_email(address) if address else "no address")
    setattr(report, {"sent": "sent", "no_address": "no_address", "failed": "failed"}[outcome],
            getattr(report, outcome) + 1)


def _held(number: str, statement_id: int) -> str:
    return (f"{number}: statement {statement_id} is uncertain (its run stopped after handing "
            "it to the mail server): check it arrived, else arbridge report statements "
            f"--resend {statement_id}")


def _outbox_file(home: Path, key: str) -> Path:
    return home / "outbox" / "statements" / (key.replace("/", "-") + ".eml")


def _message(name: str, address: str, pdf: Path, as_of: date,
             message_id: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["To"] = address
    if message_id:
        message["Message-ID"] = message_id
    message["Subject"] = f"Statement of account as at {as_of.isoformat()}"
    message.set_content(f"Dear {name},\n\nPlease find your statement of account as at "
                        f"{as_of.isoformat()} attached.\n\nKind regards,\nAccounts receivable\n")
    message.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf",
                           filename=pdf.name)
    return message


def _deliver(settings: StatementSettings, home: Path, name: str, address: str, pdf: Path,
             key: str, as_of: date, message_id: str | None = None) -> None:
    channel = settings.channel.get_secret_value()
    if channel == "outbox":
        target = _outbox_file(home, key)
        private_dir(target.parent)
        write_private(target, bytes(_message(name, address, pdf, as_of, message_id)))
        return
    import apprise

    url = channel + ("&" if "?" in channel else "?") + f"to={address}"
    sender = apprise.Apprise()
    if not sender.add(url):
        raise ValueError("the statements channel is not a usable Apprise e-mail URL")
    ok = sender.notify(title=f"Statement of account as at {as_of.isoformat()}",
                       body=f"Dear {name},\n\nPlease find your statement of account as at "
                            f"{as_of.isoformat()} attached.\n",
                       attach=str(pdf))
    if not ok:
        raise RuntimeError(f"the e-mail server did not take the statement for "
                           f"{mask_email(address)}")
