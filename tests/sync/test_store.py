"""The store on SQLite and PostgreSQL: migrations, exact money, upserts, audit, snapshots."""

import json
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import and_, inspect, select

from sync.audit_models import AuditEventRow
from sync.db import current_revision, head_revision, migrate
from sync.mirror.writes import BILLING_DOCUMENTS, CUSTOMERS, OPEN_ITEMS, apply_rows

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)


def _doc(number: str, net: str = "1000.00", po: str | None = "4500000001") -> dict:
    net_value = Decimal(net)
    return {"number": number, "doc_type": "F2", "company_code": "1000", "sold_to": "0000100001",
            "payer": "0000100001", "billing_date": date(2026, 11, 20), "net": net_value,
            "tax": net_value * Decimal("0.15"), "gross": net_value * Decimal("1.15"),
            "currency": "ZAR", "customer_po": po, "accounting_document": "1400000001",
            "fiscal_year": 2026, "cancelled": False, "changed_at": NOW}


def test_migrations_create_every_table_and_rerun_as_no_op(store):
    tables = set(inspect(store.engine).get_table_names())
    assert {"customer", "billing_document", "open_item", "sync_cursor", "audit_event"} <= tables
    assert current_revision(store.engine) == head_revision()
    assert migrate(store.engine) is False


def test_money_round_trips_exactly(store):
    with store.engine.begin() as conn:
        apply_rows(conn, BILLING_DOCUMENTS, [_doc("0090000001", "12345678901.23")], now=NOW,
                   source="test")
    with store.engine.connect() as conn:
        stored = conn.execute(select(BILLING_DOCUMENTS.table)).one()._mapping
    assert stored["net"] == Decimal("12345678901.23")
    assert isinstance(stored["gross"], Decimal)
    assert stored["changed_at"] == NOW


def test_unchanged_rows_are_neither_written_nor_audited(store):
    with store.engine.begin() as conn:
        first = apply_rows(conn, BILLING_DOCUMENTS, [_doc("1"), _doc("2")], now=NOW,
                           source="test")
        again = apply_rows(conn, BILLING_DOCUMENTS, [_doc("1"), _doc("2", net="2000.00")],
                           now=NOW, source="test")
    assert (first.inserted, first.updated) == (2, 0)
    assert (again.inserted, again.updated, again.unchanged) == (0, 1, 1)
    with store.engine.connect() as conn:
        events = conn.execute(select(AuditEventRow.action, AuditEventRow.entity_key,
                                     AuditEventRow.detail)).all()
    updates = [e for e in events if e.action == "updated from SAP"]
    assert [e.entity_key for e in updates] == ["2"]
    assert json.loads(updates[0].detail)["changes"]["net"] == ["1000.00", "2000.00"]


def test_personal_data_is_masked_in_the_audit_trail(store):
    customer = {"company_code": "1000", "number": "0000100001", "name": "Karoo Mining",
                "vat_number": "4123456789", "payment_terms": "Z030",
                "email": "thandi.nkosi@karoo.co.za", "phone": "011 555 0101", "city": "Durban",
                "country": "ZA", "customer_group": "P01", "portal": "demo-coupa"}
    with store.engine.begin() as conn:
        apply_rows(conn, CUSTOMERS, [dict(customer)], now=NOW, source="test")
        apply_rows(conn, CUSTOMERS, [dict(customer, email="sipho.dlamini@karoo.co.za")],
                   now=NOW, source="test")
    with store.engine.connect() as conn:
        details = [json.loads(d) for d in conn.execute(select(AuditEventRow.detail)).scalars()]
    text = json.dumps(details)
    assert "thandi" not in text and "sipho" not in text
    assert "t***@karoo.co.za" in text


def test_open_item_snapshot_removes_items_cleared_in_sap(store):
    def item(document: str, customer: str) -> dict:
        return {"company_code": "1000", "document": document, "fiscal_year": 2026, "line": 1,
                "customer": customer, "amount": Decimal("10.00"), "currency": "ZAR",
                "posting_date": date(2026, 11, 1), "document_date": date(2026, 11, 1),
                "due_date": date(2026, 12, 1), "reference": None, "assignment": None,
                "doc_type": "RV", "billing_document": None}
    table = OPEN_ITEMS.table
    scope = and_(table.c.company_code == "1000", table.c.customer.in_(["A"]))
    with store.engine.begin() as conn:
        apply_rows(conn, OPEN_ITEMS, [item("1", "A"), item("2", "A"), item("3", "B")], now=NOW,
                   source="test", snapshot=scope)
        counts = apply_rows(conn, OPEN_ITEMS, [item("1", "A")], now=NOW, source="test",
                            snapshot=scope)
    assert counts.deleted == 1
    with store.engine.connect() as conn:
        left = sorted(conn.execute(select(table.c.document)).scalars())
    assert left == ["1", "3"]
