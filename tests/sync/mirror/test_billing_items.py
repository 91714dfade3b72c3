"""The billing documents' items in the store, on SQLite and PostgreSQL: written as pulled,
left alone when SAP's items did not change, replaced whole when they did."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

from sqlalchemy import func, select

from sync.audit_models import AuditEventRow
from sync.mirror.billing_items import ITEMS, items_of, replace_items

NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


def _item(document: str, item: str, net: str, tax: str, *, quantity: str = "1.000",
          material: str | None = "SRV-CONS") -> dict:
    return {"billing_document": document, "item": item, "material": material,
            "description": "Consulting services", "quantity": D(quantity), "unit": "H",
            "net": D(net), "tax": D(tax)}


def _replace(store, documents, rows) -> int:
    with store.engine.begin() as conn:
        return replace_items(conn, documents, rows, now=NOW, source="simulator")


def _audited(store) -> list[str]:
    with store.engine.connect() as conn:
        return list(conn.execute(select(AuditEventRow.entity_key).where(
            AuditEventRow.action == "items updated from SAP")).scalars())


def test_an_item_sent_twice_is_refused_by_name_and_nothing_is_written(store) -> None:
    import pytest

    from config.errors import InputError

    rows = [_item("0090000001", "000010", "100.00", "15.00"),
            _item("0090000002", "000010", "50.00", "7.50"),
            _item("0090000001", "000010", "100.00", "15.00")]
    for new_documents in (True, False):
        with pytest.raises(InputError, match="item 000010 of billing document 0090000001 "
                                             "twice"):
            with store.engine.begin() as conn:
                replace_items(conn, ["0090000001", "0090000002"], rows, now=NOW,
                              source="odata", new_documents=new_documents)
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ITEMS)).scalar_one() == 0


def test_items_are_stored_exactly_and_read_in_item_order(store) -> None:
    written = _replace(store, ["0090000001", "0090000002"], [
        _item("0090000001", "000020", "0.03", "0.00", quantity="2.125"),
        _item("0090000001", "000010", "966.320", "144.948", material=None),
        _item("0090000002", "000010", "100.00", "15.00")])
    assert written == 2
    with store.engine.connect() as conn:
        found = items_of(conn, ["0090000001", "0090000002", "0090000003"])
    assert set(found) == {"0090000001", "0090000002"}  # no items mirrored: absent
    first = found["0090000001"]
    assert [i.item for i in first] == ["000010", "000020"]
    assert (first[0].net, first[0].tax, first[0].material) == (D("966.320"), D("144.948"), None)
    assert (first[1].quantity, first[1].net) == (D("2.125"), D("0.03"))


def test_items_as_stored_are_left_alone(store) -> None:
    rows = [_item("0090000001", "000010", "100.00", "15.00", quantity="12")]
    _replace(store, ["0090000001"], rows)
    again = [_item("0090000001", "000010", "100.00", "15.00", quantity="12.000")]
    assert _replace(store, ["0090000001"], again) == 0  # 12 as stored is 12.000 as pulled
    assert _audited(store) == []


def test_changed_items_replace_the_stored_ones_whole(store) -> None:
    _replace(store, ["0090000001", "0090000002"], [
        _item("0090000001", "000010", "100.00", "15.00"),
        _item("0090000001", "000020", "200.00", "30.00"),
        _item("0090000002", "000010", "50.00", "7.50")])
    # SAP now has one item of 0090000001 (the other deleted), the other document unchanged
    assert _replace(store, ["0090000001", "0090000002"], [
        _item("0090000001", "000010", "300.01", "45.00"),
        _item("0090000002", "000010", "50.00", "7.50")]) == 1
    with store.engine.connect() as conn:
        found = items_of(conn, ["0090000001", "0090000002"])
        total = conn.execute(select(func.count()).select_from(ITEMS)).scalar_one()
    assert [(i.item, i.net) for i in found["0090000001"]] == [("000010", D("300.01"))]
    assert total == 2
    assert _audited(store) == ["0090000001"]


def test_a_document_whose_items_are_gone_in_sap_keeps_none(store) -> None:
    _replace(store, ["0090000001"], [_item("0090000001", "000010", "100.00", "15.00")])
    assert _replace(store, ["0090000001"], []) == 1
    with store.engine.connect() as conn:
        assert items_of(conn, ["0090000001"]) == {}
