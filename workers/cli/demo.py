"""``arbridge demo``: the main job on the embedded defaults (simulator + SQLite).

Seeds the SAP simulator once, then runs a sync cycle: pull from SAP, then upload the portal
invoices to the bundled demo portal (started on a free loopback port for the run).
``--json`` prints one object with a section per capability; the section names are a contract
that scripts read.
"""

from __future__ import annotations

import logging
import signal
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

from workers.cli.output import (
    checked_settings,
    err,
    guarded,
    out,
    print_json,
    reported_here,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from config.settings import Settings
    from portals.runner import RunSummary
    from sync.store import Store


def demo_command(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per capability."),
) -> None:
    """Run a full sync cycle against the embedded SAP simulator."""
    def action() -> None:
        reported_here()
        settings = checked_settings()
        stage = ["the SAP pull"]
        try:
            with _quiet_after_interrupt():
                _demo(settings, as_json, stage)
        except KeyboardInterrupt:
            raise _interrupted(settings, stage[0]) from None

    guarded(action)


def _demo(settings: Settings, as_json: bool, stage: list[str]) -> None:
    from sync.store import open_store, start_up
    from workers.cli.portals import everything_failed, failed_run_error
    from workers.cli.sap import run_pull, summary_table
    from workers.cli.status import queue_line

    start_up(settings, create=True)  # the demo builds its own store
    result = run_pull(settings, full=False, show_progress=not as_json, create_store=True)
    store = open_store(settings)
    counts = store.counts()
    if not as_json:
        out.print(summary_table(result))
        out.print(f"store now holds {counts['customers']:,} customers, "
                  f"{counts['billing_documents']:,} billing documents and "
                  f"{counts['open_items']:,} open items ({settings.home.resolve()})")
    stage[0] = "the portal uploads"
    summary, portals = _upload_to_demo_portals(settings, store, quiet=as_json)
    stage[0] = "cash application"
    from workers.cli.demo_cash import cash_demo, cash_line  # cash application (issue 9)

    cash = cash_demo(settings, store)
    counts = store.counts()  # after the cash part's second pull: cleared items are gone
    from workers.cli.demo_admin import announce_admin

    announce_admin(settings, store)  # stderr: the --json output stays as it is
    from workers.po import summary as po_summary

    po = po_summary(store)
    stage[0] = "the debtors' book"
    from workers.cli.demo_book import book_demo, book_line

    reports, sent_now = book_demo(settings, store)
    stage[0] = "collections"
    from workers.cli.demo_collections import collections_demo

    collections, collections_line = collections_demo(settings, store)
    if as_json:
        print_json({"sap": counts, "portals": portals, "po": po, **cash, "reports": reports,
                    "collections": collections})
    else:
        out.print(f"portal uploads: {queue_line(portals)} "
                  "(arbridge portals queue --state held shows why)")
        alerts = po["alerts"]
        out.print(f"POs: {po['tracked']} tracked, open alerts: {alerts['exhausted']} exhausted, "
                  f"{alerts['critical']} critical, {alerts['warning']} warning; "
                  f"{po['released']} held invoice(s) released after a new PO "
                  "(arbridge po list, arbridge alerts list)")
        out.print(cash_line(cash))
        out.print(book_line(reports, sent_now))
        out.print(collections_line)
    if everything_failed(summary):
        raise failed_run_error(summary, portals)


def _upload_to_demo_portals(settings: Settings, store: Store, quiet: bool
                            ) -> tuple[RunSummary, dict[str, int]]:
    """Start the bundled demo portal, give it the clients' POs, upload the portal invoices."""
    import asyncio
    from datetime import date

    from config.secrets import SecretBox
    from portals.demo.seed import FLAVOUR_OF, demo_accounts, seed_portal
    from portals.demo.server import DemoServer
    from workers import po_demo
    from workers.uploads import make_runner, queue_counts

    today = date.today()
    with DemoServer(settings.demo_portal_path) as server:
        for portal, flavour in FLAVOUR_OF.items():
            seed_portal(server.states[flavour], store, portal, today=today,
                        with_totp=flavour == "coupa")
        accounts = demo_accounts(server.url, SecretBox.load(settings.home))
        runner = make_runner(settings, store, accounts, on_upload=None if quiet else
                             lambda p, d, o: err.print(f"{p}: {d} {o}"))
        staged = po_demo.stage_demo(settings, store, server, runner.billed_from)
        summary = asyncio.run(runner.run())
        po_demo.new_po_arrives(settings, store, server, staged,
                               lambda: asyncio.run(make_runner(
                                   settings, store, accounts, runner.on_upload).run()))
        from workers.cli.demo_collections import client_rejects_one

        if client_rejects_one(server, store):  # the next run's status refresh reads it back
            asyncio.run(make_runner(settings, store, accounts, runner.on_upload).run())
    for name, error in summary.errors.items():
        err.print(f"{name}: {error}", markup=False)
    return summary, queue_counts(store)


@contextmanager
def _quiet_after_interrupt() -> Iterator[None]:
    """On Ctrl-C, silence the warnings that browsers and tasks being torn down would print,
    so the run ends in the one line that says what was left."""
    previous = signal.getsignal(signal.SIGINT)

    def on_interrupt(signum: int, frame: Any) -> None:
        logging.disable(logging.CRITICAL)
        sys.unraisablehook = lambda _: None  # transports of the dead browser, at exit
        signal.default_int_handler(signum, frame)

    signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _interrupted(settings: Settings, stage: str) -> Exception:
    from workers.cli.failures import Interrupted

    left = ""
    if stage == "the SAP pull":  # pages written stay; the cursor resumes after the last one
        return Interrupted("interrupted during the SAP pull; nothing is lost: run arbridge "
                           "demo again to resume")
    try:
        from sync.store import open_store
        from workers.uploads import queue_counts

        counts = queue_counts(open_store(settings))
        left = (f": {counts['queued']:,} uploads still waiting, {counts['submitted']:,} on the "
                "portals")
    except Exception:  # noqa: BLE001 - the line must come out whatever the store's state
        left = ""
    return Interrupted(f"interrupted during {stage}{left}; nothing is lost: run arbridge demo "
                       "again to resume")
