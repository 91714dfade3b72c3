"""A dramatiq middleware that writes every job run to the store and counts it in the metrics:
what ran, where, for how long, and how it ended — a job that used up its retries stays
visible as ``failed`` with its error (``arbridge jobs list``)."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import datetime, timezone
from typing import Any

import dramatiq
from dramatiq.middleware import Middleware

from config.settings import load_settings
from sync.store import Store, open_store
from sync.txn import writing
from sync.work import job_runs
from workers import logs, metrics

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(timezone.utc)


class JobRecorder(Middleware):
    """Runs after dramatiq's Retries middleware, so it knows whether a failure is final."""

    def __init__(self) -> None:
        self._stores: dict[str, Store] = {}
        self._lock = threading.Lock()
        self._runs: dict[str, tuple[Store, int, float]] = {}
        self.host = socket.gethostname()[:100]

    def _store(self, home: str | None) -> Store:
        settings = load_settings(home=home) if home else load_settings()
        with self._lock:
            store = self._stores.get(settings.db_url)
            if store is None:
                store = self._stores[settings.db_url] = open_store(settings)
            return store

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        metrics.job_started(message.actor_name)
        logs.job_context(job=message.actor_name, message_id=message.message_id,
                         portal=message.kwargs.get("portal"),
                         retries=message.options.get("retries", 0))
        try:
            store = self._store(message.kwargs.get("home"))
            with writing(store.engine) as conn:
                run_id = job_runs.start(
                    conn, message_id=message.message_id, actor=message.actor_name,
                    queue=message.queue_name, args={**message.kwargs},
                    retries=message.options.get("retries", 0), host=self.host,
                    pid=os.getpid(), now=_now())
            self._runs[message.message_id] = (store, run_id, time.monotonic())
        except Exception as error:  # noqa: BLE001 - recording must never stop the job
            log.warning("job %s not recorded: %s", message.message_id, error)

    def after_process_message(self, broker: dramatiq.Broker, message: Any, *,
                              result: Any = None, exception: BaseException | None = None
                              ) -> None:
        if exception is None:
            outcome = "done"
        elif message.failed:
            outcome = "failed"
        else:
            outcome = "retry"
        self._finish(message, outcome, None if exception is None else
                     f"{type(exception).__name__}: {exception}")

    def after_skip_message(self, broker: dramatiq.Broker, message: Any) -> None:
        self._finish(message, "skipped", None)

    def _finish(self, message: Any, outcome: str, error: str | None) -> None:
        logs.JOB.set(None)
        started = self._runs.pop(message.message_id, None)
        seconds = time.monotonic() - started[2] if started else 0.0
        metrics.job_finished(message.actor_name, outcome, seconds)
        if outcome == "failed":
            log.error("job %s (%s) failed for good: %s", message.actor_name,
                      message.message_id, error)
        if started is None:
            return
        store, run_id, _ = started
        try:
            with writing(store.engine) as conn:
                job_runs.finish(conn, run_id, outcome=outcome, now=_now(), error=error)
        except Exception as failure:  # noqa: BLE001 - recording must never stop the job
            log.warning("job %s outcome not recorded: %s", message.message_id, failure)
