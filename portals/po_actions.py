"""PO depletion's use cases, shared by the upload run's hook, the CLI, the web app and the
demo: a portal's PO read goes into the ledger, held invoices are checked again, the rules run
and the alerts go out; a person enters a PO or re-points an invoice. The rules live in
``sync.po`` (ledger, release, entry, evaluation) and delivery in ``connectors.notify``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import Connection, select

from config.settings import Settings
from connectors.notify import DeliveryReport, deliver
from portals.configured import portal_settings
from portals.driver import PortalPurchaseOrder
from sync.po import ledger as po_ledger
from sync.po import release as po_release
from sync.po.entry import check_valid_to, top_up
from sync.po.evaluation import run_rules
from sync.po.ledger import PoRead
from sync.store import Store
from sync.txn import writing
from sync.uploads import queue as uploads
from sync.uploads.holds import PoBalance

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def record_portal_read(settings: Settings, store: Store, portal: str,
                       orders: list[PortalPurchaseOrder], *, now: datetime | None = None,
                       review: bool = False) -> int:
    """A portal's POs were read: ledger and history, release what now fits, alert, deliver.
    Returns how many held invoices were released."""
    now = now or _now()
    with writing(store.engine) as conn:
        read = po_ledger.record_read(conn, portal, [
            PoRead(o.number, o.total, o.invoiced, o.currency, o.open, o.valid_to)
            for o in orders], now=now)
        balances = {o.number: PoBalance(o.number, o.remaining, o.currency, o.open, o.valid_to)
                    for o in orders}
        held_on = {u.po_number for u in uploads.by_state(conn, "held", portal) if u.po_number}
        released = po_release.release_held(conn, portal, balances, now=now, review=review)
        # the POs this read changed and those invoices wait on; the rest at the end of the run
        waiting = held_on | {u.po_number for u in uploads.by_state(conn, "ready", portal)
                             if u.po_number}
        po_ledger.refresh(conn, now=now, portal=portal, numbers=waiting)
        run_rules(conn, settings.po_alerts, now=now, portal=portal,
                  numbers=read.changed | waiting)
    send_alerts(settings, store, now=now)
    if released:
        log.info("%s: %d held invoice(s) released", portal, released)
    return released


def po_hook(settings: Settings, store: Store, review_portals: set[str] | None = None
            ) -> Callable[[str, list[PortalPurchaseOrder]], int]:
    """The runner's ``on_po_read``."""
    review_portals = review_portals or set()
    return lambda portal, orders: record_portal_read(settings, store, portal, orders,
                                                     review=portal in review_portals)


def after_run(settings: Settings, store: Store, *, now: datetime | None = None) -> dict:
    """After uploads: the ledger follows arbridge's own uploads (sent, newly held), the rules
    run over every PO, and the alerts go out."""
    now = now or _now()
    with writing(store.engine) as conn:
        po_ledger.refresh(conn, now=now)
        counts = run_rules(conn, settings.po_alerts, now=now)
    report = send_alerts(settings, store, now=now)
    return {**counts, **report.as_dict()}


def send_alerts(settings: Settings, store: Store, *, now: datetime | None = None
                ) -> DeliveryReport:
    """Send what is due. A channel failing in an unexpected way must not stop the uploads:
    it is logged, and its claimed deliveries go out once their lease expires."""
    try:
        return deliver(store.engine, settings.po_alerts, settings.outbox_path,
                       now=now or _now())
    except Exception as error:  # noqa: BLE001 - see above
        log.exception("alert delivery stopped: %s", error)
        return DeliveryReport(errors=[f"delivery stopped: {error}"])


def summary(store: Store) -> dict:
    """The ``po`` section of ``arbridge demo --json``."""
    from sync.po import alerts
    from sync.uploads import queue as uploads

    with store.engine.connect() as conn:
        return {"tracked": po_ledger.tracked(conn), "alerts": alerts.open_counts(conn),
                "held": uploads.counts(conn)["held"],
                "released": po_release.released_count(conn)}


