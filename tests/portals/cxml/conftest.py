"""Fixtures for the cXML channel: the demo portal on loopback, a store with invoices of a
customer bound to the demo's cXML portal, and the cXML upload run."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from config.secrets import SecretBox
from config.settings import Settings, load_settings
from portals.accounts import PortalAccount, resolve
from portals.cxml_uploads import CxmlUploads
from portals.demo.cxml_state import CxmlState
from portals.demo.seed import DEMO_CXML_PORTALS, demo_cxml_accounts
from portals.demo.state import PortalState
from sync.mirror.writes import BILLING_DOCUMENTS, CUSTOMERS
from sync.store import Store, open_store
from sync.txn import writing
from sync.uploads import queue as uploads
from sync.upsert import upsert
from workers.web_server import DemoServer

CUSTOMER = "0000100001"


class NoPdfs:
    """The cXML tests send without attachments unless a test says otherwise."""

    def pdf_for(self, upload, name):  # type: ignore[no-untyped-def]
        raise AssertionError("no PDF expected")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[DemoServer]:
    with DemoServer(tmp_path / "portal") as running:
        yield running


@dataclass
class World:
    settings: Settings
    store: Store
    server: DemoServer
    portal: str

    @property
    def state(self) -> PortalState:
        return self.server.states[DEMO_CXML_PORTALS[self.portal]]

    def add_po(self, number: str, total: str, **kwargs: object) -> None:
        self.state.add_purchase_order(number=number, client="Karoo Mining (Pty) Ltd",
                                      issued=date(2026, 10, 1), total=Decimal(total), **kwargs)

    def add_po_line(self, po: str, line: int, *, unit_price: str, quantity: str | None,
                    part: str = "P-1") -> None:
        CxmlState(self.state).add_line(po, line, part_id=part, description=f"Part {part}",
                                       unit="EA", unit_price=Decimal(unit_price),
                                       quantity=None if quantity is None else Decimal(quantity))

    def add_invoice(self, number: int, po: str, net: str = "1000.00", *,
                    tax: str | None = None, currency: str = "ZAR", doc_type: str = "F2",
                    reference: str | None = None) -> str:
        now = datetime.now(UTC)
        value = Decimal(net)
        vat = Decimal(tax) if tax is not None else (value * Decimal("0.15")).quantize(
            Decimal("0.01"))
        document = f"{number:010d}"
        with self.store.engine.begin() as conn:
            upsert(conn, BILLING_DOCUMENTS.table, [{
                "number": document, "doc_type": doc_type, "company_code": "1000",
                "sold_to": CUSTOMER, "payer": CUSTOMER, "billing_date": date.today(),
                "net": value, "tax": vat, "gross": value + vat, "currency": currency,
                "customer_po": po, "accounting_document": None, "fiscal_year": 2026,
                "cancelled": False, "changed_at": now, "synced_at": now,
                "reference": reference}],
                BILLING_DOCUMENTS.keys)
        return document

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

    def upload(self, document: str) -> uploads.Upload:
        with self.store.engine.connect() as conn:
            found = uploads.by_document(conn, document)
        assert found is not None
        return found

    def attempts(self, document: str) -> list[dict]:
        with self.store.engine.connect() as conn:
            return uploads.attempts_of(conn, self.upload(document).id)


def add_customer(store: Store, portal: str) -> None:
    with store.engine.begin() as conn:
        upsert(conn, CUSTOMERS.table, [{
            "company_code": "1000", "number": CUSTOMER, "name": "Karoo Mining (Pty) Ltd",
            "vat_number": "4000000001", "payment_terms": "Z030", "email": None, "phone": None,
            "city": "Kimberley", "country": "ZA", "customer_group": None, "portal": portal,
            "synced_at": datetime.now(UTC)}], CUSTOMERS.keys)


def make_world(tmp_path: Path, server: DemoServer, portal: str,
               database_url: str | None = None) -> World:
    settings = load_settings(home=tmp_path / "home", database_url=database_url)
    store = open_store(settings, create=True)
    add_customer(store, portal)
    return World(settings=settings, store=store, server=server, portal=portal)


@pytest.fixture(params=sorted(DEMO_CXML_PORTALS))
def world(request: pytest.FixtureRequest, tmp_path: Path, server: DemoServer) -> World:
    return make_world(tmp_path, server, request.param)


@pytest.fixture
def coupa(tmp_path: Path, server: DemoServer) -> World:
    return make_world(tmp_path, server, "demo-coupa-cxml")


@pytest.fixture
def coupa_on_postgres(tmp_path: Path, server: DemoServer, postgres_url: str) -> World:
    return make_world(tmp_path, server, "demo-coupa-cxml", postgres_url)
