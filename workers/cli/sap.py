"""``arbridge sap …``: talk to SAP."""

from __future__ import annotations

import typer
from rich.table import Table

from config.settings import Settings, load_settings
from connectors.pull import PortalRules, PullResult, pull
from sap.factory import make_sap_client
from sync.store import open_store
from workers.cli.output import console, guarded, print_json, pull_progress

app = typer.Typer(help="Pull from SAP into the store.", no_args_is_help=True)


def run_pull(settings: Settings, *, full: bool, show_progress: bool) -> PullResult:
    """Ping SAP first (a wrong password changes nothing), then pull every entity."""
    client = make_sap_client(settings)
    try:
        client.ping()
        store = open_store(settings)
        rules = PortalRules(bindings=settings.portal_bindings,
                            groups=settings.portal_customer_groups)
        with pull_progress(show_progress) as progress:
            return pull(store, client, source=settings.sap.kind,
                        company_codes=settings.company_codes, full=full, rules=rules,
                        progress=progress)
    finally:
        client.close()


def summary_table(result: PullResult) -> Table:
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
        settings = load_settings()
        result = run_pull(settings, full=full, show_progress=not as_json)
        if as_json:
            print_json(result.as_dict())
        else:
            console.print(summary_table(result))
            if result.resumed:
                console.print(f"resumed interrupted pulls: {', '.join(result.resumed)}")

    guarded(action)
