"""``arbridge sap …``: talk to SAP (the pull run itself is ``connectors.pull_run``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from workers.cli.output import (
    checked_settings,
    err,
    guarded,
    out,
    print_json,
    pull_progress,
    reported_here,
)

if TYPE_CHECKING:
    from rich.table import Table

    from config.settings import Settings
    from connectors.pull import PullResult

app = typer.Typer(help="Pull from SAP into the store.", no_args_is_help=True)


def run_pull(settings: Settings, *, full: bool, show_progress: bool,
             create_store: bool = False) -> PullResult:
    """The pull run (``connectors.pull_run``) with the command line's displays: the seeding
    notice and bar, and a live progress line per entity unless ``show_progress`` is off."""
    from connectors.pull_run import run_pull as pull_run

    return pull_run(settings, full=full, create_store=create_store,
                    seed=lambda s: seed_simulator_on_first_use(s, quiet=not show_progress),
                    progress=lambda: pull_progress(show_progress))


def seed_simulator_on_first_use(settings: Settings, *, quiet: bool) -> None:
    """The embedded SAP starts empty: seed it (once) before its first use, and say so."""
    from connectors.pull_run import seed_simulator, seeding_notice, simulator_needs_seed

    if not simulator_needs_seed(settings):
        return
    sap = settings.sap
    err.print(seeding_notice(settings))
    if quiet or not err.is_terminal:
        seed_simulator(settings)
        return
    from rich.progress import Progress

    with Progress(console=err) as progress:
        task = progress.add_task("seeding the SAP simulator",
                                 total=sap.simulator_billing_documents)
        seed_simulator(settings, progress=lambda done: progress.update(task, completed=done))


def summary_table(result: PullResult) -> Table:
    from rich.table import Table

    table = Table(title=f"SAP pull ({result.seconds:.1f}s)")
    for column in ("entity", "read", "new", "changed", "unchanged", "removed"):
        table.add_column(column, justify="left" if column == "entity" else "right")
    for name, counts in result.counts.items():
        table.add_row(name.replace("_", " "), f"{counts.fetched:,}", f"{counts.inserted:,}",
                      f"{counts.updated:,}", f"{counts.unchanged:,}", f"{counts.deleted:,}")
    return table


@app.command("pull")
def pull_command(
    full: bool = typer.Option(False, "--full", help="Re-read everything, not just changes."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Pull customers, billing documents and open items changed since the last pull."""
    def action() -> None:
        reported_here()
        result = run_pull(checked_settings(), full=full, show_progress=not as_json)
        if as_json:
            print_json(result.as_dict())
            return
        out.print(summary_table(result))
        if result.resumed:
            out.print(f"resumed interrupted pulls: {', '.join(result.resumed)}")

    guarded(action)
