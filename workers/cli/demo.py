"""``arbridge demo``: the main job on the embedded defaults (simulator + SQLite).

Seeds the SAP simulator once, then runs a sync cycle. ``--json`` prints one object with a
section per capability; the section names are a contract that scripts read.
"""

from __future__ import annotations

import typer
from rich.progress import Progress

from config.settings import load_settings
from sap.simulator import SapSimulator
from sync.store import open_store
from workers.cli.output import console, guarded, print_json
from workers.cli.sap import run_pull, summary_table


def demo_command(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per capability."),
) -> None:
    """Run a full sync cycle against the embedded SAP simulator."""
    def action() -> None:
        settings = load_settings()
        if settings.sap.kind == "simulator":
            simulator = SapSimulator(settings.simulator_path)
            if not simulator.is_seeded():
                _seed(simulator, settings.sap, quiet=as_json)
        result = run_pull(settings, full=False, show_progress=not as_json)
        counts = open_store(settings).counts()
        if as_json:
            print_json({"sap": counts})
            return
        console.print(summary_table(result))
        console.print(f"store now holds {counts['customers']:,} customers, "
                      f"{counts['billing_documents']:,} billing documents and "
                      f"{counts['open_items']:,} open items ({settings.home.resolve()})",
                      highlight=False)

    guarded(action)


def _seed(simulator: SapSimulator, sap, quiet: bool) -> None:  # type: ignore[no-untyped-def]
    total = sap.simulator_billing_documents
    if quiet or not console.is_terminal:
        simulator.seed(customers=sap.simulator_customers, documents=total,
                       seed=sap.simulator_seed)
        return
    with Progress(console=console) as progress:
        task = progress.add_task("seeding the SAP simulator", total=total)
        simulator.seed(customers=sap.simulator_customers, documents=total,
                       seed=sap.simulator_seed,
                       progress=lambda done: progress.update(task, completed=done))
