"""SAP records turned into the mirror's rows (pure): the one place that knows both ``sap.records``
and the store's columns, so ``sync/`` never imports ``sap/``."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sap.records import BillingDocument, ClearedItem, Customer, OpenItem


def customer_row(record: Customer, portal: str | None) -> dict[str, Any]:
    return {"company_code": record.company_code, "number": record.number,
            "name": record.name[:80], "vat_number": record.vat_number,
            "payment_terms": record.payment_terms, "email": record.email,
            "phone": record.phone, "city": record.city, "country": record.country,
            "customer_group": record.customer_group, "portal": portal}


def billing_document_row(record: BillingDocument) -> dict[str, Any]:
    return {"number": record.number, "doc_type": record.doc_type,
            "company_code": record.company_code, "sold_to": record.sold_to,
            "payer": record.payer, "billing_date": record.billing_date, "net": record.net,
            "tax": record.tax, "gross": record.gross, "currency": record.currency,
            "customer_po": record.customer_po,
            "accounting_document": record.accounting_document,
            "fiscal_year": record.fiscal_year, "cancelled": record.cancelled,
            "changed_at": _utc(record.changed_at), "reference": record.reference}


def billing_item_rows(records: list[BillingDocument]) -> list[dict[str, Any]]:
    """The items of a page's billing documents, as ``billing_item`` rows."""
    return [{"billing_document": record.number, "item": item.number,
             "material": item.material, "description": item.description,
             "quantity": item.quantity, "unit": item.unit, "net": item.net, "tax": item.tax}
            for record in records for item in record.items]


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is timezone.utc else moment.astimezone(timezone.utc)


def open_item_row(record: OpenItem) -> dict[str, Any]:
    return {"company_code": record.company_code, "document": record.document,
            "fiscal_year": record.fiscal_year, "line": record.line,
            "customer": record.customer, "amount": record.amount, "currency": record.currency,
            "posting_date": record.posting_date, "document_date": record.document_date,
            "due_date": record.due_date, "reference": record.reference,
            "assignment": record.assignment, "doc_type": record.doc_type,
            "billing_document": record.billing_document}


def cleared_item_row(record: ClearedItem) -> dict[str, Any]:
    return open_item_row(record) | {"clearing_date": record.clearing_date,
                                    "clearing_document": record.clearing_document}
