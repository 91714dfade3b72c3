"""The ``arbridge`` application: commands are registered here, implemented beside it."""

from __future__ import annotations

import os

import typer

from workers.cli import (alerts, demo, job_runs, jobs, po, portals, sap, scheduler, secrets,
                         serve, status, users)
from workers.cli.output import configure_logging

app = typer.Typer(name="arbridge", no_args_is_help=True, add_completion=False,
                  help="SAP and client-portal integration for debtors teams.")
app.add_typer(sap.app, name="sap")
app.add_typer(portals.app, name="portals")
app.add_typer(jobs.app, name="jobs")
app.add_typer(secrets.app, name="secrets")
app.add_typer(po.app, name="po")
app.add_typer(alerts.app, name="alerts")
app.add_typer(users.app, name="users")
app.command("serve")(serve.serve_command)
app.command("init")(status.init_command)
app.command("status")(status.status_command)
app.command("demo")(demo.demo_command)
jobs.app.command("list")(job_runs.list_command)
app.command("scheduler")(scheduler.scheduler_command)
app.command("run")(scheduler.run_command)


@app.callback()
def _root(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress.")) -> None:
    configure_logging(verbose)


def main() -> None:
    os.umask(0o077)  # every file this process writes (store, sessions, evidence) owner-only
    app()
