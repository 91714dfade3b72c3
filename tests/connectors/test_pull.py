"""Incremental pull from the simulator into the store, on SQLite and PostgreSQL."""

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from connectors.pull import PortalRules, pull
from sap.errors import SapUnavailable
from sync.audit_models import AuditEventRow
from sync.mirror import cursors
from sync.mirror.billing_items import items_of
from sync.mirror.models import BillingDocumentRow, BillingItemRow, CustomerRow, OpenItemRow

RULES = PortalRules(groups={"P01": "demo-coupa", "P02": "demo-ariba"},
                    bindings={"0000100001": "tungsten"})


def _pull(store, client, **kwargs):
    return pull(store, client, source="simulator", company_codes=["1000"], rules=RULES,
                **kwargs)


def _updates(store, entity):
    with store.engine.connect() as conn:
        return conn.execute(select(AuditEventRow.entity_key, AuditEventRow.detail).where(
            AuditEventRow.action == "updated from SAP", AuditEventRow.entity == entity)).all()


def test_full_pull_mirrors_the_simulator(store, client, simulator):
    result = _pull(store, client)
    counts = store.counts()
    sim = simulator.counts()
    assert counts == {"customers": sim["KNB1"], "billing_documents": sim["VBRK"],
                      "open_items": sim["BSID"]}
    assert result.counts["billing_documents"].inserted == sim["VBRK"]
    with store.engine.connect() as conn:
        portals = dict(conn.execute(select(CustomerRow.number, CustomerRow.portal)).all())
    assert portals["0000100001"] == "tungsten"
    assert {"demo-coupa", "demo-ariba"} <= set(portals.values())


def test_second_pull_adds_nothing(store, client):
    _pull(store, client)
    before = store.counts()
    again = _pull(store, client)
    assert store.counts() == before
    assert all(c.inserted == 0 and c.updated == 0 for c in again.counts.values())


def test_changing_one_billing_document_updates_exactly_that_one(store, client, simulator):
    _pull(store, client)
    simulator.change_billing_document("0090000042", customer_po="PO-26-99999")
    result = _pull(store, client)
    assert result.counts["billing_documents"].updated == 1
    assert result.counts["billing_documents"].fetched < 10
    updates = _updates(store, "billing_documents")
    assert [u.entity_key for u in updates] == ["0090000042"]
    assert json.loads(updates[0].detail)["changes"]["customer_po"][1] == "PO-26-99999"
    with store.engine.connect() as conn:
        po = conn.execute(select(BillingDocumentRow.customer_po).where(
            BillingDocumentRow.number == "0090000042")).scalar_one()
    assert po == "PO-26-99999"


def _items(store, number):
    with store.engine.connect() as conn:
        return items_of(conn, [number]).get(number, [])


def test_billing_items_are_mirrored_with_their_documents(store, client, simulator):
    _pull(store, client)
    db = simulator.open_db()
    try:
        vbrp = db.execute("SELECT VBELN, POSNR, MATNR, FKIMG, VRKME FROM VBRP WHERE VBELN = "
                          "(SELECT MIN(VBELN) FROM VBRP WHERE POSNR = '000020') "
                          "ORDER BY POSNR").fetchall()
    finally:
        db.close()
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(BillingItemRow)).scalar_one() == \
            simulator.counts()["VBRP"]
        heads = {r.number: r for r in conn.execute(select(BillingDocumentRow))}
        stored = items_of(conn, list(heads))
    number = vbrp[0][0]
    assert [(i.item, i.material, i.quantity, i.unit) for i in stored[number]] == [
        (posnr, matnr, Decimal(fkimg), vrkme) for _, posnr, matnr, fkimg, vrkme in vbrp]
    for document, items in stored.items():
        assert sum(i.net for i in items) == heads[document].net
        assert sum(i.tax for i in items) == heads[document].tax


def test_repriced_document_has_its_items_replaced_and_audited(store, client, simulator):
    _pull(store, client)
    number = "0090000042"
    before = _items(store, number)
    simulator.change_billing_document(number, net=Decimal("1000.01"))
    _pull(store, client)
    after = _items(store, number)
    assert [i.item for i in after] == [i.item for i in before]
    assert sum(i.net for i in after) == Decimal("1000.01")
    assert [i.net for i in after] != [i.net for i in before]
    with store.engine.connect() as conn:
        events = conn.execute(select(AuditEventRow.entity_key).where(
            AuditEventRow.action == "items updated from SAP")).scalars().all()
    assert events == [number]
    again = _pull(store, client, full=True)  # every item re-read: nothing written
    assert again.counts["billing_documents"].updated == 0
    assert _items(store, number) == after
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AuditEventRow).where(
            AuditEventRow.action == "items updated from SAP")).scalar_one() == 1


def test_customer_change_in_sap_is_found_through_change_documents(store, client, simulator):
    _pull(store, client)
    simulator.change_customer("0000100007", name="Renamed Holdings (Pty) Ltd")
    result = _pull(store, client)
    assert result.counts["customers"].updated == 1
    assert [u.entity_key for u in _updates(store, "customers")] == ["1000/0000100007"]


def test_open_item_cleared_in_sap_leaves_the_store(store, client, simulator):
    _pull(store, client)
    with store.engine.connect() as conn:
        document = conn.execute(select(OpenItemRow.document).where(
            OpenItemRow.doc_type == "RV").limit(1)).scalar_one()
    simulator.clear_open_item(document)
    result = _pull(store, client)
    assert result.counts["open_items"].deleted == 1
    assert store.counts()["open_items"] == simulator.counts()["BSID"]


