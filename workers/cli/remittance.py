"""``arbridge remittance …``: import the payers' remittance advices."""

from __future__ import annotations

from pathlib import Path

import typer

from config.errors import ConfigError
from workers.cli.output import console, guarded, load_settings, print_json

app = typer.Typer(help="Remittance advices.", no_args_is_help=True)


@app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="CSV or Excel (with a column profile), ISO 20022 "
                                "remt.001, or a camt.054 notification."),
    profile: str = typer.Option(None, "--profile", help="Column profile name from "
                                "[cash.remittance_profiles] (default: Payer, Payment "
                                "reference, Date, Invoice, Paid, Deduction, Reason)."),
    as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON."),
) -> None:
    """Import remittance advices; the same advice twice adds nothing."""
    def action() -> None:
        from connectors.remittance.importer import import_advices
        from sync.store import open_store

        settings = load_settings()
        chosen = None
        if profile:
            chosen = settings.cash.remittance_profiles.get(profile)
            if chosen is None:
                raise ConfigError(f"no remittance profile {profile!r}: add it under "
                                  "[cash.remittance_profiles] in arbridge.toml")
        result = import_advices(open_store(settings), file, profile=chosen)
        if as_json:
            print_json(result.as_json())
            return
        console.print(f"{file.name}: {result.advices} advice(s), {result.lines} lines; "
                      f"{result.imported} new, {result.duplicates} already imported",
                      highlight=False)

    guarded(action)
