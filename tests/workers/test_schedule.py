"""The scheduler: cron expressions from settings, enqueue only, bad entries named."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from dramatiq.brokers.stub import StubBroker

from config.errors import ConfigError
from config.settings import DEFAULT_SCHEDULE
from workers import actors, schedule
from workers.broker import use_broker

FRIDAY_EVENING = datetime(2026, 11, 27, 23, 50, tzinfo=timezone.utc)


def test_the_default_pull_runs_every_quarter_hour_on_working_days_only():
    trigger = schedule.triggers(DEFAULT_SCHEDULE, timezone="UTC")["sap-pull"]
    after_friday = trigger.get_next_fire_time(None, FRIDAY_EVENING)
    assert after_friday == datetime(2026, 11, 30, 0, 0, tzinfo=timezone.utc)  # Monday
    monday = trigger.get_next_fire_time(None, datetime(2026, 11, 30, 9, 1, tzinfo=timezone.utc))
    assert monday == datetime(2026, 11, 30, 9, 15, tzinfo=timezone.utc)


def test_a_bad_cron_expression_is_a_configuration_error_naming_the_job():
    with pytest.raises(ConfigError, match="portal-upload = '61 \\* \\* \\* \\*'"):
        schedule.triggers({"portal-upload": "61 * * * *"})


def test_an_empty_expression_switches_a_job_off():
    assert set(schedule.triggers({"sap-pull": "", "portal-upload": "5 * * * *"})) == {
        "portal-upload"}


def test_a_tick_only_enqueues_and_doubled_ticks_coalesce():
    broker = use_broker(StubBroker(), record=False)
    scheduler = BackgroundScheduler(timezone="UTC")
    assert sorted(schedule.install(scheduler, {"sap-pull": "*/15 * * * *",
                                               "portal-upload": "5 * * * *"})) == [
        "portal-upload", "sap-pull"]
    job = scheduler.get_job("portal-upload")
    assert job.coalesce and job.max_instances == 1
    job.func(*job.args)
    queue = broker.queues[actors.portal_upload.queue_name]
    assert queue.qsize() == 1  # enqueued, not run
    message = queue.get_nowait()
    assert b"portal_upload" in message


def test_the_daily_collections_run_is_scheduled_and_a_second_tick_sends_nothing_twice(
        settings, store, monkeypatch):  # type: ignore[no-untyped-def]
    """The scheduler's tick enqueues the run; a worker runs it for SAP's today, once: the
    reminders are recorded and written to the outbox; the next tick the same day finds them
    sent and adds none."""
    import dramatiq
    from sqlalchemy import func, select

    from sync.collections.dunning import REMINDERS
    from tests.sync.collections.collections_book import Book

    monkeypatch.setenv("ARBRIDGE_HOME", str(settings.home))  # what the worker process reads
    if settings.database_url:
        monkeypatch.setenv("ARBRIDGE_DATABASE_URL", settings.database_url)
    book = Book(store.engine)
    for n in range(3):
        book.item(book.customer(f"00004000{n:02d}"), "1500.00", 10 + n)
    broker = use_broker(StubBroker(), record=False)
    scheduler = BackgroundScheduler(timezone="UTC")
    schedule.install(scheduler, {"collections-run": DEFAULT_SCHEDULE["collections-run"]})
    job = scheduler.get_job("collections-run")
    worker = dramatiq.Worker(broker, worker_timeout=100)
    worker.start()
    try:
        for _ in range(2):
            job.func(*job.args)
            broker.join(actors.collections_run.queue_name, fail_fast=True)
            worker.join()
            with store.engine.connect() as conn:
                states = dict(conn.execute(select(REMINDERS.c.state, func.count()).group_by(
                    REMINDERS.c.state)).all())
            assert states == {"sent": 3}
    finally:
        worker.stop()
    assert len(list((settings.home / "outbox").rglob("*.eml"))) == 3


def test_the_collections_run_is_scheduled_on_working_day_mornings():
    trigger = schedule.triggers(DEFAULT_SCHEDULE, timezone="UTC")["collections-run"]
    assert trigger.get_next_fire_time(None, FRIDAY_EVENING) == datetime(
        2026, 11, 30, 6, 30, tzinfo=timezone.utc)
