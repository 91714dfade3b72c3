"""Documents built from SAP data (invoices and credit memos, several lines, VAT) validate
against the DTD; each business check catches what no DTD can see."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from lxml import etree

from config.portals import CxmlIdentity, CxmlSettings, RemitTo
from portals.drivers.cxml import build, mapping, validate
from portals.drivers.cxml.errors import CxmlInvalid
from portals.drivers.cxml.model import (
    Credential,
    Credentials,
    CxmlOrder,
    InvoiceLine,
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
    (".//InvoiceDetailItem/Tax/TaxDetail/TaxAmount/Money", "75.03", "is not 15% of 500.00"),
    (".//InvoiceDetailSummary/GrossAmount/Money", "1419.75", "not subtotal + tax"),
    (".//InvoiceDetailItem/SubtotalAmount/Money", "500.01", "× unit price"),
])
def test_each_sum_check(path: str, value: str, reason: str) -> None:
    errors = validate.business_errors(edited(document(), path, value), ORDER)
    assert any(reason in e for e in errors), errors


def test_sap_vat_further_off_than_its_rounding_is_refused_for_a_person() -> None:
    """15% of 1,234.56 is 185.184: SAP's per-item rounding explains up to two cents either
    way (185.17 … 185.20 go out as SAP has them); 185.21 and 185.16 are real mismatches."""
    for tax in ("185.17", "185.20"):
        assert root(document(tax=tax)).findtext(".//InvoiceDetailSummary/Tax/Money") == tax
    for tax in ("185.21", "185.16"):
        with pytest.raises(CxmlInvalid, match=f"SAP's VAT {tax} ZAR is not the 15% that the "
                           "lines .1234.56. give: 185.184, more than the 0.02 SAP's rounding"):
            document(tax=tax)


def test_sap_vat_a_cent_off_the_rate_is_the_document_tax_exactly() -> None:
    """The demo's case: SAP rounded its items' VAT one by one to 3,131.39; 15% of the one
    cXML line is 3,131.3955. The document carries SAP's VAT, and it validates."""
    service = CxmlOrder("PO-1", "ZAR", (PoLine(1, "SVC", "Consulting", "EA", D(1),
                                               D("50000.00")),))
    data = document(net="20875.97", tax="3131.39", order=service)
    assert validate.dtd_errors(data) == [] and validate.business_errors(data, service) == []
    tree = root(data)
    assert tree.findtext(".//InvoiceDetailSummary/Tax/Money") == "3131.39"
    assert tree.findtext(".//InvoiceDetailItem/Tax/Money") == "3131.39"
    assert tree.findtext(".//InvoiceDetailSummary/GrossAmount/Money") == "24007.36"
    # a cent above a rate that comes out exact (SAP's items rounded up): the same
    data = document(net="47762.40", tax="7164.37", order=service)
    assert validate.business_errors(data, service) == []
    assert root(data).findtext(".//InvoiceDetailItem/Tax/Money") == "7164.37"


def test_sap_vat_is_spread_over_the_lines_by_largest_remainder() -> None:
    """Three lines whose VAT is 15.0015, 15.0075 and 15.0045: SAP's 45.02 is their floors
    (45.00) and two cents, to the two lines rounded down the most (the second, the third)."""
    lines = tuple(InvoiceLine(po_line=n, part_id=f"S{n}", description="Service",
                              quantity=D(1), unit="EA", unit_price=D(price))
                  for n, price in ((1, "100.01"), (2, "100.05"), (3, "100.03")))
    spread = mapping.spread_tax("x", D("45.02"), lines, currency="ZAR")
    assert [line.tax for line in spread] == [D("15.00"), D("15.01"), D("15.01")]
    assert sum(line.tax for line in spread) == D("45.02")
    assert [line.tax for line in mapping.spread_tax("x", D("45.00"), lines,
                                                    currency="ZAR")] == [D("15.00")] * 3
    assert [line.tax for line in mapping.spread_tax("x", D("45.03"), lines,
                                                    currency="ZAR")] == [D("15.01")] * 3
    for tax in ("45.04", "44.99"):
        with pytest.raises(CxmlInvalid, match="more than the 0.02"):
            mapping.spread_tax("x", D(tax), lines, currency="ZAR")


def test_a_line_tax_beyond_its_share_of_rounding_is_refused() -> None:
    """The check a DTD cannot make still holds each line to the rate: 110.184 may carry
    SAP's rounding (two cents) and its own, never 110.22."""
    data = edited(document(), ".//InvoiceDetailItem[2]/Tax/TaxDetail/TaxAmount/Money",
                  "110.22")
    errors = validate.business_errors(data, ORDER)
    assert any("line 2: tax 110.22 is not 15% of 734.56" in e for e in errors), errors


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
