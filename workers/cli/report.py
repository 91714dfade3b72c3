"""``arbridge report …``: the debtors' book — the age analysis as at any date (table, JSON,
Excel), commentary per client, customer statements and the management pack's KPIs."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

from workers.cli.output import day, guarded, out, print_json, print_rows

app = typer.Typer(help="The debtors' book: age analysis, statements, KPIs.",
                  no_args_is_help=True)


@app.command("ageing")
def ageing_command(
    as_of: str | None = typer.Option(None, "--as-of", help="Key date YYYY-MM-DD (default: "
                                     "SAP's today as last pulled, or today)."),
    basis: str = typer.Option("", "--basis", help="due (net due date) or document; default "
                              "from [reports] ageing_basis."),
    customer: str | None = typer.Option(None, "--customer", help="One customer number."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON contract."),
    xlsx: Path | None = typer.Option(None, "--xlsx", help="Write an Excel workbook here."),
) -> None:
    """Open items as at a date in age buckets per customer, company code and currency, with
    totals per currency, credit balances and their causes, and the commentary."""
    key_date = day(as_of, "--as-of")
    if basis not in ("", "due", "document"):
        raise typer.BadParameter(f"{basis!r}: choose due or document", param_hint="--basis")
    if as_json and xlsx:
        raise typer.BadParameter("choose one of --json and --xlsx", param_hint="--json")
    _in_a_folder(xlsx)

    def action() -> None:
        from connectors.reports.book import known, ledger_today
        from sync.reports.ageing_store import ageing
        from sync.store import open_store
        from workers.cli.output import checked_settings

        settings = checked_settings()
        store = open_store(settings)
        chosen = basis or settings.reports.ageing_basis
        with store.engine.connect() as conn:
            if customer is not None:
                known(conn, _padded(customer) or customer)
            report = ageing(conn, key_date or ledger_today(conn),
                            basis=chosen,  # type: ignore[arg-type]
                            edges=tuple(settings.reports.ageing_edges),
                            customer=_padded(customer))
        if xlsx is not None:
            from connectors.reports.ageing_xlsx import write_ageing

            write_ageing(report, xlsx)
            out.print(f"age analysis as at {report.as_of} written to {xlsx}")
        elif as_json:
            print_json(report.as_json())
        else:
            _print_table(report)

    guarded(action)


def _in_a_folder(target: Path | None) -> None:
    """An Excel target goes into a folder that exists: a typo in it is refused, not made
    into new folders (somewhere unexpected, even under /)."""
    if target is None:
        return
    folder = target.expanduser().parent
    if not folder.is_dir():
        raise typer.BadParameter(f"the folder {folder} does not exist: create it first, or "
                                 "check the path", param_hint="--xlsx")
    if target.expanduser().is_dir():
        raise typer.BadParameter(f"{target} is a folder: name the workbook file",
                                 param_hint="--xlsx")


def _padded(customer: str | None) -> str | None:
    """A customer number as SAP keeps it (KUNNR, ten digits with leading zeros)."""
    if customer is None:
        return None
    text = customer.strip()
    return text.zfill(10) if text.isdigit() else text


def _print_table(report) -> None:  # type: ignore[no-untyped-def]
    import sys

    head = ["customer", "name", "cc", "ccy", *report.buckets, "total", "commentary"]
    if not sys.stdout.isatty():  # the console would turn the tabs into spaces
        print_rows(head, ([ln.customer, ln.name, ln.company_code, ln.currency,
                           *(f"{ln.buckets[b]:.2f}" for b in report.buckets),
                           f"{ln.total:.2f}", ln.commentary or ""] for ln in report.lines))
        return
    from rich.table import Table

    table = Table(title=f"Age analysis as at {report.as_of} (by {report.basis} date)")
    for column in head:
        table.add_column(column, justify="right" if column in report.buckets
                         or column == "total" else "left")
    for ln in report.lines:
        table.add_row(ln.customer, ln.name, ln.company_code, ln.currency,
                      *(f"{ln.buckets[b]:,.2f}" for b in report.buckets), f"{ln.total:,.2f}",
                      ln.commentary or "")
    for ccy, sums in report.totals().items():
        table.add_row("Total", "", "", ccy, *(f"{sums[b]:,.2f}" for b in report.buckets),
                      f"{sums['total']:,.2f}", "", style="bold")
    out.print(table)
    if report.credit_balances:
        out.print(f"{len(report.credit_balances)} customers with a credit balance "
                  "(--json lists them with their causes)")


@app.command("comment")
def comment_command(
    customer: str = typer.Argument(..., help="Customer number."),
    text: str = typer.Argument(..., help="The note, e.g. 'promised to pay on the 25th'."),
    company_code: str | None = typer.Option(None, "--company-code",
                                            help="Default: the customer's only one."),
) -> None:
    """Write a note on a customer's line of the age analysis; it carries forward to the next
    one until changed, and every version is kept with who and when."""
    def action() -> None:
        from connectors.reports.book import company_code_of
        from sync.reports.comments import add_comment
        from sync.store import open_store
        from sync.txn import writing
        from workers.cli.output import checked_settings

        store = open_store(checked_settings())
        number = _padded(customer) or customer
        with writing(store.engine) as conn:
            code = company_code or company_code_of(conn, number)
            add_comment(conn, company_code=code, customer=number, text=text,
                        author=getpass.getuser())
        out.print(f"comment on {number} in {code} saved")

    guarded(action)


@app.command("kpis")
def kpis_command(
    month: str = typer.Option(..., "--month", help="The month, YYYY-MM."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
    top: int = typer.Option(10, "--top", min=1, max=500, help="How many top debtors."),
) -> None:
    """The month's KPIs in the report currency: count-back, standard and best-possible DSO,
    CEI, average days delinquent; collected against due per currency; the Top N debtors.
    Each figure's formula is in the docs (the management pack)."""
    from sync.reports.kpis import Month

    try:
        period = Month.parse(month)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--month") from None

    def action() -> None:
        from sync.reports.pack import management_pack
        from sync.store import open_store
        from workers.cli.output import checked_settings

        settings = checked_settings()
        with open_store(settings).engine.connect() as conn:
            pack = management_pack(conn, period, currency=settings.reports.currency,
                                   targets=settings.reports.kpi_targets,
                                   edges=tuple(settings.reports.ageing_edges), top=top,
                                   trend_months=1)
        pack.pop("top60")
        if as_json:
            print_json(pack)
            return
        out.print(f"KPIs for {pack['month']} in {pack['currency']}")
        for name in ("dso_countback", "dso_standard", "best_possible_dso",
                     "average_days_delinquent", "cei"):
            target = pack["targets"].get(name)
            extra = "" if target is None else \
                f"  (target {target}, variance {pack['variance'][name]})"
            out.print(f"  {name}: {pack[name]}{extra}")
        out.print(f"  collected: {pack['collected']}  due: {pack['due']}")
        for row in pack["top"]:
            out.print(f"  {row['rank']:>2}. {row['customer']} {row['name']}: {row['total']} "
                      f"({row['overdue']} overdue)")

    guarded(action)


