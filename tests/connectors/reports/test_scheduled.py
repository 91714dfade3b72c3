"""The debtors' book on the scheduler: the daily and monthly statements and the management
pack are cron jobs that only enqueue; run twice (a doubled tick, a retried job), each sends
once per customer, schedule and period — the pack once per month — on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timezone

from dramatiq.brokers.stub import StubBroker
from openpyxl import load_workbook
from sqlalchemy import select

from config.settings import DEFAULT_SCHEDULE
from connectors.reports.book import ledger_today
from connectors.reports.scheduled import mail_management_pack, scheduled_statements
from sync.reports.kpis import Month
from sync.reports.models import ReportMailingRow, StatementRow
from sync.tables import table_of
from workers import actors, schedule
from workers.broker import use_broker

NOW = datetime(2026, 12, 5, 19, tzinfo=timezone.utc)


def test_the_book_jobs_are_on_the_default_schedule_and_a_tick_only_enqueues():
    parsed = schedule.triggers(DEFAULT_SCHEDULE, timezone="UTC")
    assert {"statements-daily", "statements-monthly", "management-pack"} <= set(parsed)
    first = parsed["statements-monthly"].get_next_fire_time(None, NOW)
    assert (first.day, first.hour) == (1, 6)  # the 1st, for the month just ended
    broker = use_broker(StubBroker(), record=False)
    schedule.senders()["statements-monthly"]()
    message = broker.queues[actors.report_statements.queue_name].get_nowait()
    assert b"report_statements" in message and b'"monthly"' in message


def test_scheduled_monthly_statements_go_once_per_customer_and_month(pulled, settings):
    first = scheduled_statements(settings, "monthly", now=NOW)
    with pulled.engine.connect() as conn:
        today = ledger_today(conn)
        rows = conn.execute(select(table_of(StatementRow).c.period,
                                   table_of(StatementRow).c.state)).all()
    assert first.sent > 0
    outbox = list((settings.home / "outbox" / "statements").glob("*.eml"))
    assert len(outbox) == first.sent
    assert {period for period, _ in rows} == {first.period} == {
        str(Month(today.year, today.month).previous())}
    again = scheduled_statements(settings, "monthly", now=NOW)
    assert again.sent == 0 and again.already_sent == first.sent
    assert len(list((settings.home / "outbox" / "statements").glob("*.eml"))) == first.sent


def test_the_management_pack_is_mailed_once_per_month(pulled, settings):
    nobody = mail_management_pack(settings, now=NOW)
    assert nobody.state == "no_recipients"
    chosen = settings.model_copy(update={"reports": settings.reports.model_copy(
        update={"pack_to": ["cfo@supplier.example", "ar@supplier.example"]})})
    sent = mail_management_pack(chosen, now=NOW)
    assert sent.state == "sent"
    mails = sorted((settings.home / "outbox" / "reports").glob("*.eml"))
    assert len(mails) == 2
    assert "To: cfo@supplier.example" in mails[0].read_text()
    workbook = load_workbook(settings.home / sent.file)
    assert workbook.sheetnames and (settings.home / sent.file).stat().st_mode & 0o077 == 0
    again = mail_management_pack(chosen, now=NOW)
    assert again.state == "already_sent"
    assert len(list((settings.home / "outbox" / "reports").glob("*.eml"))) == 2
    with pulled.engine.connect() as conn:
        rows = conn.execute(select(table_of(ReportMailingRow).c.period,
                                   table_of(ReportMailingRow).c.state)).all()
    assert rows == [(sent.month, "sent")]


def test_jobs_send_knows_every_scheduled_job():
    from workers.cli.jobs import JOBS

    assert set(JOBS) == set(schedule.senders())
    assert {"statements-daily", "statements-monthly", "management-pack"} <= set(JOBS)
