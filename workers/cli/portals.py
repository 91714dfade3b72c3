"""``arbridge portals …``: upload invoices, look at the queue, check the portals."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from rich.table import Table

from config.errors import InputError
from config.secrets import SecretBox
from config.settings import load_settings
from portals.accounts import resolve
from portals.check import check_portals
from portals.demo.server import DEFAULT_PORT, serve_forever
from sync.store import open_store
from sync.upload_states import STATES
from workers.cli.output import console, guarded, print_json
from workers.uploads import portal_settings, queue_counts, queue_rows, run_uploads

app = typer.Typer(help="Client procurement portals.", no_args_is_help=True)


@app.command("upload")
def upload_command(
    portal: str = typer.Option(None, "--portal", help="Only this portal."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Queue new invoices of bound customers and put every ready one on its portal."""
    def action() -> None:
        settings = load_settings()

        def show(portal_name: str, document: str, outcome: str) -> None:
            if not as_json:
                console.print(f"{portal_name}: {document} {outcome}", highlight=False)

        summary = run_uploads(settings, portal=portal, on_upload=show)
        counts = queue_counts(open_store(settings))
        if as_json:
            print_json({**summary.as_dict(), "queue": counts})
            return
        for name, error in summary.errors.items():
            console.print(f"[red]{name}:[/] {error}", highlight=False)
        console.print(f"queue: {counts}", highlight=False)
        if summary.errors:
            raise typer.Exit(3)

    guarded(action)


@app.command("queue")
def queue_command(
    state: str = typer.Option(None, "--state", help=f"One of: {', '.join(STATES)}."),
    portal: str = typer.Option(None, "--portal", help="Only this portal."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """List uploads with their state and, for held or failed ones, the reason."""
    def action() -> None:
        if state and state not in STATES:
            raise typer.BadParameter(f"--state must be one of {', '.join(STATES)}")
        rows = queue_rows(open_store(load_settings()), state, portal)
        if as_json:
            print_json(rows)
            return
        table = Table()
        for column in ("billing doc", "portal", "PO", "gross", "state", "attempts"):
            table.add_column(column, no_wrap=True)
        table.add_column("reason")
        for r in rows:
            table.add_row(r["billing_document"], r["portal"], r["po_number"] or "-",
                          f"{r['gross']:,.2f} {r['currency']}", r["state"], str(r["attempts"]),
                          r["reason"] or "")
        console.print(table)

    guarded(action)


def _move(document: str, source: set[str], target: str, verb: str) -> None:
    """A person's decision on one upload, audited with their login name."""
    import getpass
    from datetime import datetime, timezone

    from sync import uploads

    store = open_store(load_settings())
    with store.engine.begin() as conn:
        upload = uploads.by_document(conn, document)
        if upload is None:
            raise InputError(f"no upload for billing document {document}")
        if upload.state not in source:
            raise InputError(f"billing document {upload.billing_document} is {upload.state}; "
                             f"only {' or '.join(sorted(source))} uploads can be {verb}")
        uploads.transition(conn, upload.id, target, now=datetime.now(timezone.utc),
                           reason=f"{verb} by {getpass.getuser()}",
                           actor=getpass.getuser(), next_attempt_at=None)
    console.print(f"{upload.billing_document}: {upload.state} -> {target}", highlight=False)


@app.command("approve")
def approve_command(document: str = typer.Argument(..., help="Billing document number.")) -> None:
    """Approve an upload waiting in review: it goes to the portal on the next run."""
    guarded(lambda: _move(document, {"review"}, "ready", "approved"))


@app.command("retry")
def retry_command(document: str = typer.Argument(..., help="Billing document number.")) -> None:
    """Send a failed, held or rejected upload again on the next run (after fixing the cause)."""
    guarded(lambda: _move(document, {"failed", "held", "rejected"}, "ready", "retried"))


@app.command("check")
def check_command() -> None:
    """Log in to each portal and open its Orders page (a daily health check)."""
    def action() -> None:
        settings = load_settings()
        accounts = resolve(portal_settings(settings), SecretBox.load(settings.home))
        results = asyncio.run(check_portals(accounts, settings.browser))
        failed = False
        for name, problem in results.items():
            if problem:
                failed = True
                console.print(f"[red]FAIL[/] {name}: {problem}", highlight=False)
            else:
                console.print(f"[green]ok[/]   {name}", highlight=False)
        if failed:
            raise typer.Exit(1)

    guarded(action)


@app.command("demo-server")
def demo_server_command(
    port: int = typer.Option(DEFAULT_PORT, help="Port on 127.0.0.1."),
    folder: Path = typer.Option(None, help="State folder (default: ARBRIDGE_HOME/demo-portal)."),
) -> None:
    """Run the bundled demo portal (both flavours: /coupa and /ariba) in the foreground."""
    settings = load_settings()
    target = folder or settings.demo_portal_path
    console.print(f"demo portal on http://127.0.0.1:{port}/coupa and /ariba (state in {target})")
    serve_forever(target, port=port)
