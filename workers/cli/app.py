"""The ``arbridge`` application: commands are registered here, implemented beside it.

One line per command group. Command modules import only ``typer`` at the top and everything
heavy (SQLAlchemy, Playwright, dramatiq, cryptography, the SAP adapters) inside the command,
so ``arbridge --help`` and ``arbridge status`` start fast (``bench/startup.py``).
"""

from __future__ import annotations

import os
import sys

import typer

from workers.cli import (
    alerts,
    bank,
    cash,
    collections,
    collections_cases,  # noqa: F401 - registers its commands on collections.app
    demo,
    job_runs,
    jobs,
    po,
    portals,
    remittance,
    sap,
    scheduler,
    secrets,
    serve,
    status,
    users,
)
from workers.cli import report as book
from workers.cli.output import configure_logging, report

app = typer.Typer(name="arbridge", no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False, rich_markup_mode=None,
                  help="SAP and client-portal integration for debtors teams.")
app.add_typer(sap.app, name="sap")
app.add_typer(portals.app, name="portals")
app.add_typer(jobs.app, name="jobs")
app.add_typer(secrets.app, name="secrets")
app.add_typer(bank.app, name="bank")
app.add_typer(remittance.app, name="remittance")
app.add_typer(cash.allocations_app, name="allocations")
app.add_typer(cash.journal_app, name="journal")
app.command("allocate")(cash.allocate_command)
app.add_typer(po.app, name="po")
app.add_typer(alerts.app, name="alerts")
app.add_typer(book.app, name="report")
app.add_typer(collections.app, name="collections")
app.add_typer(users.app, name="users")
app.command("serve")(serve.serve_command)
app.command("init")(status.init_command)
app.command("status")(status.status_command)
app.command("demo")(demo.demo_command)
jobs.app.command("list")(job_runs.list_command)
app.command("scheduler")(scheduler.scheduler_command)
app.command("run")(scheduler.run_command)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            sys.stdout.write(f"arbridge {version('arbridge')}\n")
        except PackageNotFoundError:
            sys.stdout.write("arbridge (not installed)\n")
        raise typer.Exit()


@app.callback()
def _root(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress; show tracebacks."),
    _show_version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit."),
) -> None:
    configure_logging(verbose)


def main(argv: list[str] | None = None) -> None:
    """The console script: every failure, wherever it happens, is one line and an exit code
    (:mod:`workers.cli.failures`); never a traceback."""
    from workers.cli.failures import is_click

    os.umask(0o077)  # every file this process writes (store, sessions, evidence) owner-only
    try:
        result = app(args=argv, prog_name="arbridge", standalone_mode=False)
    except (Exception, KeyboardInterrupt) as error:  # noqa: BLE001 - mapped in one place
        if is_click(error, "NoArgsIsHelpError"):  # `arbridge sap`: the help, as asked
            sys.stdout.write(error.format_message() + "\n")  # type: ignore[attr-defined]
            sys.exit(0)
        sys.exit(report(error))
    sys.exit(result if isinstance(result, int) else 0)
