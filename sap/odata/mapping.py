"""Pure mapping of S/4HANA OData V2 payloads (JSON) into records, and the delta filters."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from sap.errors import SapDataError
from sap.records import BillingDocument, BillingItem, ClearedItem, Customer, OpenItem

_DATE = re.compile(r"/Date\((-?\d+)([+-]\d{4})?\)/")


def parse_json_date(value: str | None, *, entity: str, field: str, key: str) -> datetime | None:
    """OData V2 ``/Date(ms)/`` or ``/Date(ms+0000)/``, or ISO 8601, as an aware UTC datetime."""
    if not value:
        return None
    match = _DATE.fullmatch(value)
    if match:
        millis = int(match.group(1))
        return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=millis)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SapDataError(f"{entity} {key}: {field} is not a date: {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _day(value: str | None, *, entity: str, field: str, key: str) -> date:
    parsed = parse_json_date(value, entity=entity, field=field, key=key)
    if parsed is None:
        raise SapDataError(f"{entity} {key}: {field} is empty")
    return parsed.date()


def _amount(value: object, *, entity: str, field: str, key: str) -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else "0"))
    except InvalidOperation as exc:
        raise SapDataError(f"{entity} {key}: {field} is not an amount: {value!r}") from exc


def odata_timestamp(moment: datetime) -> str:
    """A cursor value: ISO 8601 in UTC, sortable as text."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def map_billing_document(entry: dict) -> BillingDocument:
    key = entry.get("BillingDocument", "?")
    e = "A_BillingDocument"
    changed = parse_json_date(entry.get("LastChangeDateTime"), entity=e,
                              field="LastChangeDateTime", key=key)
    created = _day(entry.get("CreationDate"), entity=e, field="CreationDate", key=key)
    return BillingDocument(
        number=key,
        doc_type=entry.get("BillingDocumentType", ""),
        company_code=entry.get("CompanyCode", ""),
        sold_to=entry.get("SoldToParty", ""),
        payer=entry.get("PayerParty", ""),
        billing_date=_day(entry.get("BillingDocumentDate"), entity=e,
                          field="BillingDocumentDate", key=key),
        net=_amount(entry.get("TotalNetAmount"), entity=e, field="TotalNetAmount", key=key),
        tax=_amount(entry.get("TaxAmount"), entity=e, field="TaxAmount", key=key),
        currency=entry.get("TransactionCurrency", ""),
        customer_po=entry.get("PurchaseOrderByCustomer") or None,
        accounting_document=entry.get("AccountingDocument") or None,
        fiscal_year=int(entry["FiscalYear"]) if entry.get("FiscalYear") else None,
        cancelled=bool(entry.get("BillingDocumentIsCancelled")),
        changed_at=changed or datetime.combine(created, datetime.min.time(), timezone.utc),
        reference=entry.get("DocumentReferenceID") or None,
        items=map_billing_items(entry, key),
    )


def map_billing_items(entry: dict, number: str) -> tuple[BillingItem, ...]:
    """The expanded ``to_Item`` of a billing document, in item order (the service's numbers
    have no leading zeros, "10": padded to VBRP's six digits, so text order is item order).
    OData amounts are already in the currency's own decimals."""
    e = "A_BillingDocumentItem"
    items = []
    for item in (entry.get("to_Item") or {}).get("results", []):
        position = str(item.get("BillingDocumentItem") or "").zfill(6)
        key = f"{number}/{position}"
        items.append(BillingItem(
            number=position,
            material=item.get("Material") or None,
            description=item.get("BillingDocumentItemText") or None,
            quantity=_amount(item.get("BillingQuantity"), entity=e, field="BillingQuantity",
                             key=key),
            unit=item.get("BillingQuantityUnit") or None,
            net=_amount(item.get("NetAmount"), entity=e, field="NetAmount", key=key),
            tax=_amount(item.get("TaxAmount"), entity=e, field="TaxAmount", key=key)))
    return tuple(sorted(items, key=lambda i: i.number))


def map_customer(entry: dict, company: dict, email: str | None, phone: str | None) -> Customer:
    key = entry.get("Customer", "?")
    areas = (entry.get("to_CustomerSalesArea") or {}).get("results", [])
    created = parse_json_date(entry.get("CreationDate"), entity="A_Customer",
                              field="CreationDate", key=key)
    return Customer(
        number=key,
        company_code=company.get("CompanyCode", ""),
        name=entry.get("CustomerName") or entry.get("CustomerFullName") or "",
        vat_number=entry.get("VATRegistration") or None,
        payment_terms=company.get("PaymentTerms") or None,
        email=email,
        phone=phone,
        city=entry.get("CityName") or None,
        country=entry.get("Country") or None,
        customer_group=(areas[0].get("AdditionalCustomerGroup1") or None) if areas else None,
        changed_on=created.date() if created else None,
    )


def map_open_item(entry: dict) -> OpenItem:
    e = "A_OperationalAcctgDocItemCube"
    key = (f"{entry.get('CompanyCode')}/{entry.get('AccountingDocument')}/"
           f"{entry.get('FiscalYear')}/{entry.get('AccountingDocumentItem')}")
    return OpenItem(
        company_code=entry.get("CompanyCode", ""),
        customer=entry.get("Customer", ""),
        document=entry.get("AccountingDocument", ""),
        fiscal_year=int(entry.get("FiscalYear") or 0),
        line=int(entry.get("AccountingDocumentItem") or 0),
        amount=_amount(entry.get("AmountInTransactionCurrency"), entity=e,
                       field="AmountInTransactionCurrency", key=key),
        currency=entry.get("TransactionCurrency", ""),
        posting_date=_day(entry.get("PostingDate"), entity=e, field="PostingDate", key=key),
        document_date=_day(entry.get("DocumentDate"), entity=e, field="DocumentDate", key=key),
        due_date=_day(entry.get("NetDueDate") or entry.get("PostingDate"), entity=e,
                      field="NetDueDate", key=key),
        reference=entry.get("DocumentReferenceID") or None,
        assignment=entry.get("AssignmentReference") or None,
        doc_type=entry.get("AccountingDocumentType", ""),
        billing_document=entry.get("BillingDocument") or None,
    )


def map_cleared_item(entry: dict) -> ClearedItem:
    """An operational accounting item with a clearing document: the open item's fields plus
    ``ClearingDate`` and ``ClearingAccountingDocument``."""
    item = map_open_item(entry)
    key = f"{item.company_code}/{item.document}/{item.fiscal_year}/{item.line}"
    fields = {name: getattr(item, name) for name in OpenItem.__dataclass_fields__}
    return ClearedItem(**fields,
                       clearing_date=_day(entry.get("ClearingDate"),
                                          entity="A_OperationalAcctgDocItemCube",
                                          field="ClearingDate", key=key),
                       clearing_document=entry.get("ClearingAccountingDocument") or None)


def sap_error_message(payload: object) -> str:
    """SAP Gateway's ``{"error": {"code", "message": {"value"}}}`` as one line."""
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        error = payload["error"]
        message = error.get("message")
        text = message.get("value") if isinstance(message, dict) else message
        return f"{text} [{error.get('code', '')}]"
    return str(payload)[:200]
