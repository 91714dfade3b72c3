"""The demo's second channel: some customers of each demo flavour are bound to its cXML
endpoint (``demo-coupa-cxml``, ``demo-ariba-cxml``), so ``arbridge demo`` shows both; the
``channels`` count of ``--json``'s ``portals`` section."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from sync.tables import table_of

if TYPE_CHECKING:
    from config.portals import PortalSettings
    from sync.store import Store

SHARE = 3  # one customer in SHARE of each flavour goes over cXML


def _picked(number: str) -> bool:
    return int(hashlib.sha256(number.encode()).hexdigest()[:8], 16) % SHARE == 0


def bind_cxml_customers(store: Store) -> int:
    """Move a deterministic third of each demo flavour's customers to its cXML portal (only
    customers with nothing uploaded yet, so a re-run keeps every invoice on one channel; never
    the flavour's last browser customer)."""
    from sqlalchemy import func, select, update

    from portals.demo.seed import DEMO_CXML_PORTALS, FLAVOUR_OF
    from sync.mirror.models import CustomerRow
    from sync.txn import writing
    from sync.uploads.queue import UPLOADS

    table = table_of(CustomerRow)
    target = {FLAVOUR_OF[p]: p for p in FLAVOUR_OF}
    to_cxml = {f: name for name, f in DEMO_CXML_PORTALS.items()}
    moved = 0
    with writing(store.engine) as conn:
        bound = dict(conn.execute(select(table.c.portal, func.count()).where(
            table.c.portal.in_(list(target.values()))).group_by(table.c.portal)).all())
        rows = conn.execute(select(table.c.company_code, table.c.number, table.c.portal).where(
            table.c.portal.in_(list(target.values())),
            ~select(UPLOADS.c.id).where(UPLOADS.c.customer == table.c.number).exists())
            .order_by(table.c.number, table.c.company_code)).all()
        picked: dict[str, list[tuple[str, str]]] = {}
        for company, number, portal in rows:
            if _picked(number):
                picked.setdefault(portal, []).append((company, number))
        for portal, chosen in picked.items():
            # a small book may pick all of a flavour's customers: one stays in the browser,
            # so the demo still shows that portal (and its PO story) on every book
            for company, number in chosen[1:] if len(chosen) >= bound[portal] else chosen:
                conn.execute(update(table).where(table.c.company_code == company,
                                                 table.c.number == number).values(
                    portal=to_cxml[FLAVOUR_OF[portal]]))
                moved += 1
    return moved


def channel_counts(store: Store, portals: dict[str, PortalSettings]) -> dict[str, int]:
    """Uploads per channel (every state): ``{"browser": N, "cxml": N}``."""
    from sqlalchemy import func, select

    from sync.uploads.queue import UPLOADS

    counts = {"browser": 0, "cxml": 0}
    with store.engine.connect() as conn:
        for portal, count in conn.execute(select(UPLOADS.c.portal, func.count()).group_by(
                UPLOADS.c.portal)):
            settings = portals.get(portal)
            channel = settings.channel if settings else "browser"
            counts[channel] += int(count)
    return counts


def network_sends_statuses(settings, store: Store, portals: dict[str, PortalSettings]  # type: ignore[no-untyped-def]
                           ) -> dict[str, int]:
    """The demo networks' side of the round trip: for the invoices on their cXML portals, a
    ``StatusUpdateRequest`` each (chosen by invoice number: a fifth paid, about half approved)
    posted to arbridge's inbound endpoint (the admin app, served on loopback for the moment).
    States move within the ``submitted`` group of ``--json``, so its numbers stay what they were."""
    from admin.app import create_app
    from portals.demo import cxml_outbound
    from portals.demo.seed import DEMO_CXML_PORTALS
    from sync.uploads import queue as uploads
    from workers.web_server import ThreadedServer

    answered: dict[str, int] = {}
    app = create_app(settings.model_copy(update={"portals": portals}), engine=store.engine)
    with ThreadedServer(app, name="demo-inbound") as server, store.engine.connect() as conn:
        for portal in DEMO_CXML_PORTALS:
            cxml = portals[portal].cxml
            assert cxml is not None
            for upload in uploads.by_state(conn, "submitted", portal):
                number = int(upload.invoice_number)  # the same choice on every run
                status = "paid" if number % 5 == 0 else "reconciled" if number % 2 else ""
                if not status:
                    continue
                document = cxml_outbound.status_update(
                    payload_id=f"demo-{portal}-{upload.invoice_number}-{status}",
                    invoice=upload.invoice_number, status=status, buyer=cxml.to.identity,
                    supplier=cxml.sender_from.identity)
                code, _ = cxml_outbound.send(f"{server.url}/cxml/inbound", document)
                answered[str(code)] = answered.get(str(code), 0) + 1
    return answered
