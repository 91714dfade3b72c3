"""What the network sends back, at the admin app's ``POST /cxml/inbound``: statuses update the
upload, remittances become advices for cash application; a replay changes nothing, a wrong
shared secret is refused, and every answer is a cXML Response."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from sqlalchemy import select

from admin.app import create_app
from config.secrets import SecretBox
from portals.demo import cxml_outbound
from portals.demo.seed import demo_cxml_accounts
from sync.cash import store as cash_store
from tests.portals.cxml.conftest import World

BUYER, SUPPLIER = "AN02-coupa-buyer", "AN01000000001"


@pytest.fixture
def sent(coupa: World) -> str:
    coupa.add_po("PO-100", "50000.00")
    document = coupa.add_invoice(90000001, "PO-100", "1000.00")
    assert coupa.run() == {"submitted": 1}
    return document


@pytest.fixture
def client(coupa: World) -> Iterator[TestClient]:
    box = SecretBox.load(coupa.settings.home)
    portals = {coupa.portal: demo_cxml_accounts(coupa.server.url, box)[coupa.portal]}
    settings = coupa.settings.model_copy(update={"portals": portals})
    with TestClient(create_app(settings, engine=coupa.store.engine),
                    base_url="http://127.0.0.1") as test_client:
        yield test_client


def status(reply) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    node = etree.fromstring(reply.content).find("Response/Status")
    return node.get("code"), node.get("text")


def post(client: TestClient, document: bytes):  # type: ignore[no-untyped-def]
    return client.post("/cxml/inbound", content=document,
                       headers={"Content-Type": "text/xml"})


def test_status_updates_move_the_upload(client: TestClient, coupa: World, sent: str) -> None:
    approved = cxml_outbound.status_update(payload_id="s-1", invoice="90000001",
                                           status="reconciled", buyer=BUYER, supplier=SUPPLIER)
    assert status(post(client, approved)) == ("200", "OK: invoice 90000001 approved")
    assert coupa.upload(sent).state == "approved"
    paid = cxml_outbound.status_update(payload_id="s-2", invoice="90000001", status="paid",
                                       buyer=BUYER, supplier=SUPPLIER)
    assert status(post(client, paid))[0] == "200"
    assert coupa.upload(sent).state == "paid"


def test_rejection_carries_the_buyers_reason(client: TestClient, coupa: World,
                                             sent: str) -> None:
    rejected = cxml_outbound.status_update(payload_id="s-1", invoice="90000001",
                                           status="rejected", reason="Wrong cost centre",
                                           buyer=BUYER, supplier=SUPPLIER)
    assert status(post(client, rejected))[0] == "200"
    upload = coupa.upload(sent)
    assert (upload.state, upload.reason) == ("rejected", "Wrong cost centre")


def test_replayed_message_gets_the_same_answer_and_changes_nothing(
        client: TestClient, coupa: World, sent: str) -> None:
    rejected = cxml_outbound.status_update(payload_id="s-1", invoice="90000001",
                                           status="rejected", reason="first",
                                           buyer=BUYER, supplier=SUPPLIER)
    first = status(post(client, rejected))
    with coupa.store.engine.begin() as conn:  # a person re-opens it meanwhile
        from sync.uploads import queue as uploads
        uploads.transition(conn, coupa.upload(sent).id, "submitted",
                           now=__import__("datetime").datetime.now(
                               __import__("datetime").timezone.utc))
    assert status(post(client, rejected)) == first
    assert coupa.upload(sent).state == "submitted"


def test_wrong_shared_secret_is_refused(client: TestClient, coupa: World, sent: str) -> None:
    forged = cxml_outbound.status_update(payload_id="s-1", invoice="90000001", status="paid",
                                         buyer=BUYER, supplier=SUPPLIER, secret="guess")
    reply = post(client, forged)
    assert reply.status_code == 401 and status(reply)[0] == "401"
    assert coupa.upload(sent).state == "submitted"
    genuine = cxml_outbound.status_update(payload_id="s-1", invoice="90000001", status="paid",
                                          buyer=BUYER, supplier=SUPPLIER)
    assert status(post(client, genuine))[0] == "200"  # the refused payloadID was not kept


def test_remittance_becomes_an_advice_once(client: TestClient, coupa: World,
                                           sent: str) -> None:
    remittance = cxml_outbound.payment_remittance(
        payload_id="r-1", reference="PAY-77", paid_on=date(2026, 12, 4),
        invoices=[("90000001", Decimal("1150.00"))], buyer=BUYER, supplier=SUPPLIER)
    assert status(post(client, remittance)) == (
        "200", "OK: remittance PAY-77 with 1 lines")
    assert status(post(client, remittance))[0] == "200"
    with coupa.store.engine.connect() as conn:
        advices = conn.execute(select(cash_store.ADVICES)).all()
        lines = conn.execute(select(cash_store.LINES)).all()
    assert len(advices) == 1
    advice = advices[0]._mapping
    assert (advice["payer"], advice["payment_reference"], advice["total"],
            advice["currency"]) == ("Karoo Mining (Pty) Ltd", "PAY-77", Decimal("1150.00"),
                                    "ZAR")
    assert [(r._mapping["invoice_ref"], r._mapping["paid"]) for r in lines] == [
        ("90000001", Decimal("1150.00"))]


def test_hostile_and_oversized_messages_are_refused(client: TestClient, sent: str) -> None:
    hostile = (b'<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY x SYSTEM '
               b'"file:///etc/passwd">]><cXML payloadID="h" timestamp="t">&x;</cXML>')
    assert post(client, hostile).status_code in (401, 406)
    big = b"<cXML>" + b" " * 1_100_000 + b"</cXML>"
    assert post(client, big).status_code == 413




@pytest.mark.parametrize(("amount", "currency"), [
    ("NaN", "ZAR"), ("-Infinity", "ZAR"), ("-1150.00", "ZAR"), ("1e20", "ZAR"),
    ("1150.001", "ZAR"), ("1150.00", ""), ("1150.00", "rand")])
def test_remittance_with_an_impossible_amount_or_currency_is_refused_whole(
        client: TestClient, coupa: World, sent: str, amount: str, currency: str) -> None:
    remittance = cxml_outbound.payment_remittance(
        payload_id="r-bad", reference="PAY-78", paid_on=date(2026, 12, 4),
        invoices=[("90000001", Decimal("1.00"))], currency="ZAR", buyer=BUYER,
        supplier=SUPPLIER).replace(b">1.00<", f">{amount}<".encode(), 1).replace(
        b'currency="ZAR"', f'currency="{currency}"'.encode(), 1)
    code, text = status(post(client, remittance))
    assert code == "400" and "detail 1" in text, text
    with coupa.store.engine.connect() as conn:
        assert conn.execute(select(cash_store.ADVICES)).all() == []


def test_an_overlong_payload_id_is_refused_and_changes_nothing(client: TestClient,
                                                               coupa: World, sent: str) -> None:
    paid = cxml_outbound.status_update(payload_id="p" * 251, invoice="90000001",
                                       status="paid", buyer=BUYER, supplier=SUPPLIER)
    reply = post(client, paid)
    assert reply.status_code == 406 and "payloadID" in status(reply)[1]
    assert coupa.upload(sent).state == "submitted"


@pytest.mark.parametrize("foreign", [False, True])
def test_remittance_naming_an_invoice_not_of_this_portal_is_refused_whole(
        client: TestClient, coupa: World, sent: str, foreign: bool) -> None:
    """An unknown invoice, or one uploaded through another portal: 400 naming the line, no
    advice (the payer would have been taken from another portal's customer)."""
    from sqlalchemy import update

    from sync.uploads.queue import UPLOADS

    other = "99999999"
    if foreign:
        other = coupa.add_invoice(90000002, "PO-100", "500.00")
        assert coupa.run() == {"submitted": 1}
        with coupa.store.engine.begin() as conn:
            conn.execute(update(UPLOADS).where(UPLOADS.c.billing_document == other)
                         .values(portal="other-ariba"))
    remittance = cxml_outbound.payment_remittance(
        payload_id="r-foreign", reference="PAY-79", paid_on=date(2026, 12, 4),
        invoices=[("90000001", Decimal("1150.00")), (other.lstrip("0"), Decimal("500.00"))],
        buyer=BUYER, supplier=SUPPLIER)
    reply = post(client, remittance)
    code, text = status(reply)
    assert (reply.status_code, code) == (400, "400"), text
    assert "detail 2" in text and other.lstrip("0") in text
    with coupa.store.engine.connect() as conn:
        assert conn.execute(select(cash_store.ADVICES)).all() == []
