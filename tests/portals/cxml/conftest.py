"""Fixtures for the cXML channel: the demo portal on loopback, a store with invoices of a
customer bound to the demo's cXML portal, and the cXML upload run."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from config.secrets import SecretBox
from portals.accounts import PortalAccount, resolve
from portals.cxml_uploads import CxmlUploads
from portals.demo.cxml_state import CxmlState
from portals.demo.seed import DEMO_CXML_PORTALS, demo_cxml_accounts
from sync.mirror import billing_items
from sync.txn import writing
from sync.uploads import queue as uploads
from tests.portals.demo_world import DemoWorld, new_world
from workers.web_server import DemoServer


class NoPdfs:
    """The cXML tests send without attachments unless a test says otherwise."""

    def pdf_for(self, upload, name):  # type: ignore[no-untyped-def]
        raise AssertionError("no PDF expected")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[DemoServer]:
    with DemoServer(tmp_path / "portal") as running:
        yield running


class World(DemoWorld):
    STATES = DEMO_CXML_PORTALS

    def add_po_line(self, po: str, line: int, *, unit_price: str, quantity: str | None,
                    part: str = "P-1") -> None:
        CxmlState(self.state).add_line(po, line, part_id=part, description=f"Part {part}",
                                       unit="EA", unit_price=Decimal(unit_price),
                                       quantity=None if quantity is None else Decimal(quantity))

    def vat_on(self, net: Decimal) -> Decimal:
        """SAP's VAT: the rate on the net, rounded half up to the cent."""
        return super().vat_on(net).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def add_items(self, document: str, *items: tuple[str, str, str, str]) -> None:
        """SAP's items of ``document``, as the pull mirrors them: (material, quantity, net,
        VAT) each, numbered 10, 20, …"""
        rows = [{"billing_document": document, "item": f"{10 * n:06d}", "material": material,
                 "description": f"{material} billed", "quantity": Decimal(quantity),
                 "unit": "EA", "net": Decimal(net), "tax": Decimal(tax)}
                for n, (material, quantity, net, tax) in enumerate(items, start=1)]
        with writing(self.store.engine) as conn:
            billing_items.replace_items(conn, [document], rows, now=datetime.now(UTC),
                                        source="test")

    def account(self, **overrides: object) -> PortalAccount:
        box = SecretBox.load(self.settings.home)
        chosen = demo_cxml_accounts(self.server.url, box, attachments=False)[self.portal]
        chosen = chosen.model_copy(update=overrides)
        return resolve({self.portal: chosen}, box)[self.portal]

    def queue(self) -> None:
        with writing(self.store.engine) as conn:
            uploads.enqueue(conn, now=datetime.now(UTC), portals=[self.portal],
                            credit_memo_portals=[self.portal])
            uploads.route_queued(conn, now=datetime.now(UTC), review_portals=set())

    def run(self, *, pdfs: object | None = None, clock=None, **overrides: object  # type: ignore[no-untyped-def]
            ) -> dict[str, int]:
        self.queue()
        extra = {"clock": clock} if clock else {}
        runner = CxmlUploads(store=self.store, account=self.account(**overrides),
                             pdfs=pdfs or NoPdfs(), evidence_root=self.settings.evidence_path,
                             **extra)
        return runner.run()


def make_world(tmp_path: Path, server: DemoServer, portal: str,
               database_url: str | None = None) -> World:
    return new_world(World, tmp_path, server, portal, database_url)


@pytest.fixture(params=sorted(DEMO_CXML_PORTALS))
def world(request: pytest.FixtureRequest, tmp_path: Path, server: DemoServer) -> World:
    return make_world(tmp_path, server, request.param)


@pytest.fixture
def coupa(tmp_path: Path, server: DemoServer) -> World:
    return make_world(tmp_path, server, "demo-coupa-cxml")


@pytest.fixture
def coupa_on_postgres(tmp_path: Path, server: DemoServer, postgres_url: str) -> World:
    return make_world(tmp_path, server, "demo-coupa-cxml", postgres_url)
