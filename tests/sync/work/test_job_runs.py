"""The record of job runs on SQLite and PostgreSQL: newest first, with duration and error."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sync.txn import writing
from sync.work import job_runs

T0 = datetime(2026, 11, 25, 6, 0, tzinfo=timezone.utc)


def test_runs_are_listed_newest_first_with_outcome_duration_and_error(store):
    with writing(store.engine) as conn:
        first = job_runs.start(conn, message_id="m1", actor="sap_pull", queue="sap",
                               args={"full": False}, retries=0, host="h", pid=1, now=T0)
        job_runs.finish(conn, first, outcome="done", now=T0 + timedelta(seconds=12))
        second = job_runs.start(conn, message_id="m2", actor="portal_upload", queue="browser",
                                args={}, retries=5, host="h", pid=2,
                                now=T0 + timedelta(minutes=1))
        job_runs.finish(conn, second, outcome="failed", now=T0 + timedelta(minutes=2),
                        error="PortalUnavailable: portal demo-coupa unreachable")
        job_runs.start(conn, message_id="m3", actor="sap_pull", queue="sap", args={},
                       retries=0, host="h", pid=3, now=T0 + timedelta(minutes=3))
    with store.engine.connect() as conn:
        runs = job_runs.recent(conn)
        failed = job_runs.recent(conn, outcome="failed")
    assert [(r["message_id"], r["outcome"], r["seconds"]) for r in runs] == [
        ("m3", "running", None), ("m2", "failed", 60.0), ("m1", "done", 12.0)]
    assert runs[2]["args"] == {"full": False}
    assert [r["error"] for r in failed] == ["PortalUnavailable: portal demo-coupa unreachable"]