def test_outage_mid_pull_leaves_whole_pages_and_cursor_after_the_last(store, client,
                                                                      simulator):
    _pull(store, client, entities=("customers",))
    simulator.faults.fail_from(15)  # a few pages in, then SAP stays down past the retries
    with pytest.raises(SapUnavailable):
        _pull(store, client, entities=("billing_documents",))
    with store.engine.connect() as conn:
        state = cursors.load(conn, "simulator", "billing_documents", "1000")
        numbers = sorted(conn.execute(select(BillingDocumentRow.number)).scalars())
    assert 0 < len(numbers) < 300 and len(numbers) % 50 == 0
    assert state.after_key == numbers[-1] and state.since is None
    simulator.faults.clear()
    resumed = _pull(store, client, entities=("billing_documents",))
    assert resumed.resumed == ["billing_documents/1000"]
    assert resumed.counts["billing_documents"].inserted == 300 - len(numbers)
    assert store.counts()["billing_documents"] == 300


def test_full_resync_rereads_everything_and_changes_nothing(store, client):
    _pull(store, client)
    result = _pull(store, client, full=True)
    assert result.counts["billing_documents"].fetched == 300
    assert result.counts["billing_documents"].unchanged == 300


def test_vf11_cancellation_marks_the_original_cancelled_without_its_change_date(store, client,
                                                                              simulator):
    _pull(store, client)
    original = "0090000042"
    with store.engine.connect() as conn:
        assert not conn.execute(select(BillingDocumentRow.cancelled).where(
            BillingDocumentRow.number == original)).scalar_one()
    cancellation = simulator.cancel_billing_document(original)
    result = _pull(store, client)
    with store.engine.connect() as conn:
        rows = dict(conn.execute(select(BillingDocumentRow.number, BillingDocumentRow.cancelled)
                                 .where(BillingDocumentRow.number.in_([original, cancellation])))
                    .all())
    assert rows == {original: True, cancellation: False}
    assert result.counts["billing_documents"].inserted == 1
    assert [u.entity_key for u in _updates(store, "billing_documents")] == [original]


def test_credit_memo_is_pulled_with_the_invoice_it_credits(store, client, simulator):
    """VF01 with reference to an invoice: the G2's XBLNR names it, mirrored as ``reference``
    (what sends it over cXML against that invoice), with the invoice's customer PO."""
    _pull(store, client)
    memo = simulator.credit_memo("0090000042", Decimal("100.00"))
    _pull(store, client)
    with store.engine.connect() as conn:
        rows = {r.number: r for r in conn.execute(select(
            BillingDocumentRow.number, BillingDocumentRow.doc_type, BillingDocumentRow.reference,
            BillingDocumentRow.net, BillingDocumentRow.tax, BillingDocumentRow.customer_po).where(
            BillingDocumentRow.number.in_(["0090000042", memo])))}
    assert (rows[memo].doc_type, rows[memo].reference) == ("G2", "0090000042")
    assert (rows[memo].net, rows[memo].tax) == (Decimal("100.00"), Decimal("15.00"))
    assert rows[memo].customer_po == rows["0090000042"].customer_po


def test_email_change_is_found_through_adresse_change_documents(store, client, simulator):
    _pull(store, client)
    simulator.change_customer("0000100011", email="accounts@new-domain.co.za")
    result = _pull(store, client)
    assert result.counts["customers"].updated == 1
    with store.engine.connect() as conn:
        email = conn.execute(select(CustomerRow.email).where(
            CustomerRow.number == "0000100011")).scalar_one()
    assert email == "accounts@new-domain.co.za"


def test_names_with_diacritics_and_typographic_apostrophes_pull_exactly(store, client,
                                                                        simulator):
    names = {"0000100002": "Zoë Traders", "0000100005": "O’Brien Hoëveld Môreson (Pty) Ltd"}
    db = simulator.open_db()
    with db:
        for number, name in names.items():
            db.execute("UPDATE KNA1 SET NAME1 = ? WHERE KUNNR = ?", (name, number))
    db.close()
    _pull(store, client)
    with store.engine.connect() as conn:
        stored = dict(conn.execute(select(CustomerRow.number, CustomerRow.name)).all())
    assert {n: stored[n] for n in names} == names
    assert store.counts()["customers"] == 40
    seeded = [n for n in stored.values() if any(c in n for c in "ëô’ê")]
    assert seeded, "the seed itself has names with diacritics and typographic apostrophes"


def test_row_not_matching_the_layout_stops_only_its_entity_naming_the_key(store, client,
                                                                          simulator):
    from sap.errors import SapDataError

    db = simulator.open_db()
    with db:
        db.execute("UPDATE KNA1 SET NAME1 = 'Zoë | Sons' WHERE KUNNR = '0000100009'")
    db.close()
    simulator.faults.pad_by_bytes = True  # a byte-counting RFC_READ_TABLE shifts the row
    with pytest.raises(SapDataError, match="KNA1 KUNNR '0000100009'"):
        _pull(store, client)
    counts = store.counts()
    assert counts["billing_documents"] == 300  # the other entities were still pulled
    assert counts["customers"] < 40  # stopped at the page with the bad row, nothing shifted
