"""``arbridge jobs …``: run the jobs through dramatiq (a worker, the schedule, one-off sends).

The default broker, ``stub``, lives inside one process: a job sent to it from the command line
goes nowhere, so ``send``, ``schedule`` and ``worker`` refuse it and say what to do instead.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import TYPE_CHECKING

import typer

from workers.cli.output import guarded, out

if TYPE_CHECKING:
    import dramatiq

app = typer.Typer(help="Background jobs (dramatiq; ARBRIDGE_BROKER_URL).", no_args_is_help=True)
# the jobs ``send`` puts on the queue: the schedule's (workers.schedule.senders, which a
# test keeps equal to this; that module loads APScheduler, too slow for every command's start)
JOBS = ("sap-pull", "portal-upload", "statements-daily", "statements-monthly",
        "management-pack", "collections-run")
BROKER_TIMEOUT_ENV = "ARBRIDGE_BROKER_TIMEOUT_SECONDS"
DEFAULT_BROKER_TIMEOUT_S = 5.0


def _stop_on_signal() -> threading.Event:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def broker_url() -> str:
    from workers.broker import BROKER_ENV

    return os.environ.get(BROKER_ENV, "stub").strip() or "stub"


def broker_timeout() -> float:
    from config.errors import ConfigError

    text = os.environ.get(BROKER_TIMEOUT_ENV, "")
    try:
        value = float(text) if text else DEFAULT_BROKER_TIMEOUT_S
    except ValueError:
        raise ConfigError(f"{BROKER_TIMEOUT_ENV} must be a number of seconds, not {text!r}") \
            from None
    if value <= 0:
        raise ConfigError(f"{BROKER_TIMEOUT_ENV} must be more than 0 seconds")
    return value


def check_broker(what: str) -> str:
    """The broker URL, if it is one another process can reach: the stub broker is refused
    (exit 2), and a broker that does not answer within ``ARBRIDGE_BROKER_TIMEOUT_SECONDS`` is
    unreachable (exit 3)."""
    from config.errors import ConfigError, RetriableError
    from config.settings import redact_url
    from workers.broker import BROKER_ENV
    from workers.cli.reach import unreachable

    url = broker_url()
    if url == "stub":
        raise ConfigError(f"{BROKER_ENV} is 'stub' (in-process): {what} would go nowhere; set "
                          f"{BROKER_ENV}=redis://… or amqp://…, or run the job directly "
                          "(arbridge sap pull, arbridge portals upload, arbridge run)")
    if not url.startswith(("redis://", "rediss://", "unix://", "amqp://", "amqps://")):
        raise ConfigError(f"{BROKER_ENV} must be 'stub', a redis:// or an amqp:// URL")
    why = unreachable(url, broker_timeout())
    if why:
        raise RetriableError(f"broker at {redact_url(url)} not reachable: {why}")
    return url


def real_broker(what: str) -> dramatiq.Broker:
    """The configured broker, checked (:func:`check_broker`), logged on to and made global."""
    from config.settings import redact_url
    from workers.broker import make_broker, use_broker

    url = check_broker(what)
    broker = make_broker(url)
    _log_on(broker, redact_url(url))
    return use_broker(broker)


def _log_on(broker: dramatiq.Broker, shown: str) -> None:
    """Open the broker's connection now, so refused credentials are one line naming the
    setting (exit 2) rather than a client library's log and traceback."""
    import logging

    from config.errors import ConfigError, RetriableError
    from workers.broker import BROKER_ENV

    logging.getLogger("pika").setLevel(logging.CRITICAL)  # its own account of the same error
    try:
        client = getattr(broker, "client", None)
        if client is not None:
            client.ping()  # Redis
        else:
            broker.connection  # noqa: B018 - RabbitMQ: opens the AMQP connection
    except Exception as error:  # noqa: BLE001 - classified below
        text = f"{type(error).__name__}: {error}"
        if any(word in text for word in ("ACCESS_REFUSED", "Authentication", "NOAUTH",
                                         "WRONGPASS", "invalid username-password")):
            raise ConfigError(f"broker at {shown} refused the logon; check the user and "
                              f"password in {BROKER_ENV}") from None
        raise RetriableError(f"broker at {shown} not reachable: "
                             f"{text.splitlines()[0][:200]}") from None


@app.command("worker")
def worker_command(
    threads: int = typer.Option(2, help="Worker threads for non-browser queues."),
    queues: list[str] = typer.Option(None, "--queues", "-q",
                                     help="Kinds of work to consume: sap, browser (all)."),
    browser_threads: int = typer.Option(1, help="Threads on the browser queue (a Chromium "
                                                "each)."),
    metrics_port: int = typer.Option(None, help="Serve Prometheus metrics on this port."),
) -> None:
    """Consume jobs from the broker until stopped (Ctrl-C or SIGTERM)."""
    from workers.cli.output import checked_settings
    from workers.cli.worker import run_worker

    def action() -> None:
        from sync.store import start_up

        settings = checked_settings()  # the jobs read the same settings: wrong ones fail here
        check_broker("a worker would never receive a job")
        start_up(settings)  # owner-only home, and the store exists (arbridge init)
        run_worker(queues=queues or None, threads=threads, browser_threads=browser_threads,
                   metrics_port=metrics_port)

    guarded(action)


@app.command("send")
def send_command(job: str = typer.Argument(..., help=f"One of: {', '.join(JOBS)}.")) -> None:
    """Put one job on the broker's queue."""
    def action() -> None:
        from config.errors import ConfigError

        if job not in JOBS:
            raise ConfigError(f"no job {job!r}; jobs: {', '.join(JOBS)}")
        real_broker(f"the {job} job")
        from workers.schedule import senders

        message = senders()[job]()
        out.print(f"sent {job} ({message.message_id})")

    guarded(action)


@app.command("schedule")
def schedule_command(
    every_minutes: int = typer.Option(15, min=1, help="Minutes between sync cycles."),
) -> None:
    """Every N minutes, send a SAP pull followed by a portal upload (a pipeline)."""
    def action() -> None:
        import dramatiq

        real_broker("scheduled jobs")
        from workers import actors

        stop = _stop_on_signal()
        while not stop.is_set():
            pipe = dramatiq.pipeline([actors.sap_pull.message_with_options(pipe_ignore=True),
                                      actors.portal_upload.message_with_options(
                                          pipe_ignore=True)])
            pipe.run()
            out.print(f"{time.strftime('%H:%M')} sent a sync cycle")
            stop.wait(every_minutes * 60)

    guarded(action)
