"""One test's world against the demo portal on loopback: settings, a store with a customer
bound to the portal under test, and the demo state behind that portal. The browser flavours
(tests/e2e) and the cXML portals (tests/portals/cxml) subclass :class:`DemoWorld` with the
run of their own channel."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import ClassVar, TypeVar

from config.settings import Settings, load_settings
from portals.demo.state import PortalState
from sync.mirror.writes import BILLING_DOCUMENTS, CUSTOMERS
from sync.store import Store, open_store
from sync.uploads import queue as uploads
from sync.upsert import upsert
from workers.web_server import DemoServer

CUSTOMER = "0000100001"
CUSTOMER_NAME = "Karoo Mining (Pty) Ltd"


@dataclass
class DemoWorld:
    settings: Settings
    store: Store
    server: DemoServer
    portal: str

    STATES: ClassVar[Mapping[str, str]] = {}  # portal -> the demo server's state behind it

    @property
    def state(self) -> PortalState:
        return self.server.states[self.STATES[self.portal]]

    def add_po(self, number: str, total: str, **kwargs: object) -> None:
        self.state.add_purchase_order(number=number, client=CUSTOMER_NAME,
                                      issued=date(2026, 10, 1), total=Decimal(total), **kwargs)

    def vat_on(self, net: Decimal) -> Decimal:
        """The tax of an invoice added without one: 15%."""
        return net * Decimal("0.15")

    def add_invoice(self, number: int, po: str, net: str = "1000.00", *,
                    tax: str | None = None, customer: str = CUSTOMER,
                    currency: str = "ZAR", doc_type: str = "F2",
                    reference: str | None = None) -> str:
        """A billing document in the store, billed today to a bound customer (``doc_type``
        G2 with ``reference``: a credit memo naming the invoice it credits)."""
        now = datetime.now(UTC)
        value = Decimal(net)
        vat = Decimal(tax) if tax is not None else self.vat_on(value)
        document = f"{number:010d}"
        with self.store.engine.begin() as conn:
            upsert(conn, BILLING_DOCUMENTS.table, [{
                "number": document, "doc_type": doc_type, "company_code": "1000",
                "sold_to": customer, "payer": customer, "billing_date": date.today(),
                "net": value, "tax": vat, "gross": value + vat, "currency": currency,
                "customer_po": po, "accounting_document": None, "fiscal_year": 2026,
                "cancelled": False, "changed_at": now, "synced_at": now,
                "reference": reference}],
                BILLING_DOCUMENTS.keys)
        return document

    def find_upload(self, document: str) -> uploads.Upload | None:
        """The document's upload, or None while it is not queued yet."""
        with self.store.engine.connect() as conn:
            return uploads.by_document(conn, document)

    def upload(self, document: str) -> uploads.Upload:
        found = self.find_upload(document)
        assert found is not None, f"no upload of {document}"
        return found

    def attempts(self, document: str) -> list[dict]:
        with self.store.engine.connect() as conn:
            return uploads.attempts_of(conn, self.upload(document).id)


def add_customer(store: Store, portal: str, number: str = CUSTOMER,
                 name: str = CUSTOMER_NAME) -> None:
    """A customer of company code 1000 bound to ``portal``."""
    with store.engine.begin() as conn:
        upsert(conn, CUSTOMERS.table, [{
            "company_code": "1000", "number": number, "name": name,
            "vat_number": "4000000001", "payment_terms": "Z030", "email": None, "phone": None,
            "city": "Kimberley", "country": "ZA", "customer_group": None, "portal": portal,
            "synced_at": datetime.now(UTC)}], CUSTOMERS.keys)


W = TypeVar("W", bound=DemoWorld)


def new_world(kind: type[W], tmp_path: Path, server: DemoServer, portal: str,
              database_url: str | None = None) -> W:
    """A world of ``kind`` for ``portal``: a fresh home and store, the customer bound to it."""
    settings = load_settings(home=tmp_path / "home", database_url=database_url)
    store = open_store(settings, create=True)
    add_customer(store, portal)
    return kind(settings=settings, store=store, server=server, portal=portal)