def refresh_portals(settings: Settings, store: Store, portal: str | None = None,
                    demo_url: str | None = None) -> dict[str, str | int]:
    """``arbridge po refresh``: read every portal's POs now. Portal → POs read, or error."""
    import asyncio

    from config.secrets import SecretBox
    from portals.accounts import resolve
    from portals.po_read import read_purchase_orders

    configured = portal_settings(settings, demo_url)
    # POs are read from a portal's Orders page; a cXML channel has none to read.
    chosen = {n: p for n, p in configured.items()
              if (portal is None or n == portal) and p.kind != "cxml"}
    accounts = resolve(chosen, SecretBox.load(settings.home))
    results = asyncio.run(read_purchase_orders(accounts, settings.browser))
    outcome: dict[str, str | int] = {}
    for name, orders in results.items():
        if isinstance(orders, str):
            outcome[name] = orders
            continue
        record_portal_read(settings, store, name, orders,
                           review=chosen[name].review_required)
        outcome[name] = len(orders)
    after_run(settings, store)
    return outcome


def recheck_held(settings: Settings, store: Store, portal: str, *,
                 now: datetime | None = None) -> int:
    """After ``po add`` or ``po assign``: check the portal's held invoices against the ledger
    (the portal read on the next run checks again before anything is typed in)."""
    now = now or _now()
    review = bool(settings.portals.get(portal) and settings.portals[portal].review_required)
    with writing(store.engine) as conn:
        released = po_release.release_held(conn, portal, po_ledger.balances(conn, portal),
                                           now=now, review=review)
        po_ledger.refresh(conn, now=now, portal=portal)
    after_run(settings, store, now=now)
    return released


def known_portals(settings: Settings) -> list[str]:
    """The portals a PO can be entered for: the configured ones (the demo flavours on the
    embedded defaults)."""
    return sorted(portal_settings(settings))


def enter_po(settings: Settings, store: Store, portal: str, read: PoRead, *,
             customer: str | None, actor: str, now: datetime | None = None) -> int:
    """``arbridge po add`` and the web form: store a PO a client sent (audited with
    ``actor``), then release the held invoices that now fit. Returns how many."""
    from config.errors import InputError

    known = known_portals(settings)
    if portal not in known:
        raise InputError(f"unknown portal {portal!r} (configured: {', '.join(known)})")
    now = now or _now()
    check_valid_to(read, now.date())
    with writing(store.engine) as conn:
        read = _keep_invoiced(conn, portal, read)
        po_ledger.add_manual(conn, portal, read, customer=customer or None, actor=actor,
                             now=now)
    return recheck_held(settings, store, portal, now=now)


def _keep_invoiced(conn: Connection, portal: str, read: PoRead) -> PoRead:
    """A PO the ledger already has, entered again: the top-up rule (``sync.po.entry``)."""
    ledger = po_ledger.LEDGER
    known = conn.execute(select(ledger.c.currency, ledger.c.invoiced).where(
        ledger.c.portal == portal, ledger.c.number == read.number)).first()
    if known is None:
        return read
    return top_up(read, portal=portal, known_currency=known.currency,
                  known_invoiced=Decimal(known.invoiced))


def assign_po(settings: Settings, store: Store, document: str, po_number: str, *, actor: str,
              now: datetime | None = None) -> tuple[uploads.Upload, int]:
    """``arbridge po assign`` and the web form: re-point an invoice to another PO (audited
    with ``actor``), then check the portal's held invoices again. Returns the upload as it
    stands afterwards and how many held invoices were released."""
    now = now or _now()
    with writing(store.engine) as conn:
        upload = po_release.assign(conn, document, po_number, who=actor, now=now)
    released = recheck_held(settings, store, upload.portal, now=now)
    with store.engine.connect() as conn:
        return uploads.get(conn, upload.id), released
