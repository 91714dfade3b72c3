"""``arbridge bank …``: import bank statements, list the receipts still unallocated."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from workers.cli.output import choice, console, guarded, load_settings, print_json, print_rows

app = typer.Typer(help="Bank statements and unallocated receipts.", no_args_is_help=True)


@app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="camt.053/054 XML, MT940 or a bank's CSV export."),
    fmt: str = typer.Option("auto", "--format", help="auto, camt, mt940 or csv:PROFILE "
                            "(standardbank, fnb, absa, nedbank, capitec or your own)."),
    allow_unbalanced: bool = typer.Option(False, "--allow-unbalanced", help="Import a "
                                          "statement whose balances do not add up, flagged."),
    as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON."),
) -> None:
    """Import a statement file; re-importing it (or an overlapping one) adds nothing."""
    def action() -> None:
        from connectors.bank.importer import import_statements
        from sync.store import open_store

        if not fmt.startswith("csv:"):
            choice("--format", fmt, ("auto", "camt", "mt940", "csv:PROFILE"))
        settings = load_settings()
        result = import_statements(open_store(settings), file, fmt=fmt,
                                   allow_unbalanced=allow_unbalanced,
                                   profiles=settings.cash.csv_profiles)
        if as_json:
            print_json(result.as_json())
            return
        credits = ", ".join(f"{c} {a}" for c, a in sorted(result.credit_total.items())) or "-"
        console.print(f"{file.name}: {result.statements} statement(s), {result.entries} "
                      f"entries ({result.receipts} receipts, credits {credits}); "
                      f"{result.imported} new, {result.duplicates} already imported"
                      + (f"; {result.unbalanced} UNBALANCED (flagged)" if result.unbalanced
                         else ""), highlight=False)

    guarded(action)


@app.command("unallocated")
def unallocated_command(
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list."),
) -> None:
    """Receipts not yet allocated, oldest first, with their age and suggestions."""
    def action() -> None:
        from connectors.cash import unallocated_receipts
        from sync.cash import summary
        from sync.store import open_store

        settings = load_settings()
        store = open_store(settings)
        rows = unallocated_receipts(store, today=date.today())
        with store.engine.connect() as conn:
            waiting = summary.unallocated(conn)  # the dashboard's figures
        if as_json:
            print_json(rows)
            return
        print_rows(("id", "state", "date", "age", "amount", "payer", "reference", "suggestion"),
                   ([row["id"], "unallocated" if row["state"] == "open" else row["state"],
                     row["booking_date"], row["age_days"],
                     f"{row['currency']} {row['amount']}", row["payer_name"],
                     row["reference"] or row["narrative"],
                     "; ".join(s["text"] for s in row["suggestions"]) or "-"] for row in rows),
                   title=f"{waiting.count} unallocated, {waiting.proposed} proposed",
                   wrap=("payer", "reference", "suggestion"))

    guarded(action)
