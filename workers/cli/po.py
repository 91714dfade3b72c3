"""``arbridge po …``: the PO ledger — balances, forecasts, alerts; read the portals now; enter
a PO by hand; re-point an invoice to another PO."""

from __future__ import annotations

import getpass
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from config.settings import Settings
from workers.cli.output import console, guarded, load_settings, out, print_json

WIDE_TABLE = 160  # columns from which the PO list is a table; below, a few lines per PO
app = typer.Typer(help="Client POs: balances, forecasts, alerts, hold and release.",
                  no_args_is_help=True)


def ledger_rows(portal: str | None, with_history: bool = False) -> list[dict]:
    from sync.po import alerts
    from sync.po import ledger as po_ledger
    from sync.po.evaluation import views_now
    from sync.store import open_store

    store = open_store(load_settings())
    today = datetime.now(timezone.utc).date()
    with store.engine.connect() as conn:
        rows = po_ledger.rows(conn, portal)
        views = views_now(conn, today, portal)
        open_alerts = alerts.listing(conn, portal=portal)
    for row in rows:
        view = views[(row["portal"], row["number"])]
        row["forecast"] = {"runout": view.forecast.runout, "note": view.forecast.note,
                           "monthly_rate": view.forecast.monthly_rate,
                           "invoices_left": view.forecast.invoices_left}
        row["alerts"] = [{"id": a["id"], "rule": a["rule"], "level": a["level"]}
                         for a in open_alerts if (a["portal"], a["po_number"]) ==
                         (row["portal"], row["number"])]
    if with_history:  # every balance read: the points of a burn-down chart
        with store.engine.connect() as conn:
            for row in rows:
                row["history"] = [{k: p[k] for k in ("read_at", "total", "invoiced",
                                                     "remaining", "source")}
                                  for p in po_ledger.history(conn, row["portal"], row["number"])]
    return rows


def known_portal(portal: str | None) -> Settings:
    """The settings, after refusing (exit 2) a ``--portal`` that is not configured."""
    from config.checks import check_portal_name

    settings = load_settings()
    check_portal_name(settings, portal)
    return settings