@app.command("management")
def management_command(
    month: str = typer.Option(..., "--month", help="The month, YYYY-MM."),
    xlsx: Path = typer.Option(..., "--xlsx", help="Write the workbook here."),
) -> None:
    """The whole management pack as an Excel workbook: one sheet per report, native charts
    (ageing by bucket, DSO over 12 months), frozen headers, number formats per currency."""
    from sync.reports.kpis import Month

    try:
        period = Month.parse(month)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--month") from None
    _in_a_folder(xlsx)

    def action() -> None:
        from connectors.reports.management_xlsx import write_pack
        from sync.reports.ageing_store import ageing
        from sync.reports.pack import management_pack
        from sync.store import open_store
        from workers.cli.output import checked_settings

        settings = checked_settings()
        edges = tuple(settings.reports.ageing_edges)
        with open_store(settings).engine.connect() as conn:
            pack = management_pack(conn, period, currency=settings.reports.currency,
                                   targets=settings.reports.kpi_targets, edges=edges)
            book = ageing(conn, period.last, edges=edges)
        write_pack(pack, book, xlsx)
        out.print(f"management pack for {period} written to {xlsx}")

    guarded(action)


@app.command("statements")
def statements_command(
    customer: str | None = typer.Option(None, "--customer", help="One customer number."),
    as_of: str | None = typer.Option(None, "--as-of", help="Key date YYYY-MM-DD (default: "
                                     "the ledger's today)."),
    schedule: str = typer.Option("daily", "--schedule", help="daily (accounts that moved "
                                 "that day) or monthly (every debtor with a balance)."),
    send: bool = typer.Option(False, "--send", help="Send them (once per customer, schedule "
                              "and period); without it, only render PDFs to preview."),
    resend: int | None = typer.Option(None, "--resend", help="Release an uncertain statement "
                                      "(its run stopped after handing it to the mail "
                                      "server) by id, once you checked it did not arrive; "
                                      "the next --send sends it again."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Customer statements as PDFs: open items with due dates and days overdue, receipts since
    the last statement, the ageing block, the balance and how to pay."""
    if resend is not None:
        _release_statement(resend)
        return
    key_date = day(as_of, "--as-of")
    if schedule not in ("daily", "monthly"):
        raise typer.BadParameter(f"{schedule!r}: choose daily or monthly",
                                 param_hint="--schedule")

    def action() -> None:
        from datetime import datetime, timezone

        from connectors.reports.book import ledger_today
        from connectors.reports.statement_run import run_statements
        from sync.store import open_store
        from workers.cli.output import checked_settings

        settings = checked_settings()
        store = open_store(settings)
        with store.engine.connect() as conn:
            key = key_date or ledger_today(conn)
        result = run_statements(store.engine, settings.reports.statements, settings.home,
                                schedule=schedule,  # type: ignore[arg-type]
                                as_of=key, now=datetime.now(timezone.utc), send=send,
                                customer=_padded(customer),
                                edges=tuple(settings.reports.ageing_edges))
        if as_json:
            print_json(result.as_dict() | {"pdfs": result.pdfs})
            return
        if not send:
            out.print(f"{result.previewed} statements rendered for preview under "
                      f"{settings.home / 'statements' / result.period / 'preview'}")
            return
        out.print(f"statements {schedule} {result.period}: {result.sent} sent, "
                  f"{result.already_sent} already sent, {result.no_address} without an "
                  f"address, {result.failed} failed, {result.held_elsewhere} held by "
                  "another run" + (f", {result.uncertain} uncertain (held for a person)"
                                   if result.uncertain else ""))
        for error in result.errors:
            out.print(f"  {error}")

    guarded(action)


def _release_statement(statement_id: int) -> None:
    def action() -> None:
        import getpass
        from datetime import datetime, timezone

        from sync.reports.statements import STATEMENTS
        from sync.store import open_store
        from sync.txn import writing
        from sync.work.outgoing import release
        from workers.cli.output import checked_settings

        with writing(open_store(checked_settings()).engine) as conn:
            release(conn, STATEMENTS, statement_id, entity="customer_statement",
                    by=getpass.getuser(), now=datetime.now(timezone.utc))
        out.print(f"statement {statement_id} released: the next 'arbridge report statements "
                  "--send' of its period sends it again")

    guarded(action)
