"""``arbridge jobs list``: recent job runs with outcome and duration (failed ones with the
error), from the store."""

from __future__ import annotations

import typer

from workers.cli.output import checked_settings, guarded, out, print_json


def list_command(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    limit: int = typer.Option(50, help="How many of the latest runs."),
    outcome: str = typer.Option(None, help="Only: running, done, retry, failed, skipped."),
) -> None:
    """Recent job runs: what ran, where, how long, how it ended."""
    def action() -> None:
        from rich.table import Table

        from sync.work import job_runs
        from sync.store import open_store

        store = open_store(checked_settings())
        with store.engine.connect() as conn:
            runs = job_runs.recent(conn, limit=limit,
                                   outcome=None if outcome == "running" else outcome)
        if outcome == "running":
            runs = [r for r in runs if r["outcome"] == "running"]
        if as_json:
            print_json(runs)
            return
        table = Table(title=f"job runs (latest {limit})")
        for column in ("started", "job", "outcome", "seconds", "retries", "host/pid", "error"):
            table.add_column(column, overflow="fold")
        for run in runs:
            table.add_row(run["started_at"].strftime("%Y-%m-%d %H:%M:%S"), run["actor"],
                          run["outcome"], "" if run["seconds"] is None else f"{run['seconds']:.1f}",
                          str(run["retries"]), f"{run['host']}/{run['pid']}",
                          (run["error"] or "")[:200])
        out.print(table)

    guarded(action)
