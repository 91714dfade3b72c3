"""Invoices built from SAP's items, end to end against the demo endpoint: one cXML line per
SAP item with SAP's VAT on it, exact to the cent, and the summary SAP's; a line whose VAT is
off is held for a person, naming it, and nothing is sent; a document mirrored without its
items falls back to the spread of its net, its VAT then exactly the rate on each line."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from tests.portals.cxml.conftest import World


def request_of(world: World, document: str) -> etree._Element:
    return etree.fromstring((world.settings.evidence_path / world.portal / document /
                             "attempt-1" / "request.xml").read_bytes())


def test_items_rounded_one_by_one_go_out_as_sap_has_them(world: World) -> None:
    """15% of 100.10 is 15.015: SAP's VAT is 15.02 on each of the two service items, 105.04
    on the document, a cent above 15% of its 700.20."""
    world.add_po("PO-100", "50000.00")
    world.add_po_line("PO-100", 1, unit_price="100.00", quantity="10", part="P-1")
    world.add_po_line("PO-100", 2, unit_price="1", quantity=None, part="SVC")
    document = world.add_invoice(90000001, "PO-100", "700.20", tax="105.04")
    world.add_items(document, ("P-1", "5", "500.00", "75.00"),
                    ("SRV-CONS", "3", "100.10", "15.02"), ("SRV-LOGI", "1", "100.10", "15.02"))
    assert world.run() == {"submitted": 1}
    sent = request_of(world, document)
    assert [(item.get("quantity"), item.find("InvoiceDetailItemReference").get("lineNumber"),
             item.findtext("Tax/Money")) for item in sent.iter("InvoiceDetailItem")] == [
        ("5", "1", "75.00"), ("1", "2", "15.02"), ("1", "2", "15.02")]
    on_portal = world.state.invoice("90000001")
    assert on_portal is not None
    assert (on_portal.net, on_portal.tax) == (Decimal("700.20"), Decimal("105.04"))


def test_an_item_whose_vat_is_a_cent_off_is_held_naming_it(coupa: World) -> None:
    coupa.add_po("PO-100", "50000.00")
    document = coupa.add_invoice(90000002, "PO-100", "200.20", tax="30.05")
    coupa.add_items(document, ("SRV-CONS", "1", "100.10", "15.02"),
                    ("SRV-LOGI", "1", "100.10", "15.03"))
    assert coupa.run() == {"failed": 1}
    upload = coupa.upload(document)
    assert upload.state == "failed"
    assert "item 000020 (SRV-LOGI): SAP's VAT 15.03 ZAR is not the 15.02 that 15% of its " \
        "net 100.10 gives" in (upload.reason or "")
    assert coupa.state.invoices() == []  # nothing sent


def test_without_items_the_spread_goes_out_when_sap_vat_is_the_rate_on_it(coupa: World) -> None:
    coupa.add_po("PO-100", "50000.00")
    exact = coupa.add_invoice(90000003, "PO-100", "1000.00", tax="150.00")
    off = coupa.add_invoice(90000004, "PO-100", "1000.00", tax="150.02")
    assert coupa.run() == {"submitted": 1, "failed": 1}
    assert coupa.upload(exact).state == "submitted"
    assert (coupa.upload(off).reason or "").startswith(
        "cXML invoice 90000004 not sent: SAP's VAT 150.02 is not the 150.00 that 15% of each "
        "line gives;")
    assert [i.number for i in coupa.state.invoices()] == ["90000003"]


def test_a_down_payment_item_below_zero_is_held_and_nothing_is_sent(coupa: World) -> None:
    """SAP's final invoice deducts the down payment as an item of its own, below zero: it
    went out as a cXML line of -100.00 on a standard invoice."""
    coupa.add_po("PO-100", "50000.00")
    document = coupa.add_invoice(90000005, "PO-100", "100.00", tax="15.00")
    coupa.add_items(document, ("SRV-CONS", "1", "200.00", "30.00"),
                    ("SRV-DP", "1", "-100.00", "-15.00"))
    assert coupa.run() == {"failed": 1}
    assert "item 000020 (SRV-DP): net -100.00 ZAR is below zero" in \
        (coupa.upload(document).reason or "")
    assert coupa.state.invoices() == []  # nothing sent
