"""The OData adapter against payloads shaped like S/4HANA's own (OData V2 JSON)."""

from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from sap.errors import SapBusinessError, SapConfigError, SapDataError, SapUnavailable
from sap.odata.client import BILLING, OPEN_ITEMS, PARTNER, ODataSapClient

BASE = "https://s4.example.com"
DOCS = f"{BASE}{BILLING}/A_BillingDocument"


def _doc(number: str, changed_ms: int, po: str = "4500012345") -> dict:
    return {
        "__metadata": {"id": f"{DOCS}('{number}')", "type": "API_BILLING_DOCUMENT_SRV."
                       "A_BillingDocumentType"},
        "BillingDocument": number, "BillingDocumentType": "F2", "CompanyCode": "1000",
        "SoldToParty": "100001", "PayerParty": "100001",
        "BillingDocumentDate": "/Date(1763856000000)/", "CreationDate": "/Date(1763856000000)/",
        "TotalNetAmount": "1000.00", "TaxAmount": "150.00", "TransactionCurrency": "ZAR",
        "PurchaseOrderByCustomer": po, "AccountingDocument": "1400000001",
        "FiscalYear": "2025", "BillingDocumentIsCancelled": False,
        "LastChangeDateTime": f"/Date({changed_ms}+0000)/",
    }


def _query(call) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


def _client(page_size: int = 2) -> ODataSapClient:
    return ODataSapClient(base_url=BASE, user="ARB_COMM", password="pw", page_size=page_size,
                          overlap_minutes=5)


@responses.activate
def test_billing_documents_follow_next_links_and_keyset_pages():
    next_url = f"{DOCS}?$skiptoken=2"
    responses.get(DOCS, json={"d": {"results": [_doc("90000001", 1763900000000)],
                                    "__next": next_url}},
                  match=[responses.matchers.query_param_matcher({}, strict_match=False)])
    responses.get(next_url, json={"d": {"results": [_doc("90000002", 1763910000000)]}})
    responses.get(DOCS, json={"d": {"results": [_doc("90000003", 1763920000000)]}})
    pages = list(_client().billing_documents("1000", since=None, after_key=None))
    numbers = [d.number for p in pages for d in p.records]
    assert numbers == ["90000001", "90000002", "90000003"]
    third = _query(responses.calls[2])
    assert "BillingDocument gt '90000002'" in third["$filter"]
    assert third["$orderby"] == "BillingDocument"
    document = pages[0].records[0]
    assert document.gross == Decimal("1150.00") and document.customer_po == "4500012345"
    assert document.billing_date == date(2025, 11, 23)
    assert document.changed_at.tzinfo is not None
    assert pages[-1].high_water == "2025-11-23T17:46:40Z"


def _item(number: str, position: str, material: str, quantity: str, net: str,
          tax: str) -> dict:
    return {"BillingDocument": number, "BillingDocumentItem": position, "Material": material,
            "BillingDocumentItemText": f"{material} text", "BillingQuantity": quantity,
            "BillingQuantityUnit": "EA", "NetAmount": net, "TaxAmount": tax,
            "TransactionCurrency": "ZAR"}


@responses.activate
def test_billing_items_are_expanded_into_the_same_read_in_item_order():
    """A_BillingDocumentItem comes with its document ($expand=to_Item, one round trip); the
    service's item numbers ("10", "20", "100") sort as numbers, not as text."""
    document = _doc("90000001", 1763900000000) | {"to_Item": {"results": [
        _item("90000001", "100", "MAT-PPE", "2.000", "200.03", "30.00"),
        _item("90000001", "20", "SRV-CONS", "1.500", "700.00", "105.00"),
        _item("90000001", "10", "MAT-PUMP", "4", "99.97", "15.00")]}}
    responses.get(DOCS, json={"d": {"results": [document]}})
    records = [d for p in _client().billing_documents("1000", since=None, after_key=None)
               for d in p.records]
    query = _query(responses.calls[0])
    assert query["$expand"] == "to_Item"
    assert "to_Item/NetAmount" in query["$select"] and "to_Item/TaxAmount" in query["$select"]
    items = records[0].items
    assert [(i.number, i.material, i.quantity, i.unit, i.net, i.tax) for i in items] == [
        ("000010", "MAT-PUMP", Decimal(4), "EA", Decimal("99.97"), Decimal("15.00")),
        ("000020", "SRV-CONS", Decimal("1.500"), "EA", Decimal("700.00"), Decimal("105.00")),
        ("000100", "MAT-PPE", Decimal(2), "EA", Decimal("200.03"), Decimal("30.00"))]
    assert items[0].description == "MAT-PUMP text"