@app.command("list")
def list_command(
    portal: str = typer.Option(None, "--portal", help="Only this portal."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
    history: bool = typer.Option(False, "--history",
                                 help="With --json: every balance read (a burn-down)."),
) -> None:
    """Every tracked PO: balance, pending, forecast run-out and open alerts."""
    def action() -> None:
        known_portal(portal)
        rows = ledger_rows(portal, with_history=history and as_json)
        if as_json:
            print_json(rows)
            return
        if not out.is_terminal:  # one tab-separated line per PO, for grep and cut
            import sys

            sys.stdout.writelines("\t".join(_po_fields(r)) + "\n" for r in rows)
        elif out.width >= WIDE_TABLE:
            _print_po_table(rows)
        else:
            _print_po_narrow(rows)

    guarded(action)


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _alerts(r: dict) -> str:
    return ", ".join(f"{a['level']}:{a['rule']}" for a in r["alerts"])


def _po_fields(r: dict) -> list[str]:
    """portal, PO, client, total, invoiced, pending, remaining, currency, valid to, run-out,
    alerts, mismatch: the columns of the piped form."""
    return [r["portal"], r["number"], r["customer_name"] or "-",
            *(f"{r[k]:.2f}" for k in ("total", "invoiced", "pending", "remaining")),
            r["currency"],
            str(r["valid_to"] or "-"), str(r["forecast"]["runout"] or "-"), _alerts(r) or "-",
            r["mismatch"] or ""]


def _print_po_table(rows: list[dict]) -> None:
    from rich.table import Table

    table = Table()
    for column in ("portal", "PO", "client", "total", "invoiced", "pending", "remaining",
                   "valid to", "run-out", "alerts"):
        table.add_column(column, no_wrap=column not in ("client", "alerts"),
                         overflow="fold")
    for r in rows:
        table.add_row(r["portal"], r["number"], r["customer_name"] or "-",
                      f"{_money(r['total'])} {r['currency']}", _money(r["invoiced"]),
                      _money(r["pending"]), _money(r["remaining"]),
                      str(r["valid_to"] or "-"), str(r["forecast"]["runout"] or "-"),
                      _alerts(r) + (" [mismatch]" if r["mismatch"] else ""))
    out.print(table)


def _print_po_narrow(rows: list[dict]) -> None:
    """A few lines per PO on a narrow terminal: the PO and its balance, then the client and
    dates, then its alerts, each wrapped to the width."""
    import textwrap

    width = max(out.width, 40)
    for r in rows:
        first = (f"{r['number']}  {r['portal']}  {_money(r['remaining'])} of "
                 f"{_money(r['total'])} {r['currency']} left")
        details = (f"pending {_money(r['pending'])} · invoiced {_money(r['invoiced'])} · "
                   f"valid to {r['valid_to'] or '-'} · run-out {r['forecast']['runout'] or '-'}")
        lines = textwrap.wrap(first, width=width, subsequent_indent="    ")
        for text in (r["customer_name"] or "-", details,
                     f"alerts: {_alerts(r)}" if r["alerts"] else "",
                     f"mismatch: {r['mismatch']}" if r["mismatch"] else ""):
            lines += textwrap.wrap(text, width=width, initial_indent="    ",
                                   subsequent_indent="    ")
        for line in lines:
            out.print(line)


@app.command("refresh")
def refresh_command(portal: str = typer.Option(None, "--portal", help="Only this portal.")
                    ) -> None:
    """Read the portals' POs now: ledger, release of held invoices, alerts."""
    def action() -> None:
        from portals.po_actions import refresh_portals
        from sync.store import open_store

        settings = known_portal(portal)
        results = refresh_portals(settings, open_store(settings), portal)
        failed = False
        for name, result in results.items():
            if isinstance(result, int):
                console.print(f"{name}: {result} PO(s) read", highlight=False)
            else:
                failed = True
                console.print(f"{name}: {result}", highlight=False)
        if failed:
            raise typer.Exit(3)

    guarded(action)


@app.command("add")
def add_command(
    portal: str = typer.Argument(..., help="Portal name, e.g. demo-coupa."),
    number: str = typer.Argument(..., help="The client's PO number."),
    total: str = typer.Option(..., "--total", help="PO total, e.g. 250000.00."),
    currency: str = typer.Option(..., "--currency", help="ISO currency, e.g. ZAR."),
    valid_to: str = typer.Option(None, "--valid-to", help="Last valid day (YYYY-MM-DD)."),
    invoiced: str = typer.Option("0", "--invoiced", help="Already invoiced against it."),
    customer: str = typer.Option(None, "--customer", help="SAP customer number."),
) -> None:
    """Enter a PO the client loaded (audited); held invoices that now fit are released."""
    def action() -> None:
        from portals.po_actions import enter_po
        from sync.po.entry import po_read
        from sync.store import open_store

        settings = load_settings()
        read = po_read(number=number, total=total, currency=currency, valid_to=valid_to,
                       invoiced=invoiced)
        released = enter_po(settings, open_store(settings), portal, read, customer=customer,
                            actor=getpass.getuser())
        console.print(f"PO {read.number} on {portal}: {read.total:,.2f} {read.currency}; "
                      f"{released} held invoice(s) released", highlight=False)

    guarded(action)


@app.command("assign")
def assign_command(document: str = typer.Argument(..., help="Billing document number."),
                   po: str = typer.Argument(..., help="The PO to bill it against.")) -> None:
    """Re-point an invoice to another PO (audited); SAP's number wins again once it changes."""
    def action() -> None:
        from portals.po_actions import assign_po
        from sync.store import open_store

        settings = load_settings()
        upload, _ = assign_po(settings, open_store(settings), document, po,
                              actor=getpass.getuser())
        console.print(f"{upload.billing_document}: now against PO {upload.po_number}",
                      highlight=False)

    guarded(action)
