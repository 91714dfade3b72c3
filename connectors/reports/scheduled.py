"""The debtors' book on the scheduler: the daily and monthly customer statements, and the
management pack e-mailed each month. Each is exactly once per period however often it runs
(two schedulers, a retried job): statements are recorded and claimed per customer, schedule
and period (:mod:`connectors.reports.statement_run`); the pack is recorded per month in
``report_mailing`` and claimed before it is built and sent.

Which period a run serves follows from the ledger's today (:func:`ledger_today`): the daily
statements are as at today; the monthly ones and the pack are for the month before (run on
the 1st, they close the month just ended).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, insert, select, update

from config.redaction import mask_email
from connectors.reports.book import ledger_today
from connectors.reports.statement_run import StatementReport, run_statements
from sync.files import private_dir, write_private
from sync.reports.kpis import Month
from sync.reports.models import ReportMailingRow
from sync.reports.statements import Schedule
from sync.tables import inserted_id, table_of
from sync.txn import writing
from sync.work import claims
from sync.work.heartbeat import Heartbeat

if TYPE_CHECKING:
    from config.settings import Settings

log = logging.getLogger(__name__)
MAILINGS = table_of(ReportMailingRow)
PACK = "management-pack"
LEASE = timedelta(minutes=15)


def statement_day(schedule: Schedule, today: date) -> date:
    """The key date of a scheduled run: today for the daily statements, the last day of the
    month before for the monthly ones."""
    return today if schedule == "daily" else Month(today.year, today.month).previous().last


def scheduled_statements(settings: Settings, schedule: Schedule, *,
                         now: datetime) -> StatementReport:
    from sync.store import open_store

    store = open_store(settings)
    with store.engine.connect() as conn:
        as_of = statement_day(schedule, ledger_today(conn))
    return run_statements(store.engine, settings.reports.statements, settings.home,
                          schedule=schedule, as_of=as_of, now=now, send=True,
                          edges=tuple(settings.reports.ageing_edges))


@dataclass
class PackMailing:
    month: str
    state: str  # sent, already_sent, held_by_another_run, no_recipients, failed
    file: str | None = None
    detail: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"month": self.month, "state": self.state, "file": self.file,
                "detail": self.detail}


def mail_management_pack(settings: Settings, *, now: datetime, month: Month | None = None,
                         owner: claims.Owner | None = None,
                         lease: timedelta = LEASE) -> PackMailing:
    """Build the management pack for ``month`` (default: the month before the ledger's
    today), write the workbook owner-only under ``<home>/reports/`` and e-mail it to
    ``reports.pack_to`` — once per month."""
    from sync.store import open_store

    reports = settings.reports
    store = open_store(settings)
    engine = store.engine
    if month is None:
        with engine.connect() as conn:
            today = ledger_today(conn)
        month = Month(today.year, today.month).previous()
    period = str(month)
    if not reports.pack_to:
        log.info("management pack %s: no recipients (reports.pack_to); nothing sent", period)
        return PackMailing(period, "no_recipients")
    owner = owner or claims.Owner.here()
    clock = claims.clock_from(now)  # times the claim; ``now`` stamps the record
    with writing(engine) as conn:
        row_id, state = _record(conn, period, now)
        if state == "sent":
            return PackMailing(period, "already_sent")
        claim = claims.take(conn, "report-mailing", f"{PACK}/{period}", owner, now=clock(),
                            lease=lease)
    if claim is None:
        return PackMailing(period, "held_by_another_run")
    target = settings.home / "reports" / f"management-{period}.xlsx"
    try:  # the lease is renewed while the pack is built and mailed (a slow mail server)
        with Heartbeat(engine, [claim], lease=lease, clock=clock):
            _write_pack(engine, settings, month, target)
            for n, address in enumerate(reports.pack_to, start=1):
                _deliver(reports.pack_channel.get_secret_value(), settings.home, address,
                         target, f"{period}-{n}")
        outcome, detail = "sent", None
    except Exception as exc:  # noqa: BLE001 - kept failed; the next run sends it
        outcome, detail = "failed", str(exc)[:500]
    with writing(engine) as conn:
        claims.confirm(conn, claim, now=clock(), lease=lease)
        values: dict[str, Any] = {"state": outcome, "detail": detail,
                                  "recipients": ", ".join(reports.pack_to),
                                  "file": str(target.relative_to(settings.home))}
        if outcome == "sent":
            values["sent_at"] = now
        conn.execute(update(MAILINGS).where(MAILINGS.c.id == row_id).values(**values))
        claims.release(conn, claim, now=clock())
    log.info("management pack %s: %s to %s", period, outcome,
             ", ".join(mask_email(a) for a in reports.pack_to))
    return PackMailing(period, outcome, values["file"], detail)


def _record(conn: Any, period: str, now: datetime) -> tuple[int, str]:
    row = conn.execute(select(MAILINGS.c.id, MAILINGS.c.state).where(
        MAILINGS.c.kind == PACK, MAILINGS.c.period == period)).first()
    if row is not None:
        return int(row[0]), str(row[1])
    return inserted_id(conn.execute(insert(MAILINGS).values(
        kind=PACK, period=period, state="pending", created_at=now))), "pending"


def _write_pack(engine: Engine, settings: Settings, month: Month, target: Path) -> None:
    from connectors.reports.management_xlsx import write_pack
    from sync.reports.ageing_store import ageing
    from sync.reports.pack import management_pack

    edges = tuple(settings.reports.ageing_edges)
    with engine.connect() as conn:
        pack = management_pack(conn, month, currency=settings.reports.currency,
                               targets=settings.reports.kpi_targets, edges=edges)
        book = ageing(conn, month.last, edges=edges)
    private_dir(target.parent)
    write_pack(pack, book, target)
    target.chmod(0o600)


def _deliver(channel: str, home: Path, address: str, workbook: Path, name: str) -> None:
    period = name.rsplit("-", 1)[0]
    subject = f"Management pack {period}"
    body = f"The debtors' management pack for {period} is attached.\n"
    if channel == "outbox":
        message = EmailMessage()
        message["To"] = address
        message["Subject"] = subject
        message.set_content(body)
        message.add_attachment(workbook.read_bytes(), maintype="application",
                               subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               filename=workbook.name)
        folder = private_dir(home / "outbox" / "reports")
        write_private(folder / f"{PACK}-{name}.eml", bytes(message))
        return
    import apprise

    sender = apprise.Apprise()
    if not sender.add(channel + ("&" if "?" in channel else "?") + f"to={address}"):
        raise ValueError("reports.pack_channel is not a usable Apprise e-mail URL")
    if not sender.notify(title=subject, body=body, attach=str(workbook)):
        raise RuntimeError(f"the e-mail server did not take the pack for "
                           f"{mask_email(address)}")
