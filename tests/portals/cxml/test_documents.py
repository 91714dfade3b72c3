"""Documents built from SAP data (invoices and credit memos, a line per SAP item or the net
spread over the PO's lines, VAT exact to the cent) validate against the DTD; each business
check catches what no DTD can see."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from lxml import etree

from config.portals import CxmlIdentity, CxmlSettings, RemitTo
from portals.drivers.cxml import build, mapping, validate
from portals.drivers.cxml.errors import CxmlInvalid
from portals.drivers.cxml.model import (
    BilledItem,
    Credential,
    Credentials,
    CxmlOrder,
    PoLine,
)

SECRET = "s3cr&t<shared>"
CREDENTIALS = Credentials(Credential("NetworkID", "AN01"), Credential("NetworkID", "AN02"),
                          Credential("NetworkID", "AN01"), SECRET)
SETTINGS = CxmlSettings(flavour="coupa",
                        sender_from=CxmlIdentity(domain="NetworkID", identity="AN01"),
                        to=CxmlIdentity(domain="NetworkID", identity="AN02"),
                        remit_to=RemitTo(name="Supplier", bank_name="Demo Bank",
                                         account_number="62000000001", branch_code="250655"))
ORDER = CxmlOrder("PO-1", "ZAR", (
    PoLine(1, "P-1", "Widgets", "EA", D("100.00"), D("500.00"), D(5)),
    PoLine(2, "SVC", "Consulting", "EA", D(1), D("10000.00"))))


def document(net: str = "1234.56", tax: str = "185.18", purpose: str = "standard",
             order: CxmlOrder = ORDER) -> bytes:
    invoice = mapping.from_billing_document(
        number="90000001", purpose=purpose, billing_date=date(2026, 12, 1),  # type: ignore[arg-type]
        net=D(net), tax=D(tax), currency="ZAR", po_number="PO-1", terms="Z030", order=order,
        settings=SETTINGS, attachment_cid="90000001.pdf@arbridge")
    return build.invoice_request(invoice, credentials=CREDENTIALS, payload="p-1@x",
                                 timestamp=datetime(2026, 12, 1, tzinfo=UTC))


def root(data: bytes) -> etree._Element:
    return etree.fromstring(data)


def test_invoice_with_several_lines_and_vat_is_valid() -> None:
    data = document()
    assert validate.dtd_errors(data) == [] and validate.business_errors(data, ORDER) == []
    tree = root(data)
    header = tree.find(".//InvoiceDetailRequestHeader")
    assert header.get("invoiceID") == "90000001" and header.get("purpose") == "standard"
    assert header.get("invoiceDate") == "2026-12-01T00:00:00+02:00"
    assert tree.find(".//PaymentTerm").get("payInNumberOfDays") == "30"
    items = tree.findall(".//InvoiceDetailItem")
    assert [(i.get("quantity"), i.findtext("UnitPrice/Money")) for i in items] == [
        ("5", "100.00"), ("1", "734.56")]
    assert tree.find(".//OrderReference").get("orderID") == "PO-1"
    assert tree.findtext(".//InvoiceDetailSummary/GrossAmount/Money") == "1419.74"
    assert tree.find(".//InvoiceDetailSummary/Tax/TaxDetail").get("percentageRate") == "15"
    assert tree.findtext(".//Extrinsic/Attachment/URL") == "cid:90000001.pdf@arbridge"
    assert tree.find(".//IdReference[@domain='bankAccountID']").get(
        "identifier") == "62000000001"


def test_credit_memo_has_negative_amounts_and_is_valid() -> None:
    data = document("200.00", "30.00", purpose="creditMemo")
    assert validate.dtd_errors(data) == [] and validate.business_errors(data, ORDER) == []
    tree = root(data)
    assert tree.find(".//InvoiceDetailRequestHeader").get("purpose") == "creditMemo"
    assert tree.findtext(".//InvoiceDetailSummary/DueAmount/Money") == "-230.00"
    assert tree.find(".//InvoiceDetailItem").get("quantity") == "-2"


def test_shared_secret_is_masked_in_the_evidence_copy() -> None:
    data = document()
    assert SECRET.encode() not in data  # XML-escaped in the document …
    assert b"s3cr&amp;t" in data
    shown = build.masked(data, SECRET)
    assert b"s3cr" not in shown and b"<SharedSecret>********</SharedSecret>" in shown


def edited(data: bytes, path: str, value: str) -> bytes:
    tree = root(data)
    tree.find(path).text = value
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8",
                          doctype=root_doctype(data))


def root_doctype(data: bytes) -> str:
    return etree.fromstring(data).getroottree().docinfo.doctype


@pytest.mark.parametrize(("path", "value", "reason"), [
    (".//InvoiceDetailSummary/SubtotalAmount/Money", "1234.57", "not the lines' sum"),
    (".//InvoiceDetailItem/Tax/Money", "75.01", "not the lines' tax"),
    (".//InvoiceDetailItem/Tax/TaxDetail/TaxAmount/Money", "75.01", "is not 15% of 500.00"),
    (".//InvoiceDetailSummary/GrossAmount/Money", "1419.75", "not subtotal + tax"),
    (".//InvoiceDetailItem/SubtotalAmount/Money", "500.01", "× unit price"),
])
def test_each_sum_check(path: str, value: str, reason: str) -> None:
    errors = validate.business_errors(edited(document(), path, value), ORDER)
    assert any(reason in e for e in errors), errors


def items_document(*items: BilledItem, net: str, tax: str, purpose: str = "standard",
                   order: CxmlOrder = ORDER) -> bytes:
    invoice = mapping.from_billing_document(
        number="90000002", purpose=purpose, billing_date=date(2026, 12, 1),  # type: ignore[arg-type]
        net=D(net), tax=D(tax), currency="ZAR", po_number="PO-1", terms="Z030", order=order,
        settings=SETTINGS, items=items)
    return build.invoice_request(invoice, credentials=CREDENTIALS, payload="p-2@x",
                                 timestamp=datetime(2026, 12, 1, tzinfo=UTC))


def item(number: str, material: str, quantity: str, net: str, tax: str,
         unit: str = "EA") -> BilledItem:
    return BilledItem(number=number, material=material, description=f"{material} billed",
                      quantity=D(quantity), unit=unit, net=D(net), tax=D(tax))


# SAP rounds VAT per item: 15% of 100.10 is 15.015, 15.02 on each of two items; the document's
# 105.04 is one cent above 15% of its 700.20 (105.03)
ITEMS = (item("000010", "P-1", "5", "500.00", "75.00"),
         item("000020", "SRV-CONS", "3", "100.10", "15.02", unit="H"),
         item("000030", "SRV-LOGI", "1", "100.10", "15.02"))


def test_each_sap_item_is_a_line_with_its_vat_exact_and_the_summary_is_saps() -> None:
    data = items_document(*ITEMS, net="700.20", tax="105.04")
    assert validate.dtd_errors(data) == [] and validate.business_errors(data, ORDER) == []
    tree = root(data)
    lines = [(i.get("quantity"), i.find("InvoiceDetailItemReference").get("lineNumber"),
              i.findtext("InvoiceDetailItemReference/ItemID/SupplierPartID"),
              i.findtext("UnitPrice/Money"), i.findtext("Tax/Money"))
             for i in tree.findall(".//InvoiceDetailItem")]
    assert lines == [("5", "1", "P-1", "100.00", "75.00"),  # its material's (quantity) line
                     ("1", "2", "SVC", "100.10", "15.02"),  # line 1 is full: the next open
                     ("1", "2", "SVC", "100.10", "15.02")]
    assert tree.findtext(".//InvoiceDetailItem[2]/InvoiceDetailItemReference/Description") == \
        "SRV-CONS billed"
    assert tree.findtext(".//InvoiceDetailSummary/Tax/Money") == "105.04"
    assert tree.findtext(".//InvoiceDetailSummary/GrossAmount/Money") == "805.24"


def test_an_item_whose_sap_vat_is_a_cent_off_the_rate_is_held_naming_it() -> None:
    off = (*ITEMS[:2], item("000030", "SRV-LOGI", "1", "100.10", "15.03"))
    with pytest.raises(CxmlInvalid) as held:
        items_document(*off, net="700.20", tax="105.05")
    assert held.value.reasons == ["item 000030 (SRV-LOGI): SAP's VAT 15.03 ZAR is not the "
                                  "15.02 that 15% of its net 100.10 gives"]


def test_a_quantity_line_takes_the_item_at_the_po_price_or_holds_it() -> None:
    cheaper = (item("000010", "P-1", "5", "499.99", "75.00"),)
    with pytest.raises(CxmlInvalid, match=r"item 000010 \(P-1\): 5 EA at the PO line 1 unit "
                                          "price 100.00 is 500.00 ZAR, not SAP's net 499.99"):
        items_document(*cheaper, net="499.99", tax="75.00")


def test_an_item_below_zero_or_of_no_quantity_is_held_naming_it() -> None:
    """A down-payment or rebate item (net below zero) and an item of no quantity on a
    quantity line cannot be cXML invoice lines: they were sent as lines of -100.00 and of 0."""
    with pytest.raises(CxmlInvalid) as held:
        items_document(item("000010", "SRV-CONS", "1", "200.00", "30.00"),
                       item("000020", "SRV-DP", "1", "-100.00", "-15.00"),
                       item("000030", "P-1", "0", "0.00", "0.00"), net="100.00", tax="15.00")
    assert held.value.reasons == [
        "item 000020 (SRV-DP): net -100.00 ZAR is below zero (a down-payment, rebate or "
        "discount item): no cXML line bills it, a person checks the billing document in SAP",
        "item 000030 (P-1): quantity 0 is not above zero: a cXML line bills a quantity, a "
        "person checks the billing document in SAP"]


@pytest.mark.parametrize(("purpose", "path", "value", "reason"), [
    ("standard", ".//InvoiceDetailItem", "0", "line 1: quantity 0 at unit price 100.00"),
    ("standard", ".//InvoiceDetailItem", "-5", "line 1: quantity -5 at unit price 100.00"),
    ("creditMemo", ".//InvoiceDetailItem", "2", "line 1: quantity 2 at unit price 100.00"),
])
def test_a_line_of_no_quantity_or_the_wrong_sign_is_refused(purpose: str, path: str,
                                                              value: str, reason: str) -> None:
    tree = root(document("500.00", "75.00", purpose=purpose))
    line = tree.find(path)
    line.set("quantity", value)
    subtotal = D(value) * D("100.00")
    line.find("SubtotalAmount/Money").text = f"{subtotal:.2f}"
    data = etree.tostring(tree, xml_declaration=True, encoding="UTF-8",
                          doctype=tree.getroottree().docinfo.doctype)
    errors = validate.business_errors(data, ORDER)
    assert any(e.startswith(reason) for e in errors), errors


def test_a_line_priced_below_zero_is_refused() -> None:
    data = items_document(item("000010", "SRV-CONS", "1", "200.00", "30.00"), net="200.00",
                          tax="30.00")
    for path, value in ((".//InvoiceDetailItem/UnitPrice/Money", "-200.00"),
                        (".//InvoiceDetailItem/SubtotalAmount/Money", "-200.00")):
        data = edited(data, path, value)
    errors = validate.business_errors(data, ORDER)
    assert "line 1: quantity 1 at unit price -200.00: a line of an invoice bills a quantity " \
        "above zero at a price not below zero" in errors, errors


def test_items_that_do_not_add_up_to_the_document_are_held() -> None:
    with pytest.raises(CxmlInvalid) as held:
        items_document(*ITEMS, net="700.21", tax="105.03")
    assert held.value.reasons == [
        "SAP's items add up to a net of 700.20 ZAR, not the document's 700.21: a person "
        "checks the billing document in SAP",
        "SAP's VAT 105.03 ZAR on the document is not the 105.04 of its items: a person "
        "checks the VAT in SAP"]


def test_an_item_no_open_line_has_room_for_is_held_until_a_new_po() -> None:
    small = CxmlOrder("PO-1", "ZAR", (ORDER.lines[0],
                                      PoLine(2, "SVC", "Consulting", "EA", D(1), D("150.00"))))
    with pytest.raises(CxmlInvalid) as held:
        items_document(*ITEMS, net="700.20", tax="105.04", order=small)
    assert held.value.reasons == ["item 000030 (SRV-LOGI): 100.10 ZAR cannot be billed on the "
                                  "open lines of PO PO-1 (no line for its material, none with "
                                  "room)"]


def test_a_credit_memo_from_items_gives_each_back_on_its_line() -> None:
    data = items_document(*ITEMS[1:], net="200.20", tax="30.04", purpose="creditMemo")
    assert validate.business_errors(data, ORDER) == []
    tree = root(data)
    assert [i.findtext("Tax/Money") for i in tree.findall(".//InvoiceDetailItem")] == \
        ["-15.02", "-15.02"]
    assert tree.findtext(".//InvoiceDetailSummary/Tax/Money") == "-30.04"


def test_without_items_sap_vat_must_be_the_rate_on_each_spread_line_exactly() -> None:
    """A document mirrored without its items: the net is spread over the PO's lines, each
    line's VAT the rate on it rounded half up (75.00 + 110.184 → 185.18); SAP's VAT must be
    their sum to the cent, else a person checks it."""
    assert root(document(tax="185.18")).findtext(".//InvoiceDetailSummary/Tax/Money") == \
        "185.18"
    service = CxmlOrder("PO-1", "ZAR", (PoLine(1, "SVC", "Consulting", "EA", D(1),
                                               D("50000.00")),))
    with pytest.raises(CxmlInvalid) as held:
        document(net="1000.00", tax="150.02", order=service)
    assert held.value.reasons[0].startswith(
        "SAP's VAT 150.02 is not the 150.00 that 15% of each line gives; the document's "
        "items are not in the store")
    assert "a person checks the VAT in SAP" in held.value.reasons[0]
    for tax in ("185.17", "185.19"):
        with pytest.raises(CxmlInvalid, match=f"SAP's VAT {tax} is not the 185.18"):
            document(tax=tax)


def test_a_line_tax_a_cent_off_the_rate_is_refused() -> None:
    data = edited(document(), ".//InvoiceDetailItem[2]/Tax/TaxDetail/TaxAmount/Money",
                  "110.19")
    errors = validate.business_errors(data, ORDER)
    assert "line 2: tax 110.19 is not 15% of 734.56 (110.18)" in errors, errors


def test_the_summary_tax_detail_must_carry_the_lines_tax() -> None:
    data = edited(items_document(*ITEMS, net="700.20", tax="105.04"),
                  ".//InvoiceDetailSummary/Tax/TaxDetail/TaxAmount/Money", "105.03")
    errors = validate.business_errors(data, ORDER)
    assert "summary tax detail 105.03 on 700.20 is not the summary's tax 105.04 on its " \
        "subtotal 700.20" in errors, errors


def test_invoice_lines_on_one_po_line_are_checked_together() -> None:
    data = items_document(*ITEMS, net="700.20", tax="105.04")
    tight = CxmlOrder("PO-1", "ZAR", (ORDER.lines[0],
                                      PoLine(2, "SVC", "Consulting", "EA", D(1), D("200.19"))))
    errors = validate.business_errors(data, tight)
    assert "lines 2, 3: 200.20 ZAR exceeds the 200.19 open on PO PO-1 line 2" in errors, errors


def test_po_line_must_exist() -> None:
    data = document()
    short = CxmlOrder("PO-1", "ZAR", ORDER.lines[:1])
    assert any("has no line 2" in e for e in validate.business_errors(data, short))


def test_open_quantity_and_amount_are_checked() -> None:
    data = document()
    tight = CxmlOrder("PO-1", "ZAR", (
        PoLine(1, "P-1", "Widgets", "EA", D("100.00"), D("500.00"), D(4)),
        PoLine(2, "SVC", "Consulting", "EA", D(1), D("700.00"))))
    errors = validate.business_errors(data, tight)
    assert any("quantity 5 exceeds the 4 open" in e for e in errors), errors
    assert any("734.56 ZAR exceeds the 700.00 open" in e for e in errors), errors


def test_currency_must_be_the_pos() -> None:
    data = document()
    dollars = CxmlOrder("PO-1", "USD", ORDER.lines)
    assert any("currency ZAR is not the PO's USD" in e
               for e in validate.business_errors(data, dollars))


def test_net_that_does_not_fit_the_open_lines_is_held_with_the_reason() -> None:
    small = CxmlOrder("PO-1", "ZAR", ORDER.lines[:1])
    with pytest.raises(CxmlInvalid, match="cannot be billed on the open lines of PO PO-1"):
        document(order=small)


def test_dtd_catches_a_missing_element_naming_the_line() -> None:
    tree = root(document())
    summary = tree.find(".//InvoiceDetailSummary")
    summary.remove(summary.find("DueAmount"))
    data = etree.tostring(tree, xml_declaration=True, encoding="UTF-8",
                          doctype=root_doctype(document()))
    with pytest.raises(CxmlInvalid, match=r"line \d+: .*InvoiceDetailSummary"):
        validate.check(data, ORDER, invoice="90000001")


def test_official_dtd_is_used_when_supplied(tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "1.2.045"
    folder.mkdir()
    (folder / "InvoiceDetail.dtd").write_text("<!ELEMENT cXML (Nothing)>\n")
    errors = validate.dtd_errors(document(), (tmp_path,))
    assert errors and "InvoiceDetail.dtd" in errors[0]


def test_entities_are_not_expanded() -> None:
    hostile = (b'<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
               b'<cXML payloadID="a" timestamp="b">&x;</cXML>')
    tree = validate.parse(hostile)
    assert b"root:" not in etree.tostring(tree)


def test_three_decimal_currency_is_exact_to_its_smallest_unit() -> None:
    order = CxmlOrder("PO-1", "KWD", (PoLine(1, "SVC", "Consulting", "EA", D(1),
                                             D("10000.000")),))
    invoice = mapping.from_billing_document(
        number="90000009", purpose="standard", billing_date=date(2026, 12, 1),
        net=D("966.320"), tax=D("144.948"), currency="KWD", po_number="PO-1", terms=None,
        order=order, settings=SETTINGS)
    data = build.invoice_request(invoice, credentials=CREDENTIALS, payload="p-9@x",
                                 timestamp=datetime(2026, 12, 1, tzinfo=UTC))
    assert validate.business_errors(data, order) == []
    assert root(data).findtext(".//InvoiceDetailSummary/Tax/Money") == "144.948"
