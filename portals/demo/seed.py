"""Give the demo portals what a client would have put there: a supplier account and the POs
the SAP invoices are billed against — most with room to spare, some about to run dry, a few
expired or closed, so the demo shows holds as well as uploads."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_UP, Decimal

from sqlalchemy import select

from config.portals import PortalSettings
from config.secrets import SecretBox
from portals.demo.state import PortalState
from sync.mirror.models import BillingDocumentRow, CustomerRow
from sync.store import Store
from sync.tables import table_of

DEMO_LOGIN = "accounts@supplier.example"
DEMO_PASSWORD = "demo-Passw0rd!"  # the bundled demo portal's own, public on purpose
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
FLAVOUR_OF = {"demo-coupa": "coupa", "demo-ariba": "ariba"}


def _roll(po_number: str) -> int:
    return int(hashlib.sha256(po_number.encode()).hexdigest()[:8], 16) % 100


def _round_up(value: Decimal, step: Decimal = Decimal("1000")) -> Decimal:
    return (value / step).quantize(Decimal("1"), rounding=ROUND_UP) * step


def seed_portal(state: PortalState, store: Store, portal: str, *, today: date,
                with_totp: bool) -> int:
    """Add the supplier account and one PO per customer PO number billed to ``portal``'s
    customers (POs already there are kept). Returns the number of POs added."""
    state.add_account(DEMO_LOGIN, DEMO_PASSWORD, DEMO_TOTP_SECRET if with_totp else None)
    docs, customers = table_of(BillingDocumentRow), table_of(CustomerRow)
    query = select(docs.c.customer_po, docs.c.net, docs.c.currency, docs.c.billing_date,
                   customers.c.name).join_from(
        docs, customers, (customers.c.number == docs.c.sold_to)
        & (customers.c.company_code == docs.c.company_code)).where(
        customers.c.portal == portal, docs.c.cancelled.is_(False), docs.c.customer_po.is_not(None))
    totals: dict[str, Decimal] = defaultdict(lambda: Decimal("0"))
    details: dict[str, tuple[str, str, date]] = {}
    with store.engine.connect() as conn:
        for po_number, net, currency, billed, client in conn.execute(query):
            totals[po_number] += net
            first = details.get(po_number)
            if first is None or billed < first[2]:
                details[po_number] = (client, currency, billed)
    existing = {po.number for po in state.purchase_orders()}
    added = 0
    for po_number, total in sorted(totals.items()):
        if po_number in existing:
            continue
        client, currency, first_billed = details[po_number]
        roll = _roll(po_number)
        status, valid_to, factor = "Open", today + timedelta(days=365), Decimal("1.25")
        if roll < 12:
            factor = Decimal("0.6")  # runs dry: later invoices are held for a new PO
        elif roll < 16:
            valid_to = today - timedelta(days=3)  # expired last week
        elif roll < 18:
            status = "Closed"
        state.add_purchase_order(number=po_number, client=client, currency=currency,
                                 issued=first_billed - timedelta(days=30),
                                 total=_round_up(total * factor), status=status,
                                 valid_to=valid_to)
        added += 1
    return added


def demo_accounts(url: str, box: SecretBox) -> dict[str, PortalSettings]:
    """Portal settings for both demo flavours served at ``url``, secrets encrypted."""
    password = box.encrypt(DEMO_PASSWORD)
    return {
        "demo-coupa": PortalSettings(kind="demo-coupa", url=f"{url}/coupa", user=DEMO_LOGIN,
                                     password_encrypted=password,
                                     totp_secret_encrypted=box.encrypt(DEMO_TOTP_SECRET)),
        "demo-ariba": PortalSettings(kind="demo-ariba", url=f"{url}/ariba", user=DEMO_LOGIN,
                                     password_encrypted=password),
    }


DEMO_CXML_PORTALS = {"demo-coupa-cxml": "coupa", "demo-ariba-cxml": "ariba"}


def demo_cxml_accounts(url: str, box: SecretBox, *, attachments: bool = True
                       ) -> dict[str, PortalSettings]:
    """Portal settings for the demo's cXML endpoints (``kind = "cxml"``), the shared secret
    encrypted like a portal password."""
    from config.portals import CxmlIdentity, CxmlSettings, RemitTo  # noqa: PLC0415
    from portals.demo.cxml_api import DEMO_CXML_SECRET  # noqa: PLC0415

    secret = box.encrypt(DEMO_CXML_SECRET)
    return {name: PortalSettings(
        kind="cxml", url=f"{url}/{flavour}", user="AN01000000001",
        password_encrypted=secret, concurrency=8, timeout_seconds=15.0,
        cxml=CxmlSettings(
            flavour=flavour,  # type: ignore[arg-type]
            sender_from=CxmlIdentity(domain="NetworkID", identity="AN01000000001"),
            to=CxmlIdentity(domain="NetworkID", identity=f"AN02-{flavour}-buyer"),
            attachments=attachments,
            remit_to=RemitTo(name="Supplier (Pty) Ltd", bank_name="Demo Bank",
                             account_number="62000000001", branch_code="250655")))
        for name, flavour in DEMO_CXML_PORTALS.items()}