@responses.activate
def test_an_item_amount_that_is_not_a_number_names_the_item():
    document = _doc("90000001", 1763900000000) | {"to_Item": {"results": [
        _item("90000001", "10", "MAT-PUMP", "4", "12,50", "1.88")]}}
    responses.get(DOCS, json={"d": {"results": [document]}})
    with pytest.raises(SapDataError, match="A_BillingDocumentItem 90000001/000010: NetAmount "
                                           "is not an amount: '12,50'"):
        list(_client().billing_documents("1000", since=None, after_key=None))


@responses.activate
def test_delta_filters_on_last_change_with_an_overlap():
    responses.get(DOCS, json={"d": {"results": []}})
    list(_client().billing_documents("1000", since="2026-11-23T10:00:00Z", after_key=None))
    query = _query(responses.calls[0])
    assert "LastChangeDateTime ge datetimeoffset'2026-11-23T09:55:00Z'" in query["$filter"]
    assert "CompanyCode eq '1000'" in query["$filter"]


@responses.activate
def test_wrong_credentials_are_a_configuration_error():
    responses.get(DOCS, status=401, body="Unauthorized")
    with pytest.raises(SapConfigError, match="ARBRIDGE_SAP__ODATA_USER"):
        _client().ping()


@responses.activate
def test_server_errors_are_retried_then_reported():
    responses.get(DOCS, status=503, json={"error": {"code": "/IWBEP/CM_MGW_RT/000",
                                                    "message": {"lang": "en",
                                                                "value": "Busy"}}})
    with pytest.raises(SapUnavailable, match="503: Busy"):
        _client().ping()
    assert len(responses.calls) == 4


@responses.activate
def test_sap_error_message_is_shown_for_a_bad_request():
    responses.get(DOCS, status=400, json={"error": {"code": "/IWBEP/CM_MGW_RT/022",
                                                    "message": {"lang": "en", "value":
                                                                "Property Foo not found"}}})
    with pytest.raises(SapBusinessError, match="Property Foo not found"):
        _client().ping()


@responses.activate
def test_csrf_token_is_fetched_for_later_posts():
    responses.get(f"{BASE}{BILLING}/", headers={"X-CSRF-Token": "tok123"}, json={"d": {}})
    client = _client()
    assert client.csrf_token(BILLING) == "tok123"
    assert responses.calls[0].request.headers["X-CSRF-Token"] == "Fetch"


@responses.activate
def test_customers_join_company_data_and_contacts():
    responses.get(f"{BASE}{PARTNER}/A_Customer", json={"d": {"results": [{
        "Customer": "100001", "CustomerName": "Karoo Mining (Pty) Ltd",
        "VATRegistration": "4123456789", "CreationDate": "/Date(1700000000000)/",
        "to_CustomerCompany": {"results": [{"Customer": "100001", "CompanyCode": "1000",
                                            "PaymentTerms": "Z030"},
                                           {"Customer": "100001", "CompanyCode": "2000",
                                            "PaymentTerms": "Z060"}]},
        "to_CustomerSalesArea": {"results": [{"AdditionalCustomerGroup1": "P01"}]}}]}})
    responses.get(f"{BASE}{PARTNER}/A_BusinessPartnerAddress", json={"d": {"results": [{
        "BusinessPartner": "100001",
        "to_EmailAddress": {"results": [{"EmailAddress": "ap@karoo.co.za"}]},
        "to_PhoneNumber": {"results": [{"PhoneNumber": "011 555 0101"}]}}]}})
    customers = [c for p in _client().customers("1000", since=None, after_key=None)
                 for c in p.records]
    assert len(customers) == 1
    customer = customers[0]
    assert (customer.payment_terms, customer.email, customer.customer_group) == \
        ("Z030", "ap@karoo.co.za", "P01")


@responses.activate
def test_open_items_keep_their_sign_and_due_date():
    responses.get(f"{BASE}{OPEN_ITEMS}/A_OperationalAcctgDocItemCube", json={"d": {"results": [
        {"CompanyCode": "1000", "Customer": "100001", "AccountingDocument": "1400000001",
         "FiscalYear": "2026", "AccountingDocumentItem": "1",
         "AmountInTransactionCurrency": "-250.00", "TransactionCurrency": "ZAR",
         "PostingDate": "/Date(1763856000000)/", "DocumentDate": "/Date(1763856000000)/",
         "NetDueDate": "/Date(1766448000000)/", "AccountingDocumentType": "DZ",
         "DocumentReferenceID": "EFT123", "AssignmentReference": ""}]}})
    pages = list(_client().open_items("1000", customers=["100001"], key_date=date(2026, 11, 23),
                                      after_key=None))
    item = pages[0].records[0]
    assert item.amount == Decimal("-250.00") and item.due_date == date(2025, 12, 23)
    assert pages[0].scope == ("100001",)
    assert "Customer eq '100001'" in _query(responses.calls[0])["$filter"]


def test_unreachable_host_is_one_clear_error():
    client = ODataSapClient(base_url="http://127.0.0.1:9", user=None, password=None,
                            timeout_seconds=1)
    with pytest.raises(SapUnavailable, match="not reachable"):
        client.ping()
