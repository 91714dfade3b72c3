"""A cXML PaymentRemittanceRequest from the network, through allocation, to a posting in SAP:
the next pull shows the invoice cleared."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select, update

from config.cash import CashSettings
from config.portals import CxmlIdentity, CxmlSettings, PortalSettings
from connectors.bank.camt_writer import Movement
from connectors.bank.importer import import_statements
from connectors.cash import allocate
from connectors.posting import post_allocations
from portals.accounts import PortalAccount
from portals.cxml_inbound import handle
from portals.demo import cxml_outbound
from sync.cash import allocations
from sync.mirror.models import CustomerRow, OpenItemRow
from sync.tables import table_of
from tests.connectors.cash_helpers import open_invoices, pull_all, statement_file

SECRET = "network-secret"
ACCOUNT = PortalAccount(name="acme-coupa", password=SECRET, settings=PortalSettings(
    kind="cxml", url="https://acme.example", user="AN01", password_encrypted="x",
    cxml=CxmlSettings(flavour="coupa", sender_from=CxmlIdentity(domain="NetworkID",
                                                               identity="AN01"),
                      to=CxmlIdentity(domain="NetworkID", identity="AN02"))))


def test_cxml_remittance_is_allocated_and_posted_to_sap(pulled, client, tmp_path: Path  # type: ignore[no-untyped-def]
                                                        ) -> None:
    [invoice] = open_invoices(pulled, 1)
    number = invoice.billing_document.lstrip("0")
    with pulled.engine.begin() as conn:  # the portal's customer: a remittance names its own
        conn.execute(update(table_of(CustomerRow)).where(
            table_of(CustomerRow).c.number == invoice.customer).values(portal=ACCOUNT.name))
    remittance = cxml_outbound.payment_remittance(
        payload_id="r-1@network", reference="PAY-4711", paid_on=date(2026, 11, 20),
        invoices=[(number, invoice.amount)], buyer="AN02", supplier="AN01", secret=SECRET)
    now = datetime.now(UTC)
    code, text = handle(pulled.engine, remittance, {ACCOUNT.name: ACCOUNT}, now=now)
    assert code == 200, text
    import_statements(pulled, statement_file(tmp_path, "s1.xml", [Movement(
        amount=invoice.amount, bank_ref="B1", booking_date=date(2026, 11, 20),
        reference="PAY-4711", payer="Client")]))
    assert allocate(pulled, CashSettings().policy)["auto"] == 1
    assert post_allocations(pulled, client, CashSettings()).posted == 1
    pull_all(pulled, client)
    with pulled.engine.connect() as conn:
        [allocation] = allocations.listing(conn)
        still_open = conn.execute(select(OpenItemRow.document).where(
            OpenItemRow.document == invoice.document)).first()
    assert allocation.rule == "remittance" and still_open is None
