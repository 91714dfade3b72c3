"""``arbridge jobs list``: recent job runs with outcome and duration (failed ones with the
error), from the store."""

from __future__ import annotations

import typer

from workers.cli.output import checked_settings, choice, guarded, print_json, print_rows

OUTCOMES = ("running", "done", "retry", "failed", "skipped")


def list_command(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    limit: int = typer.Option(50, help="How many of the latest runs."),
    outcome: str = typer.Option(None, help="Only: running, done, retry, failed, skipped."),
) -> None:
    """Recent job runs: what ran, where, how long, how it ended."""
    def action() -> None:
        from sync.local_time import people_time
        from sync.store import open_store
        from sync.work import job_runs

        choice("--outcome", outcome, OUTCOMES)
        settings = checked_settings()
        zone = settings.time_zone
        store = open_store(settings)
        with store.engine.connect() as conn:
            runs = job_runs.recent(conn, limit=limit,
                                   outcome=None if outcome == "running" else outcome)
        if outcome == "running":
            runs = [r for r in runs if r["outcome"] == "running"]
        if as_json:
            print_json(runs)
            return
        print_rows(("started", "job", "outcome", "seconds", "retries", "host/pid", "error"),
                   ([people_time(run["started_at"], zone), run["actor"], run["outcome"],
                     "" if run["seconds"] is None else f"{run['seconds']:.1f}",
                     run["retries"], f"{run['host']}/{run['pid']}", run["error"] or ""]
                    for run in runs),
                   title=f"job runs (latest {limit})", wrap=("error",))

    guarded(action)
