"""The POs and alerts pages and their API: lists, a PO with its burn-down, acknowledging,
entering a PO that releases held invoices, re-pointing a held invoice; viewers refused,
forms without their CSRF token refused, every action audited with the user."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import insert, select, update

from sync.audit_models import AuditEventRow
from sync.mirror.writes import BILLING_DOCUMENTS
from sync.po import alerts
from sync.po import ledger as po_ledger
from sync.po.evaluation import run_rules
from sync.po.ledger import PoRead
from sync.tables import table_of
from sync.uploads import queue as uploads
from tests.admin.conftest import START, add_uploads, add_user, csrf_of

AUDIT = table_of(AuditEventRow)
PORTAL = "demo-coupa"


def po_world(store, settings) -> dict[str, list[str]]:
    """PO-1 exhausted with one invoice held on it, PO-2 with room, and two invoices held on
    PO-NEW, which the portal does not show yet; the rules have raised their alerts."""
    [on_po1] = add_uploads(store, 1, state="held", first=90000001,
                           reason="PO PO-1 has 0.00 ZAR left")
    on_new = add_uploads(store, 2, state="held", first=90000011,
                         reason="PO PO-NEW is not on the portal")
    with store.engine.begin() as conn:
        table = BILLING_DOCUMENTS.table
        conn.execute(update(table).where(table.c.number.in_(on_new)).values(
            customer_po="PO-NEW"))
        conn.execute(update(uploads.UPLOADS).where(
            uploads.UPLOADS.c.billing_document.in_(on_new)).values(po_number="PO-NEW"))
        po_ledger.record_read(conn, PORTAL, [
            PoRead("PO-1", Decimal("5000.00"), Decimal("5000.00"), "ZAR"),
            PoRead("PO-2", Decimal("20000.00"), Decimal("0.00"), "ZAR")], now=START)
        run_rules(conn, settings.po_alerts, now=START)
    return {"po1": [on_po1], "new": on_new}


def open_alert_ids(store, po: str) -> list[int]:
    with store.engine.connect() as conn:
        return [a["id"] for a in alerts.listing(conn) if a["po_number"] == po]


def audited(store, action: str) -> list[dict]:
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(
            select(AUDIT).where(AUDIT.c.action == action).order_by(AUDIT.c.id))]


def test_po_list_shows_balance_waiting_invoices_forecast_reason_and_alerts(admin, settings):
    add_user(admin.store, "vusi", "viewer")
    po_world(admin.store, settings)
    admin.login("vusi")
    page = admin.client.get("/pos").text
    assert "PO-1" in page and "PO-2" in page and "Karoo Mining (Pty) Ltd" in page
    assert page.index("PO-1") < page.index("PO-2")  # the exhausted PO first
    assert "held: 1" in page and "exhausted: exhausted" in page and "of 5\u202f000.00" in page
    assert "too little billing history" in page  # no forecast, and why
    only = admin.client.get("/pos?level=none").text
    assert "PO-2" in only and ">PO-1<" not in only
    held = admin.client.get("/pos?state=held&client=karoo").text
    assert ">PO-1<" in held and ">PO-2<" not in held
    assert admin.client.get("/pos?level=loud").status_code == 422


def test_po_page_draws_its_burn_down_and_lists_its_alerts(admin, settings):
    add_user(admin.store, "vusi", "viewer")
    po_world(admin.store, settings)
    with admin.store.engine.begin() as conn:
        po_ledger.record_read(conn, PORTAL, [PoRead("PO-2", Decimal("20000.00"),
                                                    Decimal("7500.00"), "ZAR")],
                              now=START.replace(hour=9))
    admin.clock.advance(hours=2)
    admin.login("vusi")
    page = admin.client.get("/pos/demo-coupa/PO-2").text
    assert '<svg class="burndown"' in page and "<polyline" in page
    assert "Remaining balance of PO PO-2 over time" in page
    assert "12\u202f500.00 ZAR" in page  # remaining after the second read
    held_page = admin.client.get("/pos/demo-coupa/PO-1").text
    assert "exhausted" in held_page and "0090000001" in held_page
    assert "can look but not act" in held_page and "Re-point" not in held_page
    not_on_portal = admin.client.get("/pos/demo-coupa/PO-NEW").text
    assert "has not seen this PO on demo-coupa" in not_on_portal
    assert "0090000011" in not_on_portal and "Enter PO PO-NEW" not in not_on_portal  # viewer
    assert admin.client.get("/pos/demo-coupa/NOPE").status_code == 404


def test_billing_acknowledges_in_place_and_the_audit_names_them(admin, settings):
    add_user(admin.store, "lerato", "billing")
    po_world(admin.store, settings)
    first, second = open_alert_ids(admin.store, "PO-1")
    admin.login("lerato")
    token = admin.csrf("/alerts")
    row = admin.client.post(f"/alerts/{first}/acknowledge",
                            headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert row.status_code == 200 and row.text.lstrip().startswith(f'<tr id="alert-{first}"')
    assert "lerato, 2026-11-25 10:00 SAST" in row.text
    bulk = admin.client.post("/alerts/acknowledge", data={
        "ids": [str(second), "999"], "csrf_token": token, "back": "/alerts?level=exhausted"})
    assert f"1 alert(s) acknowledged: {second}" in bulk.text and "no alert 999" in bulk.text
    with admin.store.engine.connect() as conn:
        acked = {a["id"]: a for a in alerts.listing(conn)}
    assert acked[first]["acknowledged_by"] == acked[second]["acknowledged_by"] == "lerato"
    assert [e["actor"] for e in audited(admin.store, "alert acknowledged")] == ["lerato"] * 2


def test_viewer_is_refused_every_po_and_alert_action(admin, settings):
    add_user(admin.store, "vusi", "viewer")
    held = po_world(admin.store, settings)
    [alert_id, _] = open_alert_ids(admin.store, "PO-1")
    admin.login("vusi")
    token = admin.csrf("/alerts")
    assert "hx-post" not in admin.client.get("/alerts").text
    for path, data in ((f"/alerts/{alert_id}/acknowledge", {}),
                       ("/alerts/acknowledge", {"ids": str(alert_id)}),
                       ("/pos/new", {"portal": PORTAL, "number": "PO-NEW", "total": "9000",
                                     "currency": "ZAR"}),
                       ("/pos/assign", {"document": held["po1"][0], "po_number": "PO-2"})):
        refused = admin.client.post(path, data={**data, "csrf_token": token})
        assert refused.status_code == 403 and "may not do this" in refused.text, path
    assert admin.client.get("/pos/new").status_code == 403
    assert audited(admin.store, "alert acknowledged") == []
    assert admin.state(held["po1"][0]) == "held" and admin.state(held["new"][0]) == "held"


def test_forms_without_their_csrf_token_are_refused_and_change_nothing(admin, settings):
    add_user(admin.store, "lerato", "billing")
    held = po_world(admin.store, settings)
    [alert_id, _] = open_alert_ids(admin.store, "PO-1")
    admin.login("lerato")
    for path, data in ((f"/alerts/{alert_id}/acknowledge", {}),
                       ("/pos/new", {"portal": PORTAL, "number": "PO-NEW", "total": "9000",
                                     "currency": "ZAR"}),
                       ("/pos/assign", {"document": held["po1"][0], "po_number": "PO-2"})):
        refused = admin.client.post(path, data=data)
        assert refused.status_code == 403 and "security token" in refused.text, path
    assert audited(admin.store, "alert acknowledged") == audited(admin.store, "po added") == []
    assert admin.state(held["new"][0]) == "held"


def test_a_new_po_entered_by_billing_releases_the_invoices_held_on_it(admin, settings):
    add_user(admin.store, "lerato", "billing")
    held = po_world(admin.store, settings)
    admin.login("lerato")
    form = admin.client.get("/pos/new?portal=demo-coupa&number=PO-NEW")
    assert 'value="PO-NEW"' in form.text
    bad = admin.client.post("/pos/new", data={
        "portal": PORTAL, "number": "PO-NEW", "total": "lots", "currency": "ZAR",
        "csrf_token": csrf_of(form.text)})
    assert bad.status_code == 422 and "Total &#39;lots&#39; is not an amount" in bad.text
    unknown = admin.client.post("/pos/new", data={
        "portal": "acme", "number": "PO-NEW", "total": "9000", "currency": "ZAR",
        "csrf_token": csrf_of(form.text)})
    assert unknown.status_code == 422 and "unknown portal &#39;acme&#39;" in unknown.text
    done = admin.client.post("/pos/new", data={
        "portal": PORTAL, "number": "PO-NEW", "total": "9000.00", "currency": "zar",
        "valid_to": "2099-12-31", "invoiced": "0", "customer": "100001",
        "csrf_token": csrf_of(form.text)})
    assert done.status_code == 200 and "2 held invoice(s) released" in done.text
    assert [admin.state(d) for d in held["new"]] == ["ready", "ready"]
    assert admin.state(held["po1"][0]) == "held"
    [added] = audited(admin.store, "po added")
    assert added["actor"] == "lerato" and added["entity_key"] == "demo-coupa/PO-NEW"
    assert json.loads(added["detail"])["currency"] == "ZAR"
    assert len(audited(admin.store, "upload released")) == 2


def test_a_held_invoice_re_pointed_to_a_po_with_room_goes_out(admin, settings):
    add_user(admin.store, "lerato", "billing")
    held = po_world(admin.store, settings)
    [document] = held["po1"]
    admin.login("lerato")
    page = admin.client.get("/pos/demo-coupa/PO-1")
    assert '<option value="PO-2">' in page.text  # a PO with room offered
    moved = admin.client.post("/pos/assign", data={
        "document": document, "po_number": "PO-2", "back": "/pos/demo-coupa/PO-1",
        "csrf_token": csrf_of(page.text)})
    assert f"{document} now against PO PO-2: ready" in moved.text
    assert admin.state(document) == "ready"
    [assigned] = audited(admin.store, "upload po assigned")
    assert assigned["actor"] == "lerato" and json.loads(assigned["detail"])["to"] == "PO-2"
    again = admin.client.post("/pos/assign", data={
        "document": "123", "po_number": "PO-2", "csrf_token": csrf_of(page.text)})
    assert "no upload for billing document 123" in again.text


def test_the_api_lists_acknowledges_adds_and_assigns_with_a_token(admin, settings):
    add_user(admin.store, "lerato", "billing")
    add_user(admin.store, "vusi", "viewer")
    held = po_world(admin.store, settings)
    tokens = {}
    for name in ("lerato", "vusi"):
        admin.login(name)
        made = admin.client.post("/tokens", data={"label": "x",
                                                  "csrf_token": admin.csrf("/tokens")})
        tokens[name] = {"Authorization": "Bearer " + made.text.split('class="token">')[1]
                        .split("<")[0]}
    admin.client.cookies.clear()
    billing, viewer = tokens["lerato"], tokens["vusi"]
    listed = admin.client.get("/api/pos", headers=viewer).json()
    assert [p["number"] for p in listed["items"]] == ["PO-1", "PO-2"]
    assert listed["items"][0]["waiting"] == {"held": 1}
    assert "too little billing history" in listed["items"][0]["forecast"]["note"]
    detail = admin.client.get("/api/pos/demo-coupa/PO-1", headers=viewer).json()
    assert detail["history"][0]["remaining"] == "0.00" and detail["alerts"]
    [alert_id, _] = open_alert_ids(admin.store, "PO-1")
    assert admin.client.post(f"/api/alerts/{alert_id}/acknowledge",
                             headers=viewer).status_code == 403
    acked = admin.client.post(f"/api/alerts/{alert_id}/acknowledge", headers=billing)
    assert acked.json()["acknowledged_by"] == "lerato"
    listed_alerts = admin.client.get("/api/alerts?level=exhausted", headers=viewer).json()
    assert {a["po_number"] for a in listed_alerts["items"]} == {"PO-1", "PO-NEW"}
    assert all(a["level"] == "exhausted" for a in listed_alerts["items"])
    assert admin.client.post("/api/pos", headers=viewer, json={
        "portal": PORTAL, "number": "PO-NEW", "total": "9000", "currency": "ZAR"}
                             ).status_code == 403
    added = admin.client.post("/api/pos", headers=billing, json={
        "portal": PORTAL, "number": "PO-NEW", "total": "9000", "currency": "ZAR"})
    assert added.status_code == 200 and added.json()["released"] == 2
    bad = admin.client.post("/api/pos", headers=billing, json={
        "portal": "acme", "number": "X", "total": "1", "currency": "ZAR"})
    assert bad.status_code == 422 and "unknown portal 'acme'" in bad.json()["detail"]
    moved = admin.client.post("/api/pos/assign", headers=billing,
                              json={"document": held["po1"][0], "po_number": "PO-2"})
    assert moved.json()["state"] == "ready" and moved.json()["po_number"] == "PO-2"
    assert admin.client.post("/api/pos/assign", headers=billing, json={
        "document": "123", "po_number": "PO-2"}).status_code == 404
    schema = admin.client.get("/api/openapi.json", headers=billing).json()
    assert {"/api/pos", "/api/pos/assign", "/api/alerts",
            "/api/alerts/{alert_id}/acknowledge"} <= set(schema["paths"])


def test_portal_supplied_markup_in_po_numbers_and_names_is_shown_as_text(admin, settings):
    add_user(admin.store, "thandi", "administrator")
    attack = '<script>alert("pwned")</script>'
    with admin.store.engine.begin() as conn:
        po_ledger.record_read(conn, PORTAL, [PoRead(attack[:35], Decimal("10.00"),
                                                    Decimal("10.00"), "ZAR")], now=START)
        conn.execute(update(po_ledger.LEDGER).values(customer_name=attack))
        run_rules(conn, settings.po_alerts, now=START)
    admin.login("thandi")
    for path in ("/pos", "/alerts?state=all", "/"):
        html = admin.client.get(path).text
        assert "<script>alert" not in html, path
    detail = admin.client.get("/pos/demo-coupa/" + attack[:35].replace("/", "%2F")).text
    assert "<script>alert" not in detail and "&lt;script&gt;" in detail


def test_ten_thousand_pos_page_quickly_and_filter(admin, settings):
    add_user(admin.store, "vusi", "viewer")
    rows = [{"portal": PORTAL, "number": f"PO-{i:05d}", "customer": "0000100001",
             "customer_name": "Karoo Mining (Pty) Ltd", "total": Decimal("1000.00"),
             "invoiced": Decimal(i % 1000), "pending": Decimal(0),
             "remaining": Decimal(1000 - i % 1000), "currency": "ZAR", "open": True,
             "valid_to": None, "source": "portal", "own_invoiced": Decimal(0),
             "mismatch": None, "first_seen_at": START, "read_at": START, "updated_at": START}
            for i in range(10_000)]
    with admin.store.engine.begin() as conn:
        conn.execute(insert(po_ledger.LEDGER), rows)
    admin.login("vusi")
    page = admin.client.get("/pos?page=3")
    assert page.status_code == 200 and "10000 rows · page 3 of 200" in page.text
    assert page.text.count('<tr id="po-') == 50
    found = admin.client.get("/pos?q=PO-0999").text
    assert "10 rows" in found and "PO-09995" in found


def _receipts_and_an_allocation(store) -> None:
    """Two unallocated receipts (one 12 days old) and one receipt allocated today."""
    from datetime import date

    from sync.cash import allocations
    from sync.cash import store as cash_store

    with store.engine.begin() as conn:
        statement = cash_store.insert_statement(conn, {
            "identity": "s1", "account": "62000000001", "currency": "ZAR",
            "statement_ref": "1", "source": "csv", "file_name": "s.csv", "entries": 3,
            "imported_at": START})
        ids = []
        for i, (booked, state) in enumerate(((date(2026, 11, 13), "open"),
                                             (date(2026, 11, 24), "proposed"),
                                             (date(2026, 11, 24), "allocated"))):
            ids.append(cash_store.insert_entry(conn, {
                "identity": f"e{i}", "statement_id": statement, "account": "62000000001",
                "currency": "ZAR", "direction": "CRDT", "amount": Decimal("1150.00"),
                "booking_date": booked, "reference": f"<b>ref {i}</b>", "is_receipt": True,
                "state": state, "created_at": START}))
        allocations.insert_allocation(
            conn, receipt_id=ids[2], state="approved", rule="reference", automatic=True,
            company_code="1000", customer="0000100001", currency="ZAR",
            amount=Decimal("1150.00"), on_account=Decimal("0"), items=[], evidence={},
            now=START)


def test_dashboard_shows_alerts_by_level_burn_downs_receipts_and_allocations(admin, settings):
    add_user(admin.store, "vusi", "viewer")
    po_world(admin.store, settings)
    _receipts_and_an_allocation(admin.store)
    admin.clock.advance(hours=1)
    admin.login("vusi")
    page = admin.client.get("/").text
    assert '<a href="/alerts?level=exhausted">' in page
    assert '<a href="/receipts?state=unallocated">' in page and "oldest 12 day(s)" in page
    assert "and 1 proposed, awaiting approval" in page
    assert '<a href="/allocations">1 allocation(s) today</a>' in page
    assert "Remaining on the POs of Karoo Mining (Pty) Ltd" in page
    assert page.count('<svg class="burndown"') == 1
    assert '<a href="/pos/demo-coupa/PO-1">PO-1</a>' in page
    figures = admin.client.get("/api/dashboard").json()
    assert figures["open_alerts"] == {"warning": 0, "critical": 0, "exhausted": 3}
    # one with nothing proposed, one with a proposal: counted apart, as the demo counts them
    assert figures["unallocated_receipts"] == {"count": 1, "proposed": 1,
                                               "oldest": "2026-11-13", "age_days": 12,
                                               "amount": {"ZAR": "2300.00"}}
    assert figures["allocations_today"] == {"count": 1, "posted": 0,
                                            "amount": {"ZAR": "1150.00"}}
    [client] = figures["urgent_clients"]
    assert client["level"] == "exhausted" and client["pos"][0]["number"] == "PO-1"


def test_topping_up_a_known_po_keeps_what_was_already_invoiced_on_it(admin, settings):
    """PO-1 is 5,000 with 5,000 invoiced; billing enters the top-up to 8,000 leaving 'Already
    invoiced' at the form's 0: the ledger had forgotten the 5,000 (8,000 left, not 3,000)."""
    add_user(admin.store, "lerato", "billing")
    po_world(admin.store, settings)
    admin.login("lerato")
    form = admin.client.get("/pos/new?portal=demo-coupa&number=PO-1")
    done = admin.client.post("/pos/new", data={
        "portal": PORTAL, "number": "PO-1", "total": "8000", "currency": "ZAR",
        "invoiced": "0", "csrf_token": csrf_of(form.text)}, follow_redirects=False)
    assert done.status_code == 303
    with admin.store.engine.connect() as conn:
        row = conn.execute(select(po_ledger.LEDGER).where(
            po_ledger.LEDGER.c.number == "PO-1")).one()
    assert (Decimal(row.invoiced), Decimal(row.total)) == (Decimal("5000.00"),
                                                           Decimal("8000.00"))
    other = admin.client.post("/pos/new", data={
        "portal": PORTAL, "number": "PO-1", "total": "8000", "currency": "USD",
        "csrf_token": csrf_of(form.text)})
    assert other.status_code == 422 and "ZAR" in other.text


def test_a_po_entered_with_a_valid_to_in_the_past_is_refused(admin, settings):
    """A mistyped year (2025 for 2027) stored an already expired PO without a word: nothing
    held was released and the PO showed as expired."""
    add_user(admin.store, "lerato", "billing")
    po_world(admin.store, settings)
    admin.login("lerato")
    form = admin.client.get("/pos/new")
    past = admin.client.post("/pos/new", data={
        "portal": PORTAL, "number": "PO-NEW", "total": "9000", "currency": "ZAR",
        "valid_to": "2025-11-24", "csrf_token": csrf_of(form.text)})
    assert past.status_code == 422 and "in the past" in past.text
    with admin.store.engine.connect() as conn:
        assert conn.execute(select(po_ledger.LEDGER).where(
            po_ledger.LEDGER.c.number == "PO-NEW")).first() is None
