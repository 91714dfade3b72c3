"""Running dramatiq workers: one process consumes chosen queues with N threads, serves its
metrics, and stops cleanly on SIGTERM (systemd) or Ctrl-C."""

from __future__ import annotations

import signal
import threading

import dramatiq

from workers import logs, metrics
from workers.broker import make_broker, queue_names, use_broker

WORKER_TIMEOUT_MS = 1000  # how often an idle worker thread looks at its queue again


def stop_on_signal() -> threading.Event:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def start_workers(broker: dramatiq.Broker, queues: list[str] | None, threads: int,
                  browser_threads: int) -> list[dramatiq.Worker]:
    """Workers for ``queues`` (kinds of work: ``sap``, ``browser``; all when None). Browser
    work gets its own worker with ``browser_threads`` (each thread drives a Chromium)."""
    names = queue_names()
    chosen = set(queues or names)
    unknown = chosen - set(names)
    if unknown:
        from config.errors import ConfigError

        raise ConfigError(f"--queues: unknown queue {', '.join(sorted(unknown))} "
                          f"(queues: {', '.join(names)})")
    started = []
    other = {names[q] for q in chosen if q != "browser"}
    if other:
        started.append(dramatiq.Worker(broker, queues=other, worker_threads=threads,
                                       worker_timeout=WORKER_TIMEOUT_MS))
    if "browser" in chosen:
        browser = dramatiq.Worker(broker, queues={names["browser"]},
                                  worker_threads=browser_threads,
                                  worker_timeout=WORKER_TIMEOUT_MS)
        # dramatiq prefetches twice as many messages as threads: a busy browser worker would
        # sit on a second portal run that an idle worker on another host could be doing
        browser.queue_prefetch = browser_threads
        started.append(browser)
    for worker in started:
        worker.start()
    return started


def run_worker(*, queues: list[str] | None, threads: int, browser_threads: int,
               metrics_port: int | None) -> None:
    logs.configure(verbose=True)
    broker = use_broker(make_broker())
    if metrics_port:
        from sync.work import claims

        claims.ON_TAKE_OVER.append(metrics.claim_taken_over)
        metrics.serve(metrics_port, broker, queue_names().values())
    stop = stop_on_signal()
    workers = start_workers(broker, queues, threads, browser_threads)
    logging_name = type(broker).__name__
    import logging

    logging.getLogger(__name__).info("worker running on %s: %s", logging_name,
                                     ", ".join(sorted(queues or queue_names())))
    stop.wait()
    for worker in workers:
        worker.stop()
