"""``arbridge demo``: the main job on the embedded defaults (simulator + SQLite).

Seeds the SAP simulator once, then runs a sync cycle: pull from SAP, then upload the portal
invoices to the bundled demo portal (started on a free loopback port for the run).
``--json`` prints one object with a section per capability; the section names are a contract
that scripts read.
"""

from __future__ import annotations

import asyncio
from datetime import date

import typer
from rich.progress import Progress

from config.secrets import SecretBox
from config.settings import Settings, load_settings
from portals.demo.seed import FLAVOUR_OF, demo_accounts, seed_portal
from portals.demo.server import DemoServer
from sap.simulator import SapSimulator
from sync.store import Store, open_store
from workers import po_demo
from workers.cli.demo_admin import announce_admin
from workers.cli.output import console, guarded, print_json
from workers.cli.sap import run_pull, summary_table
from workers.po import summary as po_summary
from workers.uploads import make_runner, queue_counts


def demo_command(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per capability."),
) -> None:
    """Run a full sync cycle against the embedded SAP simulator."""
    def action() -> None:
        settings = load_settings()
        if settings.sap.kind == "simulator":
            simulator = SapSimulator(settings.simulator_path)
            if not simulator.is_seeded():
                _seed(simulator, settings.sap, quiet=as_json)
        result = run_pull(settings, full=False, show_progress=not as_json)
        store = open_store(settings)
        counts = store.counts()
        if not as_json:
            console.print(summary_table(result))
            console.print(f"store now holds {counts['customers']:,} customers, "
                          f"{counts['billing_documents']:,} billing documents and "
                          f"{counts['open_items']:,} open items ({settings.home.resolve()})",
                          highlight=False)
        portals = _upload_to_demo_portals(settings, store, quiet=as_json)
        announce_admin(settings, store)  # stderr: the --json output stays as it is
        po = po_summary(store)
        if as_json:
            print_json({"sap": counts, "portals": portals, "po": po})
            return
        console.print(f"portal uploads: {portals['submitted']} on the portals, "
                      f"{portals['held']} held for a new PO, {portals['failed']} failed, "
                      f"{portals['queued']} waiting, {portals['review']} in review "
                      "(arbridge portals queue --state held shows why)", highlight=False)
        console.print(f"POs: {po['tracked']} tracked, open alerts {po['alerts']}, "
                      f"{po['released']} held invoice(s) released after a new PO "
                      "(arbridge po list, arbridge alerts list)", highlight=False)

    guarded(action)


def _upload_to_demo_portals(settings: Settings, store: Store, quiet: bool) -> dict[str, int]:
    """Start the bundled demo portal, give it the clients' POs, upload the portal invoices."""
    today = date.today()
    with DemoServer(settings.demo_portal_path) as server:
        for portal, flavour in FLAVOUR_OF.items():
            seed_portal(server.states[flavour], store, portal, today=today,
                        with_totp=flavour == "coupa")
        accounts = demo_accounts(server.url, SecretBox.load(settings.home))
        runner = make_runner(settings, store, accounts, on_upload=None if quiet else
                             lambda p, d, o: console.print(f"{p}: {d} {o}", highlight=False))
        staged = po_demo.stage_demo(settings, store, server, runner.billed_from)
        summary = asyncio.run(runner.run())
        po_demo.new_po_arrives(settings, store, server, staged,
                               lambda: asyncio.run(make_runner(
                                   settings, store, accounts, runner.on_upload).run()))
    for name, error in summary.errors.items():
        console.print(f"[red]{name}:[/] {error}", highlight=False)
    return queue_counts(store)


def _seed(simulator: SapSimulator, sap, quiet: bool) -> None:  # type: ignore[no-untyped-def]
    total = sap.simulator_billing_documents
    if quiet or not console.is_terminal:
        simulator.seed(customers=sap.simulator_customers, documents=total,
                       seed=sap.simulator_seed)
        return
    with Progress(console=console) as progress:
        task = progress.add_task("seeding the SAP simulator", total=total)
        simulator.seed(customers=sap.simulator_customers, documents=total,
                       seed=sap.simulator_seed,
                       progress=lambda done: progress.update(task, completed=done))
