"""Two upload runs started at the same moment on the same store, against a portal that
accepts duplicate invoice numbers (as many real portals do): every invoice lands once; and
against a portal that accepts invoices beyond a PO's balance: together they never submit
more than the PO has left.

The runs use a short claim lease (``claim_lease_seconds``), so the run that finds every
browser slot or upload taken waits seconds, not the default two minutes, before it asks
again; what is proven is the same."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from config.portals import BrowserSettings
from config.secrets import SecretBox
from config.settings import load_settings
from connectors.pdfs import RenderSource
from portals.accounts import resolve
from portals.upload_run import UploadRunner
from sync.store import open_store
from sync.uploads.states import ON_PORTAL
from tests.e2e.conftest import make_world
from tests.portals.demo_world import add_customer

INVOICES = 8
LEASE_SECONDS = 6  # several upload steps long, yet a waiting run is not kept long


@pytest.fixture(params=["sqlite", "postgres"])
def shared(request, tmp_path: Path, server):
    world = make_world(tmp_path, server, "demo-coupa")
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    world.settings = load_settings(home=tmp_path / "home", claim_lease_seconds=LEASE_SECONDS,
                                   **({"database_url": url} if url else {}))
    if url:
        world.store = open_store(world.settings, create=True)
        _bind_customer(world)
    return world


def _bind_customer(world) -> None:  # type: ignore[no-untyped-def]
    """The test's customer, bound again in a store the world was moved to."""
    add_customer(world.store, world.portal)


def _runner(world) -> UploadRunner:  # type: ignore[no-untyped-def]
    box = SecretBox.load(world.settings.home)
    return UploadRunner(
        store=world.store,
        accounts=resolve(world.accounts(concurrency=4, lookup_new_invoices=False), box),
        browser=BrowserSettings(), pdfs=RenderSource(world.settings.home / "pdfs"),
        evidence_root=world.settings.evidence_path,
        session_root=world.settings.home / "sessions",
        lease=timedelta(seconds=world.settings.claim_lease_seconds),
        contexts_per_run=2)  # two of the portal's four slots each: both runs work at once


def _run_two_at_once(world) -> None:  # type: ignore[no-untyped-def]
    runners = [_runner(world), _runner(world)]
    start = threading.Barrier(len(runners))
    errors: list[BaseException] = []

    def run(runner: UploadRunner) -> None:
        start.wait()
        try:
            asyncio.run(runner.run())
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(r,)) for r in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []


def test_two_runs_at_the_same_moment_put_every_invoice_on_the_portal_once(shared):
    shared.add_po("4500000001", "900000.00")
    documents = [shared.add_invoice(90000100 + n, "4500000001") for n in range(INVOICES)]
    shared.state.set_fault("accept_duplicates", 1)
    _run_two_at_once(shared)
    copies = shared.state.copies()
    assert copies == {str(90000100 + n): 1 for n in range(INVOICES)}
    assert all(shared.upload(d).state in ON_PORTAL for d in documents)


def test_two_runs_at_the_same_moment_never_submit_more_than_the_po_has_left(shared):
    """Both runs read 1,000.00 left on the PO before either submits; 150.00 invoices: six
    fit, whichever run sends them; the other four are held for a new PO."""
    shared.add_po("4500000002", "1000.00")
    documents = [shared.add_invoice(90000200 + n, "4500000002", net="150.00")
                 for n in range(10)]
    shared.state.set_fault("accept_over_balance", 1)
    _run_two_at_once(shared)
    invoiced = sum((i.net for i in shared.state.invoices("900002")), Decimal("0"))
    assert invoiced <= Decimal("1000.00")
    states = [shared.upload(d).state for d in documents]
    assert states.count("held") == 4 and sum(s in ON_PORTAL for s in states) == 6
    assert shared.state.copies() == {str(90000200 + n): 1 for n, s in enumerate(states)
                                     if s in ON_PORTAL}
