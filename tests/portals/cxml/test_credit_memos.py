"""Credit memos over cXML, end to end against the demo endpoint: a credit memo in SAP against
an invoice already on the network goes out once, as an InvoiceDetailRequest with
purpose="creditMemo" that names the invoice it credits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from lxml import etree

from tests.portals.cxml.conftest import World


def later(hours: float = 3):  # type: ignore[no-untyped-def]
    return lambda: datetime.now(UTC) + timedelta(hours=hours)


def request_of(world: World, document: str, attempt: int = 1) -> etree._Element:
    return etree.fromstring((world.settings.evidence_path / world.portal / document /
                             f"attempt-{attempt}" / "request.xml").read_bytes())


def test_credit_memo_goes_out_once_against_the_invoice_it_credits(world: World) -> None:
    world.add_po("PO-100", "50000.00")
    invoice = world.add_invoice(90000001, "PO-100", "1000.00")
    assert world.run() == {"submitted": 1}
    memo = world.add_invoice(90000002, "PO-100", "200.00", doc_type="G2", reference=invoice)
    assert world.run(clock=later()) == {"submitted": 1}
    assert world.upload(memo).state == "submitted"
    on_portal = world.state.invoice("90000002")
    assert on_portal is not None and on_portal.gross == Decimal("-230.00")
    assert world.state.purchase_order("PO-100").invoiced == Decimal("800.00")  # given back
    header = request_of(world, memo).find(".//InvoiceDetailRequestHeader")
    assert header.get("purpose") == "creditMemo" and header.get("invoiceID") == "90000002"
    assert header.find("InvoiceIDInfo").get("invoiceID") == "90000001"
    assert world.run(clock=later(6)) == {}  # exactly once
    assert world.state.copies() == {"90000001": 1, "90000002": 1}


def test_credit_memo_waits_until_its_invoice_is_on_the_network(coupa: World) -> None:
    coupa.add_po("PO-100", "50000.00")
    invoice = coupa.add_invoice(90000003, "PO-100", "1000.00")
    memo = coupa.add_invoice(90000004, "PO-100", "1000.00", doc_type="G2", reference=invoice)
    assert coupa.run() == {"submitted": 1}  # the invoice; the credit memo is not queued yet
    assert coupa.state.invoice("90000004") is None
    assert coupa.run(clock=later()) == {"submitted": 1}
    assert coupa.upload(memo).state == "submitted"
    assert coupa.state.purchase_order("PO-100").invoiced == Decimal("0.00")


def test_credit_memo_of_an_invoice_never_sent_is_not_queued(coupa: World) -> None:
    """An invoice of another channel or before go-live: nothing to reference on the network."""
    coupa.add_po("PO-100", "50000.00")
    memo = coupa.add_invoice(90000006, "PO-100", "100.00", doc_type="G2",
                             reference="0090000005")
    assert coupa.run() == {}
    assert coupa.state.invoices() == []
    with coupa.store.engine.connect() as conn:
        from sync.uploads import queue as uploads

        assert uploads.by_document(conn, memo) is None


def test_credit_memo_stored_but_unanswered_is_found_not_sent_again(coupa: World) -> None:
    coupa.add_po("PO-100", "50000.00")
    invoice = coupa.add_invoice(90000007, "PO-100", "1000.00")
    assert coupa.run() == {"submitted": 1}
    memo = coupa.add_invoice(90000008, "PO-100", "500.00", doc_type="G2", reference=invoice)
    coupa.state.set_fault("cxml_store_then_5xx", 1)
    assert coupa.run(clock=later()) == {"submitted": 1}
    assert "found on the portal afterwards" in coupa.attempts(memo)[0]["detail"]
    assert coupa.run(clock=later(6)) == {}
    assert coupa.state.copies() == {"90000007": 1, "90000008": 1}
