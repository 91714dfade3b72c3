"""The record of job runs: one row per message processed, with outcome, duration and error.

Outcomes: ``running`` (no finish recorded: in progress, or its worker was killed — the broker
gives the message to another worker), ``done``, ``retry`` (failed, dramatiq tries again
later), ``failed`` (retries used up, or an error a person must fix: never lost, shown with
its error), ``skipped``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from sync.tables import inserted_id, table_of
from sync.work.models import JobRunRow

JOB_RUNS = table_of(JobRunRow)
ERROR_CHARS = 2000


def start(conn: Connection, *, message_id: str, actor: str, queue: str,
          args: dict[str, Any], retries: int, host: str, pid: int, now: datetime) -> int:
    result = conn.execute(insert(JOB_RUNS).values(
        message_id=message_id, actor=actor, queue=queue,
        args=json.dumps(args, sort_keys=True, default=str), retries=retries, host=host,
        pid=pid, started_at=now))
    return inserted_id(result)


def finish(conn: Connection, run_id: int, *, outcome: str, now: datetime,
           error: str | None = None) -> None:
    conn.execute(update(JOB_RUNS).where(JOB_RUNS.c.id == run_id).values(
        outcome=outcome, finished_at=now, error=(error or None) and error[:ERROR_CHARS]))


def recent(conn: Connection, *, limit: int = 50, outcome: str | None = None
           ) -> list[dict[str, Any]]:
    """The latest job runs, newest first, with their duration in seconds."""
    query = select(JOB_RUNS).order_by(JOB_RUNS.c.started_at.desc(), JOB_RUNS.c.id.desc())
    if outcome:
        query = query.where(JOB_RUNS.c.outcome == outcome)
    rows = []
    for row in conn.execute(query.limit(limit)):
        item = dict(row._mapping)
        item["args"] = json.loads(item["args"])
        item["outcome"] = item["outcome"] or "running"
        finished = item["finished_at"]
        item["seconds"] = (round((finished - item["started_at"]).total_seconds(), 3)
                           if finished else None)
        rows.append(item)
    return rows
