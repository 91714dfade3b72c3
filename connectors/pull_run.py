"""The pull run, as the ``arbridge sap pull`` command and the ``sap_pull`` job both start it:
SAP answers a ping first (a wrong password changes nothing), the company codes are checked
against SAP (an unknown one changes nothing either), then every entity is pulled.

Presentation stays with the caller: ``seed`` seeds the embedded SAP on its first use (by
default it says so on stderr and seeds), and ``progress`` opens the progress display around
the pull itself, yielding the per-entity callback (or None).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING

from connectors.pull import ProgressCallback

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from config.settings import Settings
    from connectors.pull import PullResult

log = logging.getLogger(__name__)
ProgressDisplay = Callable[[], AbstractContextManager[ProgressCallback | None]]


def run_pull(settings: Settings, *, full: bool, create_store: bool = False,
             seed: Callable[[Settings], None] | None = None,
             progress: ProgressDisplay | None = None) -> PullResult:
    """Ping SAP, check the company codes, then pull every entity. The store must exist
    (``arbridge init``) unless ``create_store`` (the demo builds its own)."""
    from connectors.company_codes import check_company_codes
    from connectors.pull import PortalRules, pull
    from sap.factory import make_sap_client
    from sync.store import open_store, require_store

    if not create_store:  # a mistyped path: say so before seeding a simulator beside it
        require_store(settings)
    (seed or seed_simulator_on_first_use)(settings)
    client = make_sap_client(settings)
    try:
        client.ping()
        check_company_codes(client, settings.company_codes)
        store = open_store(settings, create=create_store)
        rules = PortalRules(bindings=settings.portal_bindings,
                            groups=settings.portal_customer_groups)
        with (progress or (lambda: nullcontext(None)))() as callback:
            result = pull(store, client, source=settings.sap.kind,
                          company_codes=settings.company_codes, full=full, rules=rules,
                          progress=callback)
    finally:
        client.close()
    keep_dashboard(store.engine, settings)  # the book summed ahead of the page
    return result


def keep_dashboard(engine: Engine, settings: Settings) -> None:
    """Sum the debtors' book for the dashboard after a pull changed it (nothing when the kept
    figures are current), so the page reads a row instead of ageing a million items."""
    from connectors.reports.book import ledger_today
    from sync.reports.summary import keep

    try:
        with engine.connect() as conn:
            as_of = ledger_today(conn)
        reports = settings.reports
        keep(engine, as_of, currency=reports.currency, edges=tuple(reports.ageing_edges))
    except Exception:  # noqa: BLE001 - the pull is done; the page sums the book itself then
        log.exception("the debtors' dashboard was not summed after the pull")


def simulator_needs_seed(settings: Settings) -> bool:
    """The embedded SAP starts empty: True before its first use."""
    if settings.sap.kind != "simulator":
        return False
    from sap.simulator import SapSimulator

    return not SapSimulator(settings.simulator_path).is_seeded()


def seeding_notice(settings: Settings) -> str:
    sap = settings.sap
    return (f"seeding the embedded SAP simulator (first use): {sap.simulator_customers:,} "
            f"customers, {sap.simulator_billing_documents:,} billing documents")


def seed_simulator(settings: Settings, *, progress: Callable[[int], None] | None = None
                   ) -> None:
    """Seed the embedded SAP as the settings say (``progress``: documents written so far).

    Two runs on a new home: one seeds it under a file lock, the other waits for the lock and
    finds it seeded."""
    from sap.simulator import SapSimulator
    from sync.locks import exclusive

    sap = settings.sap
    with exclusive(settings.simulator_path, "the SAP simulator's first seeding"):
        simulator = SapSimulator(settings.simulator_path)
        if simulator.is_seeded():
            return
        simulator.seed(customers=sap.simulator_customers,
                       documents=sap.simulator_billing_documents, seed=sap.simulator_seed,
                       progress=progress)


def seed_simulator_on_first_use(settings: Settings) -> None:
    """Seed the embedded SAP (once) before its first use, saying so on stderr."""
    if not simulator_needs_seed(settings):
        return
    print(seeding_notice(settings), file=sys.stderr)
    seed_simulator(settings)
