"""The daily collections run, claimed once per day (``collections-run``/date) and each
reminder claimed once per customer, cycle and level before it is recorded or sent; the
day's lease and those of the reminders being sent are renewed by heartbeats (a slow mail
server must not hand them to a second run):

1. judge the promises (a broken one raises the level), open cases for rejected or disputed
   portal invoices, escalate overdue cases, ask billing for a credit note for each short
   payment with a deduction, link credit memos the pull brought;
2. plan a decision per customer from the policies; record each reminder and move the level;
3. issue the section 129 notices that are due (PDF letters for registered mail);
4. send what waits: e-mails (a refused recipient is a bounce, turned into a phone task),
   letters as PDFs in the outbox; phone steps stay on the worklist as tasks.

``dry_run`` plans and reports, and changes nothing.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from config.collections import CollectionSettings
from config.redaction import mask_email
from config.settings import Settings
from connectors.collections.bounces import message_id as reminder_message_id
from connectors.collections.delivery import OUTBOX_FILE, Bounced, deliver, message
from connectors.collections.letters import render_text, write_letter
from sync.collections import deductions, disputes, dunning, legal, promise_store
from sync.collections.positions import Book, read_book
from sync.mirror.models import CustomerRow
from sync.reports.ageing import money_text
from sync.tables import table_of
from sync.txn import writing
from sync.work import claims, outgoing
from sync.work.claims import CLAIMS
from sync.work.heartbeat import Heartbeat

log = logging.getLogger(__name__)
CUSTOMERS = table_of(CustomerRow)
LEASE = timedelta(minutes=10)
CHUNK = 200  # customers (or reminders) per write transaction
REMINDERS = dunning.REMINDERS


@dataclass
class RunReport:
    as_of: str
    dry_run: bool
    held_by_another_run: bool = False
    later_run: str | None = None
    decisions: dict[str, int] = field(default_factory=dict)
    recorded: dict[str, int] = field(default_factory=dict)
    sent: int = 0
    letters: int = 0
    bounced: int = 0
    failed: int = 0
    uncertain: int = 0
    awaiting_approval: int = 0
    phone_tasks: int = 0
    promises_judged: dict[str, int] = field(default_factory=dict)
    disputes_opened: int = 0
    disputes_escalated: int = 0
    credit_memos_linked: int = 0
    credit_requests_from_deductions: int = 0
    notices_s129: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _contact(engine: Engine, settings: CollectionSettings, company_code: str,
             customer: str) -> tuple[str, str | None]:
    with engine.connect() as conn:
        row = conn.execute(select(CUSTOMERS.c.name, CUSTOMERS.c.email).where(
            CUSTOMERS.c.company_code == company_code, CUSTOMERS.c.number == customer)).first()
    name, email = (row[0], row[1]) if row else (customer, None)
    override = settings.addresses.get(customer) or settings.addresses.get(customer.lstrip("0"))
    return name, override or email


def run_today(settings: Settings, *, now: datetime) -> RunReport:
    """The scheduled daily run: today is SAP's today as last pulled (as the CLI's default)."""
    from connectors.reports.book import ledger_today
    from sync.store import open_store

    store = open_store(settings)
    try:
        with store.engine.connect() as conn:
            when = ledger_today(conn)
        return run_collections(store.engine, settings.collections, settings.home,
                               as_of=when, now=now)
    finally:
        store.engine.dispose()


def run_collections(engine: Engine, settings: CollectionSettings, home: Path, *,
                    as_of: date, now: datetime, dry_run: bool = False,
                    owner: claims.Owner | None = None, lease: timedelta = LEASE) -> RunReport:
    """Run the day ``as_of``. ``now`` stamps the records; the claims read a clock that starts
    there and moves on, and their leases (the day's, and each reminder's while it is sent)
    are renewed by heartbeats, so a slow mail server hands nothing to a second run."""
    report = RunReport(as_of=as_of.isoformat(), dry_run=dry_run)
    if dry_run:
        with engine.connect() as conn:
            report.decisions = dunning.summary(dunning.plan(conn, settings, as_of))
        return report
    owner = owner or claims.Owner.here()
    with engine.connect() as conn:
        last = conn.execute(select(func.max(CLAIMS.c.key)).where(
            CLAIMS.c.kind == "collections-run")).scalar()
    if last is not None and last > as_of.isoformat():
        report.later_run = last  # runs only go forward: a past day's view would end cycles
        return report
    clock = claims.clock_from(now)
    with writing(engine) as conn:
        day = claims.take(conn, "collections-run", as_of.isoformat(), owner, now=clock(),
                          lease=lease, dead_owners=True)
    if day is None:
        report.held_by_another_run = True
        return report
    try:
        with Heartbeat(engine, [day], lease=lease, clock=clock):
            _morning(engine, settings, report, as_of, now)
            book = _levels(engine, settings, report, as_of, now, owner)
            _notices(engine, settings, home, report, as_of, now, book)
            _send(_Sending(engine, settings, home, report, now, owner, clock, lease))
    finally:
        with writing(engine) as conn:
            claims.release(conn, day, now=clock())
    return report


def _morning(engine: Engine, settings: CollectionSettings, report: RunReport, as_of: date,
             now: datetime) -> None:
    with writing(engine) as conn:
        judged = promise_store.evaluate(conn, as_of, now=now,
                                        tolerance_days=settings.promise_tolerance_days)
        for j in judged:
            report.promises_judged[j.after] = report.promises_judged.get(j.after, 0) + 1
        report.disputes_opened = len(disputes.from_uploads(conn, settings, today=as_of,
                                                           now=now))
        report.disputes_escalated = len(disputes.escalate_overdue(conn, as_of, now=now))
        disputes.requests_for_cancellations(conn, today=as_of, now=now)
        report.credit_requests_from_deductions = len(
            deductions.requests_for_deductions(conn, today=as_of, now=now))
        report.credit_memos_linked = len(disputes.link_credit_memos(conn, today=as_of,
                                                                    now=now))


def _levels(engine: Engine, settings: CollectionSettings, report: RunReport, as_of: date,
            now: datetime, owner: claims.Owner) -> Book:
    """Record today's reminders; the morning's read of the positions is returned for the
    notices (recording reminders changes no position)."""
    with engine.connect() as conn:
        book = read_book(conn, as_of)
        planned = dunning.plan(conn, settings, as_of, book=book)
    report.decisions = dunning.summary(planned)
    work = [p for p in planned if p.decision.outcome == "remind"
            or (p.decision.outcome == "nothing_overdue" and p.standing.level)]
    excluded = book.excluded
    for start in range(0, len(work), CHUNK):  # one short transaction per chunk
        with writing(engine) as conn:
            for p in work[start:start + CHUNK]:
                if p.decision.outcome == "nothing_overdue":
                    dunning.end_cycle(conn, p.company_code, p.customer, now=now)
                    continue
                key = f"{p.company_code}/{p.customer}/{p.standing.cycle}/{p.decision.level}"
                claim = claims.take(conn, "reminder", key, owner, now=now, lease=LEASE)
                if claim is None:
                    continue
                made = dunning.record(conn, settings, p, as_of=as_of, now=now,
                                      excluded=excluded)
                claims.release(conn, claim, now=now)
                if made is not None:
                    level = str(p.decision.level)
                    report.recorded[level] = report.recorded.get(level, 0) + 1
    return book


def _notices(engine: Engine, settings: CollectionSettings, home: Path, report: RunReport,
             as_of: date, now: datetime, book: Book) -> None:
    with engine.connect() as conn:
        due = legal.s129_due(conn, settings, as_of, book=book)
    for d in due:
        name, _ = _contact(engine, settings, d.company_code, d.customer)
        text = render_text("s129", issued_on=as_of.isoformat(), name=name,
                           customer=d.customer, arrears=money_text(d.arrears, d.currency)
                           + f" {d.currency}", oldest_due=d.oldest_due.isoformat(),
                           business_days=d.business_days)
        target = home / "outbox" / "letters" / f"s129-{d.company_code}-{d.customer}-" \
            f"{d.cycle}.pdf"
        with writing(engine) as conn:
            new = legal.record_notice(conn, d, issued_on=as_of, now=now,
                                      document=str(target.relative_to(home)))
        if new is not None:
            write_letter(text, settings.letterhead, target, "Section 129 notice")
            report.notices_s129 += 1


@dataclass(frozen=True)
class _Sending:
    """What every reminder sent by one run shares."""

    engine: Engine
    settings: CollectionSettings
    home: Path
    report: RunReport
    now: datetime  # stamps the records
    owner: claims.Owner
    clock: claims.Clock  # times the claims
    lease: timedelta


def _send(run: _Sending) -> None:
    with run.engine.connect() as conn:
        waiting = dunning.to_send(conn)
        run.report.awaiting_approval = len([r for r in conn.execute(select(
            dunning.REMINDERS.c.id).where(dunning.REMINDERS.c.state == "approval"))])
        run.report.phone_tasks = len([r for r in conn.execute(select(
            dunning.REMINDERS.c.id).where(dunning.REMINDERS.c.state.in_(("task",
                                                                        "bounced"))))])
    for start in range(0, len(waiting), CHUNK):
        held = _claim_chunk(run, waiting[start:start + CHUNK])
        # the chunk's leases are renewed while its messages go out (a slow mail server)
        with Heartbeat(run.engine, [claim for _, claim in held], lease=run.lease,
                       clock=run.clock):
            for row, claim in held:
                _send_claimed(run, row, claim)


def _claim_chunk(run: _Sending, rows: list[dict[str, Any]]
                 ) -> list[tuple[dict[str, Any], claims.Claim]]:
    """Claim a chunk of reminders; one left ``sending`` by a run that died is settled first
    (:mod:`sync.work.outgoing`), never resent blindly. The reminders still to send, claimed."""
    held = []
    report = run.report
    with writing(run.engine) as conn:
        for row in rows:
            key = f"{row['company_code']}/{row['customer']}/{row['cycle']}/{row['level']}"
            claim = claims.take(conn, "reminder-send", key, run.owner, now=run.clock(),
                                lease=run.lease, dead_owners=True)
            if claim is None:
                continue
            state = dunning.reminder(conn, row["id"])["state"]
            if state not in ("pending", "failed", outgoing.MARK):
                claims.release(conn, claim, now=run.clock())  # another run sent it meanwhile
                continue
            if state == outgoing.MARK:
                settled = outgoing.settle(conn, REMINDERS, row["id"], run.home,
                                          entity="dunning_reminder", now=run.now)
                if settled != "resend":
                    claims.release(conn, claim, now=run.clock())
                    report.uncertain += settled == "uncertain"
                    if settled == "uncertain":
                        report.errors.append(held_text(row["id"], row["customer"]))
                    continue
            held.append((row, claim))
    return held


def _send_claimed(run: _Sending, row: dict[str, Any], claim: claims.Claim) -> None:
    """Mark one claimed reminder sending (committed), deliver it, record the outcome (claim
    confirmed)."""
    report = run.report
    try:
        state, detail, document, address = _deliver_one(run, row, claim)
    except claims.ClaimLost:
        log.warning("reminder %s: claim lost before sending; left to its new owner",
                    row["id"])
        return
    with writing(run.engine) as conn:
        try:
            claims.confirm(conn, claim, now=run.clock(), lease=run.lease)
        except claims.ClaimLost:
            log.warning("reminder %s: claim lost while sending; left to its new owner",
                        row["id"])
            return
        dunning.finish(conn, row["id"], state="sent" if state == "sent" else "failed",
                       now=run.now, recipient=address, document=document, detail=detail)
        if state == "bounced":
            dunning.bounced(conn, row["id"], reason=detail or "refused", now=run.now)
        claims.release(conn, claim, now=run.clock())
    report.sent += state == "sent" and row["channel"] == "email"
    report.letters += state == "sent" and row["channel"] == "letter"
    report.bounced += state == "bounced"
    report.failed += state == "failed"
    if state in ("failed", "bounced"):
        report.errors.append(f"reminder {row['id']} ({row['customer']}): {detail}")
    log.info("reminder %s level %s for %s: %s (%s)", row["id"], row["level"],
             row["customer"], state, mask_email(address) if address else "no address")


def held_text(reminder_id: int, customer: str) -> str:
    return (f"reminder {reminder_id} ({customer}) is uncertain (its run stopped after "
            "handing it to the mail server): check it arrived, else arbridge collections "
            f"resend {reminder_id}")


def _deliver_one(run: _Sending, row: dict[str, Any], claim: claims.Claim,
                 ) -> tuple[str, str | None, str | None, str | None]:
    """(state, detail, document, address) of one reminder's delivery; an e-mail is marked
    sending (committed) before it leaves."""
    engine, settings, home = run.engine, run.settings, run.home
    name, address = _contact(engine, settings, row["company_code"], row["customer"])
    amounts = [f"{money_text(a, c)} {c}" for c, a in dunning.amounts_of(row).items()]
    text = render_text(row["template"], name=name, customer=row["customer"], amounts=amounts,
                       items=[k.split("/")[1] for k in json.loads(row["items"])])
    stem = f"reminder-{row['company_code']}-{row['customer']}-c{row['cycle']}-l{row['level']}"
    try:
        if row["channel"] == "letter":
            target = home / "outbox" / "letters" / f"{stem}.pdf"
            write_letter(text, settings.letterhead, target, f"Reminder {row['customer']}")
            return "sent", None, str(target.relative_to(home)), None
        if not address:
            return "bounced", "no e-mail address in SAP or [collections] addresses", None, None
        channel = settings.channel.get_secret_value()
        message_id = reminder_message_id(row, settings.sender)  # a later bounce finds it
        msg = message(sender=settings.sender, to=address, subject=f"Overdue account "
                      f"{row['customer']}: reminder {row['level']}", body=text,
                      message_id=message_id)
        with writing(engine) as conn:  # committed before the mail leaves
            claims.confirm(conn, claim, now=run.clock(), lease=run.lease)
            outgoing.mark_sending(conn, REMINDERS, row["id"], claim, message_id=message_id,
                                  channel=channel, now=run.now,
                                  file=OUTBOX_FILE.format(stem) if channel == "outbox"
                                  else None)
        where = deliver(channel, home, msg, stem)
        return "sent", None, where, address
    except Bounced as bounce:
        return "bounced", str(bounce), None, address
    except claims.ClaimLost:
        raise
    except Exception as exc:  # noqa: BLE001 - any channel failure is kept for the next run
        return "failed", str(exc)[:500], None, address
