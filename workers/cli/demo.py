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

DEMO_WAIT_S = 1800.0  # a second demo waits this long for the first (minutes on a slow machine)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from config.settings import Settings
    from portals.upload_run import RunSummary
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
    """One demo at a time per home: a second ``arbridge demo`` waits for the first (saying
    so) instead of staging the same POs, portal and SAP changes beside it. Other commands
    (pull, uploads, allocate, serve) run alongside; the store serves them all."""
    from sync.locks import exclusive

    with exclusive(settings.home / "demo", "arbridge demo", wait_seconds=DEMO_WAIT_S):
        _demo_alone(settings, as_json, stage)


def _demo_alone(settings: Settings, as_json: bool, stage: list[str]) -> None:
    from sync.db import check_whole
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
    from portals.po_actions import summary as po_summary

    po = po_summary(store)
    stage[0] = "the debtors' book"
    from workers.cli.demo_book import book_demo, book_line

    reports, sent_now = book_demo(settings, store)
    stage[0] = "collections"
    from workers.cli.demo_collections import collections_demo

    collections, collections_line = collections_demo(settings, store)
    check_whole(store.engine)  # never report a run as done on a store that is not whole
    if as_json:
        print_json({"sap": counts, "portals": portals, "po": po, **cash, "reports": reports,
                    "collections": collections})
    else:
        channels = portals["channels"]
        out.print(f"portal uploads: {queue_line(portals)} "
                  "(arbridge portals queue --state held shows why); "
                  f"{channels['browser']:,} by browser, {channels['cxml']:,} by cXML")
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
    from portals import po_demo
    from portals.demo.seed import (
        DEMO_CXML_PORTALS,
        FLAVOUR_OF,
        demo_accounts,
        demo_cxml_accounts,
        seed_portal,
    )
    from portals.upload_jobs import make_runner
    from sync.uploads.listing import queue_counts
    from workers import metrics
    from workers.cli.demo_cxml import bind_cxml_customers, channel_counts, network_sends_statuses
    from workers.web_server import DemoServer

    today = date.today()
    bind_cxml_customers(store)  # the second channel: some customers over cXML
    with DemoServer(settings.demo_portal_path) as server:
        for portal, flavour in (*FLAVOUR_OF.items(), *DEMO_CXML_PORTALS.items()):
            seed_portal(server.states[flavour], store, portal, today=today,
                        with_totp=flavour == "coupa")
        box = SecretBox.load(settings.home)
        accounts = {**demo_accounts(server.url, box), **demo_cxml_accounts(server.url, box)}
        runner = make_runner(settings, store, accounts, on_upload=None if quiet else
                             lambda p, d, o: err.print(f"{p}: {d} {o}"),
                             on_timing=metrics.upload_seconds)
        staged = po_demo.stage_demo(settings, store, server, runner.billed_from)
        summary = asyncio.run(runner.run())
        _new_po_arrives(settings, store, server, staged,
                        lambda: asyncio.run(make_runner(
                            settings, store, accounts, runner.on_upload,
                            on_timing=metrics.upload_seconds).run()))
        from workers.cli.demo_collections import client_rejects_one

        if client_rejects_one(server, store):  # the next run's status refresh reads it back
            asyncio.run(make_runner(settings, store, accounts, runner.on_upload,
                                    on_timing=metrics.upload_seconds).run())
    answered = network_sends_statuses(settings, store, accounts)  # cXML: what comes back
    if not quiet:
        err.print(f"cXML status updates received from the demo networks: {answered}")
    for name, error in summary.errors.items():
        err.print(f"{name}: {error}", markup=False)
    return summary, {**queue_counts(store), "channels": channel_counts(store, accounts)}


def _new_po_arrives(settings: Settings, store: Store, server: Any, staged: Any,
                    upload_again: Callable[[], object]) -> None:
    """After the uploads: alerts out, then the client loads a new PO, SAP's billing documents
    carry it, the held invoices go out, the alerts close."""
    from datetime import date

    from portals.demo.seed import FLAVOUR_OF
    from portals.po_actions import after_run
    from portals.po_demo import PORTAL, load_new_po
    from sap.simulator import SapSimulator
    from workers.cli.sap import run_pull

    after_run(settings, store)
    number = load_new_po(server.states[FLAVOUR_OF[PORTAL]], staged, today=date.today())
    if number is None or settings.sap.kind != "simulator":
        return
    simulator = SapSimulator(settings.simulator_path)
    for document in staged.held_documents:
        simulator.change_billing_document(document, customer_po=number)
    run_pull(settings, full=False, show_progress=False)
    upload_again()
    after_run(settings, store)


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
        from sync.uploads.listing import queue_counts

        counts = queue_counts(open_store(settings))
        left = (f": {counts['queued']:,} uploads still waiting, {counts['submitted']:,} on the "
                "portals")
    except Exception:  # noqa: BLE001 - the line must come out whatever the store's state
        left = ""
    return Interrupted(f"interrupted during {stage}{left}; nothing is lost: run arbridge demo "
                       "again to resume")
