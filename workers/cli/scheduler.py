"""``arbridge scheduler`` (only enqueues, run it once per installation) and ``arbridge run``
(the embedded all-in-one for a small office: scheduler and workers in one process, on the
in-process stub broker and the configured store, SQLite by default)."""

from __future__ import annotations

import logging

import typer

from workers.cli.output import guarded

log = logging.getLogger(__name__)


def scheduler_command() -> None:
    """Enqueue the jobs on their cron schedule (setting: schedule) until stopped."""
    def action() -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        from config.settings import load_settings
        from workers import logs, schedule
        from workers.broker import make_broker, use_broker
        from workers.cli.worker import stop_on_signal

        logs.configure(verbose=True)
        settings = load_settings()
        use_broker(make_broker(), record=False)
        scheduler = BackgroundScheduler()
        jobs = schedule.install(scheduler, settings.schedule)
        stop = stop_on_signal()
        scheduler.start()
        for job in scheduler.get_jobs():
            log.info("scheduled %s: next at %s", job.id, job.next_run_time.isoformat())
        if not jobs:
            log.warning("nothing is scheduled (setting schedule is empty)")
        stop.wait()
        scheduler.shutdown(wait=False)

    guarded(action)


def start_admin(settings):  # type: ignore[no-untyped-def]
    """The admin web app in a thread of ``arbridge run`` (``stop()`` ends it)."""
    from admin.app import create_app
    from workers.web_server import AdminServer

    server = AdminServer(create_app(settings), host=settings.admin.host,
                         port=settings.admin.port,
                         forwarded_allow_ips=settings.admin.forwarded_allow_ips).start()
    log.info("admin app on %s/", server.url)
    return server


def run_command(
    once: bool = typer.Option(False, "--once", help="One cycle now (pull, then uploads), "
                                                    "then exit when it is done."),
    threads: int = typer.Option(1, help="Threads for SAP work."),
    browser_threads: int = typer.Option(1, help="Threads for portal (browser) work."),
    admin: bool = typer.Option(True, "--admin/--no-admin",
                               help="Serve the admin web app too (setting admin.host/port)."),
) -> None:
    """Scheduler, workers and the admin web app in one process on the in-process broker: a
    single small office."""
    def action() -> None:
        from apscheduler.schedulers.background import BackgroundScheduler
        from dramatiq.brokers.stub import StubBroker

        from config.settings import load_settings
        from sync.store import start_up
        from workers import actors, logs, schedule
        from workers.broker import queue_names, use_broker
        from workers.cli.worker import start_workers, stop_on_signal

        logs.configure(verbose=True)
        settings = load_settings()
        start_up(settings)  # the store must exist (arbridge init): a mistyped path stops here
        broker = use_broker(StubBroker())
        workers = start_workers(broker, None, threads, browser_threads)
        try:
            if once:  # no retries: a failure is reported now (the job record keeps it)
                actors.sap_pull.send_with_options(max_retries=0)
                broker.join(queue_names()["sap"], fail_fast=False)
                actors.portal_upload.send_with_options(max_retries=0)
                broker.join(queue_names()["browser"], fail_fast=False)
                if broker.dead_letters:
                    failed = ", ".join(m.actor_name for m in broker.dead_letters)
                    log.error("failed: %s (arbridge jobs list shows why)", failed)
                    raise typer.Exit(1)
                return
            scheduler = BackgroundScheduler()
            schedule.install(scheduler, settings.schedule)
            stop = stop_on_signal()
            if admin:
                workers.append(start_admin(settings))  # stopped with the workers
            scheduler.start()
            log.info("arbridge running: %s", ", ".join(
                f"{j.id} next at {j.next_run_time:%Y-%m-%d %H:%M}" for j in scheduler.get_jobs()))
            stop.wait()
            scheduler.shutdown(wait=False)
        finally:
            for worker in workers:
                worker.stop()

    guarded(action)
