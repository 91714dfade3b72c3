"""``arbridge jobs …``: run the jobs through dramatiq (a worker, the schedule, one-off sends)."""

from __future__ import annotations

import signal
import threading
import time

import dramatiq
import typer

from workers.broker import make_broker, use_broker
from workers.cli.output import console, guarded

app = typer.Typer(help="Background jobs (dramatiq; ARBRIDGE_BROKER_URL).", no_args_is_help=True)
JOBS = {"sap-pull": "sap_pull", "portal-upload": "portal_upload"}


def _stop_on_signal() -> threading.Event:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    return stop


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
    from workers.cli.worker import run_worker

    guarded(lambda: run_worker(queues=queues or None, threads=threads,
                               browser_threads=browser_threads, metrics_port=metrics_port))


@app.command("send")
def send_command(job: str = typer.Argument(..., help=f"One of: {', '.join(JOBS)}.")) -> None:
    """Put one job on the broker's queue."""
    def action() -> None:
        if job not in JOBS:
            raise typer.BadParameter(f"job must be one of {', '.join(JOBS)}")
        use_broker(make_broker())
        from workers import actors

        message = getattr(actors, JOBS[job]).send()
        console.print(f"sent {job} ({message.message_id})")

    guarded(action)


@app.command("schedule")
def schedule_command(
    every_minutes: int = typer.Option(15, help="Minutes between sync cycles."),
) -> None:
    """Every N minutes, send a SAP pull followed by a portal upload (a pipeline)."""
    def action() -> None:
        use_broker(make_broker())
        from workers import actors

        stop = _stop_on_signal()
        while not stop.is_set():
            pipe = dramatiq.pipeline([actors.sap_pull.message_with_options(pipe_ignore=True),
                                      actors.portal_upload.message_with_options(
                                          pipe_ignore=True)])
            pipe.run()
            console.print(f"{time.strftime('%H:%M')} sent a sync cycle")
            stop.wait(every_minutes * 60)

    guarded(action)
