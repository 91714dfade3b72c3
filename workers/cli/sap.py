"""``arbridge sap …``: talk to SAP."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
    """Ping SAP first (a wrong password changes nothing), check the company codes against
    SAP (an unknown one changes nothing either), then pull every entity. The store must
    exist (``arbridge init``) unless ``create_store`` (the demo builds its own)."""
    from connectors.company_codes import check_company_codes
    from connectors.pull import PortalRules, pull
    from sap.factory import make_sap_client
    from sync.store import open_store, require_store

    if not create_store:  # a mistyped path: say so before seeding a simulator beside it
        require_store(settings)
    seed_simulator_on_first_use(settings, quiet=not show_progress)
    client = make_sap_client(settings)
    try:
        client.ping()
        check_company_codes(client, settings.company_codes)
        store = open_store(settings, create=create_store)
        rules = PortalRules(bindings=settings.portal_bindings,
                            groups=settings.portal_customer_groups)
        with pull_progress(show_progress) as progress:
            return pull(store, client, source=settings.sap.kind,
                        company_codes=settings.company_codes, full=full, rules=rules,
                        progress=progress)
    finally:
        client.close()


def seed_simulator_on_first_use(settings: Settings, *, quiet: bool) -> None:
    """The embedded SAP starts empty: seed it (once) before its first use, and say so."""
    if settings.sap.kind != "simulator":
        return
    from sap.simulator import SapSimulator
    from sync.locks import exclusive

    # two runs on a new home: one creates and seeds it, the other waits and finds it seeded
    with exclusive(settings.simulator_path, "the SAP simulator's first seeding"):
        simulator = SapSimulator(settings.simulator_path)
        if not simulator.is_seeded():
            _seed(settings, simulator, quiet=quiet)


def _seed(settings: Settings, simulator: Any, *, quiet: bool) -> None:
    sap = settings.sap
    err.print(f"seeding the embedded SAP simulator (first use): {sap.simulator_customers:,} "
              f"customers, {sap.simulator_billing_documents:,} billing documents")
    if quiet or not err.is_terminal:
        simulator.seed(customers=sap.simulator_customers,
                       documents=sap.simulator_billing_documents, seed=sap.simulator_seed)
        return
    from rich.progress import Progress

    with Progress(console=err) as progress:
        task = progress.add_task("seeding the SAP simulator",
                                 total=sap.simulator_billing_documents)
        simulator.seed(customers=sap.simulator_customers,
                       documents=sap.simulator_billing_documents, seed=sap.simulator_seed,
                       progress=lambda done: progress.update(task, completed=done))


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
