"""``arbridge alerts …``: the PO alerts, and a person's acknowledgement."""

from __future__ import annotations

import getpass
from datetime import datetime, timezone

import typer

from workers.cli.output import MAX_ID, console, guarded, load_settings, print_json, print_rows

app = typer.Typer(help="PO-depletion alerts.", no_args_is_help=True)


@app.command("list")
def list_command(
    include_closed: bool = typer.Option(False, "--all", help="Closed alerts too."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Open alerts (all with --all), with who acknowledged them and any delivery problem."""
    def action() -> None:
        from sync.po import alerts
        from sync.store import open_store

        with open_store(load_settings()).engine.connect() as conn:
            rows = alerts.listing(conn, include_closed=include_closed)
        if as_json:
            print_json(rows)
            return
        listing = []
        for r in rows:
            what = r["summary"]
            if r["acknowledged_by"]:
                what += f" (acknowledged by {r['acknowledged_by']})"
            if r["close_reason"]:
                what += f" — closed: {r['close_reason']}"
            for problem in r["delivery_problems"]:
                what += f"; delivery: {problem}"
            listing.append([r["id"], r["level"], r["portal"], r["po_number"],
                            r["snapshot"]["client"], r["state"], what])
        print_rows(("id", "level", "portal", "PO", "client", "state", "what"), listing,
                   wrap=("what",))

    guarded(action)


@app.command("ack")
def ack_command(alert_id: int = typer.Argument(..., min=1, max=MAX_ID,
                                               help="The alert's id.")) -> None:
    """Acknowledge an alert (who and when are recorded); it stays open until resolved."""
    def action() -> None:
        from sync.po import alerts
        from sync.store import open_store
        from sync.txn import writing

        who = getpass.getuser()
        with writing(open_store(load_settings()).engine) as conn:
            alerts.acknowledge(conn, alert_id, who=who, now=datetime.now(timezone.utc))
        console.print(f"alert {alert_id} acknowledged by {who}", highlight=False)

    guarded(action)


@app.command("retry")
def retry_command() -> None:
    """Send again the deliveries that gave up (after fixing the channel), and anything due."""
    def action() -> None:
        from datetime import datetime, timezone

        from portals.po_actions import send_alerts
        from sync.po import deliveries as alert_deliveries
        from sync.store import open_store
        from sync.txn import writing

        settings = load_settings()
        store = open_store(settings)
        with writing(store.engine) as conn:
            again = alert_deliveries.retry_failed(conn, now=datetime.now(timezone.utc))
        report = send_alerts(settings, store)
        console.print(f"{again} failed delivery(ies) queued again; {report.sent} sent, "
                      f"{report.failed} failed", highlight=False)
        for error in report.errors:
            console.print(f"{error}", highlight=False)
        if report.failed:
            raise typer.Exit(3)

    guarded(action)
