"""The demo portal rejects what real portals reject (over HTTP, no browser)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pyotp
import pytest
import requests

from workers.web_server import DemoServer

PDF = ("invoice.pdf", b"%PDF-1.4 demo")


@pytest.fixture
def portal(tmp_path):
    with DemoServer(tmp_path) as server:
        state = server.states["coupa"]
        state.add_account("ap@supplier.example", "pw", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
        state.add_purchase_order(number="PO1", client="Karoo", issued=date(2026, 11, 1),
                                 total=Decimal("1000.00"))
        state.add_purchase_order(number="OLD", client="Karoo", issued=date(2025, 1, 1),
                                 total=Decimal("1000.00"), valid_to=date.today() - timedelta(1))
        state.add_purchase_order(number="SHUT", client="Karoo", issued=date(2025, 1, 1),
                                 total=Decimal("1000.00"), status="Closed")
        session = requests.Session()
        session.post(f"{server.url}/coupa/login",
                     data={"user[login]": "ap@supplier.example", "user[password]": "pw"})
        code = pyotp.TOTP("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP").now()
        session.post(f"{server.url}/coupa/two_factor", data={"otp_code": code})
        yield server, session


def submit(server, session, po: str, number: str, net: str, files=None):  # type: ignore[no-untyped-def]
    return session.post(f"{server.url}/coupa/orders/{po}/invoices", data={
        "invoice_number": number, "invoice_date": "2026-11-20", "line_amount": net,
        "tax_amount": "0", "currency": "ZAR"},
        files={"attachment": PDF} if files is None else files)


def test_sign_in_needs_the_second_factor(tmp_path):
    with DemoServer(tmp_path) as server:
        server.states["coupa"].add_account("a", "pw", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
        session = requests.Session()
        landed = session.post(f"{server.url}/coupa/login",
                              data={"user[login]": "a", "user[password]": "pw"})
        assert landed.url.endswith("/two_factor")
        assert session.get(f"{server.url}/coupa/orders").url.endswith("/login?expired=1")
        bad = session.post(f"{server.url}/coupa/login",
                           data={"user[login]": "a", "user[password]": "nope"})
        assert bad.status_code == 401 and "Invalid email or password" in bad.text


def test_rejections_real_portals_make(portal):
    server, session = portal
    assert submit(server, session, "PO1", "INV1", "600").status_code == 200
    cases = {
        ("PO1", "INV1", "10"): "already been used",
        ("PO1", "INV2", "400.01"): "exceeds the remaining PO balance 400.00",
        ("OLD", "INV3", "10"): "expired on",
        ("SHUT", "INV4", "10"): "is closed",
    }
    for (po, number, net), message in cases.items():
        answer = submit(server, session, po, number, net)
        assert answer.status_code == 422 and message in answer.text, (po, number)
    missing = submit(server, session, "PO1", "INV5", "10", files={})
    assert missing.status_code == 422 and "PDF attachment is required" in missing.text
    assert [i.number for i in server.states["coupa"].invoices()] == ["INV1"]


def test_fault_switches_slow_errors_and_layout(portal):
    server, session = portal
    state = server.states["coupa"]
    state.set_fault("fail_next", 1)
    assert session.get(f"{server.url}/coupa/orders").status_code == 500
    assert session.get(f"{server.url}/coupa/orders").status_code == 200
    state.set_fault("layout", "v2")
    assert 'id="po-list"' in session.get(f"{server.url}/coupa/orders").text


def test_po_balance_follows_submits_rejections_and_a_reopened_file(tmp_path):
    """The PO's billed total is kept beside the invoices (no scan of every invoice per submit):
    a rejected invoice gives its amount back, a reinstated one takes it again, and another
    process opening the file reads the same balance."""
    from portals.demo.state import PortalState

    state = PortalState(tmp_path / "coupa.db")
    state.add_purchase_order(number="PO1", client="Karoo", issued=date(2026, 11, 1),
                             total=Decimal("1000.00"))
    for number, net in (("A1", "100.10"), ("A2", "200.20")):
        state.submit_invoice(number=number, po_number="PO1", invoice_date=date(2026, 11, 20),
                             net=Decimal(net), tax=Decimal(0), currency="ZAR",
                             attachment_name="a.pdf", attachment_size=1, today=date(2026, 11, 20))
    assert state.purchase_order("PO1").remaining == Decimal("699.70")
    state.set_invoice_status("A1", "Rejected", "wrong price")
    assert state.purchase_order("PO1").remaining == Decimal("799.80")
    state.set_invoice_status("A1", "Rejected", "still wrong")  # no second give-back
    assert PortalState(tmp_path / "coupa.db").purchase_order("PO1").remaining == \
        Decimal("799.80")
    state.set_invoice_status("A1", "Approved")
    assert [p.remaining for p in state.purchase_orders()] == [Decimal("699.70")]
    assert state.purchase_order("NONE") is None
