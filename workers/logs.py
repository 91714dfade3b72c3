"""Structured logs for the long-running processes (workers, scheduler, ``arbridge run``):
one JSON object per line when stderr is not a terminal (python-json-logger), readable lines
on a terminal. Each record carries the job, message and run it belongs to, and personal data
and secrets are masked in the message whatever the caller wrote."""

from __future__ import annotations

import contextvars
import logging
import sys
from typing import Any

from config.redaction import mask_text as mask

JOB: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("job", default=None)


class ContextFilter(logging.Filter):
    """Adds the current job's ids (``job``, ``actor``, ``message_id``, ``portal``…) and masks
    the rendered message."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in (JOB.get() or {}).items():
            if not hasattr(record, key):
                setattr(record, key, value)
        message = mask(record.getMessage())
        record.msg, record.args = message, None
        return True


def configure(verbose: bool = True, as_json: bool | None = None) -> None:
    """Log INFO (or WARNING) to stderr, as JSON unless stderr is a terminal."""
    if as_json is None:
        as_json = not sys.stderr.isatty()
    handler = logging.StreamHandler(sys.stderr)
    if as_json:
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}))
    else:
        handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger("pika").setLevel(logging.WARNING)  # connection chatter at INFO


def job_context(**ids: Any) -> contextvars.Token:
    return JOB.set({k: str(v) for k, v in ids.items() if v is not None})
