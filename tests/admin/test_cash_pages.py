"""Receipts and allocations in the admin app (in-process, SQLite and PostgreSQL) over the
demo's cash data posted to the real SAP simulator: suggestions with their rule and evidence,
allocating by hand with a split (and its refusals), approving a proposal, a correcting
journal followed to its SAP documents, the API, roles, CSRF and the audit trail."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from connectors.cash import open_items
from sap.simulator import SapSimulator
from sync import audit_search
from sync.cash import allocations, journals
from sync.cash import store as cash_store
from sync.store import open_store
from sync.users import accounts as users
from tests.admin.conftest import START, add_user, csrf_of
from workers.cli.demo_cash import cash_demo
from workers.cli.sap import run_pull


@dataclass
class Cash:
    simulator: SapSimulator
    open_receipt: dict
    proposal: allocations.Allocation


@pytest.fixture
def cash(settings, seeded_template: Path, store) -> Cash:  # type: ignore[no-untyped-def]
    """The demo's bank files imported, matched and posted: one receipt nobody could match
    (J SMITH) and one proposal by payer name wait for a person."""
    settings.simulator_path.write_bytes(seeded_template.read_bytes())
    run_pull(settings, full=False, show_progress=False, create_store=True)
    cash_demo(settings, open_store(settings))
    for name, role in (("thandi", "administrator"), ("vusi", "viewer"),
                       ("bongi", "billing")):
        add_user(store, name, role)
    with store.engine.connect() as conn:
        [receipt] = cash_store.open_receipts(conn, ("open",))
        [proposal] = allocations.listing(conn, "proposed")
    return Cash(SapSimulator(settings.simulator_path), receipt, proposal)


def sap_has(simulator: SapSimulator, document: str | None) -> bool:
    return document is not None and any(d["BELNR"] == document for d in simulator.documents())


def allocations_of(store, receipt_id: int) -> list[allocations.Allocation]:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        return [a for a in allocations.listing(conn) if a.receipt_id == receipt_id]


def receipt_state(store, receipt_id: int) -> str:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        return conn.execute(select(cash_store.ENTRIES.c.state).where(
            cash_store.ENTRIES.c.id == receipt_id)).scalar_one()


def two_invoices(store) -> list:  # type: ignore[no-untyped-def]
    """Two open ZAR invoices of one customer, neither held by an allocation."""
    with store.engine.connect() as conn:
        items = [i for i in open_items(conn) if i.currency == "ZAR"]
    by_customer: dict[str, list] = {}
    for item in items:
        by_customer.setdefault(item.customer, []).append(item)
    return next(v[:2] for v in by_customer.values() if len(v) >= 2)


def flashes(html: str) -> list[str]:
    return re.findall(r'role="(?:alert|status)">([^<]*)', html)


def post_split(admin, receipt_id: int, lines: list[tuple[str, str]], **extra: str):  # type: ignore[no-untyped-def]
    data: dict = {"csrf_token": admin.csrf(f"/receipts/{receipt_id}"),
                  "invoice": [i for i, _ in lines], "amount": [a for _, a in lines], **extra}
    return admin.client.post(f"/receipts/{receipt_id}/allocate", data=data)


def test_unallocated_receipts_show_their_age_and_the_matchers_suggestions(admin, cash):
    admin.login("thandi")
    page = admin.client.get("/receipts?state=unallocated")
    assert page.status_code == 200
    assert "J SMITH" in page.text and "2 rows" in page.text
    assert f"Approve proposal {cash.proposal.id}" in page.text
    assert '<span class="badge rule">payer</span>' in page.text
    assert "payer name resembles the customer" in page.text  # the evidence
    age = (START.date() - cash.open_receipt["booking_date"]).days
    assert f'<td class="num">{age}</td>' in page.text
    posted = admin.client.get("/receipts?state=posted")
    assert posted.status_code == 200 and "J SMITH" not in posted.text
    assert "8 rows" in posted.text
    assert admin.client.get("/receipts?state=nonsense").status_code == 422
    blank = admin.client.get("/receipts?state=unallocated&payer=&since=&until=&amount_min="
                             "&amount_max=")  # the filter form as a browser sends it
    assert blank.status_code == 200 and "J SMITH" in blank.text
    smith = admin.client.get(f"/receipts?state=all&payer=smith&since="
                             f"{cash.open_receipt['booking_date']}")
    assert smith.text.count('<tr id="receipt-') == 1


def test_allocating_with_a_split_posts_to_sap_and_is_audited_with_the_user(admin, cash):
    admin.login("thandi")
    receipt = cash.open_receipt
    first, second = two_invoices(admin.store)
    amount = Decimal(receipt["amount"])
    one = min(first.amount, amount - Decimal("0.01"))
    two = min(second.amount, amount - one)
    left = amount - one - two
    answer = post_split(admin, receipt["id"], [(first.invoice, str(one)),
                                               (second.invoice, str(two))],
                        **({"on_account": "true"} if left else {}))
    assert answer.status_code == 200, answer.text
    [allocation] = allocations_of(admin.store, receipt["id"])
    assert allocation.state == "posted" and allocation.rule == "manual"
    assert [i["applied"] for i in allocation.items] == [str(one), str(two)]
    assert Decimal(allocation.on_account) == left
    assert sap_has(cash.simulator, allocation.sap_document)
    assert f"posted to SAP as document {allocation.sap_document}" in answer.text
    assert receipt_state(admin.store, receipt["id"]) == "allocated"
    with admin.store.engine.connect() as conn:
        events = audit_search.search(conn, audit_search.AuditFilter(actor="thandi"),
                                     page=1, per_page=50).rows
    assert any(e["action"] == "allocation approved" and e["entity_key"] == str(allocation.id)
               for e in events)
    listed = admin.client.get("/allocations?rule=manual")
    assert allocation.sap_document in listed.text and "thandi" in listed.text


REFUSED_SPLITS = [  # (lines, on account?, what the person is told)
    ([("{a}", "1.00")], False, "apply the remaining"),
    ([("{a}", "{too_much}")], False, "more than the receipt"),
    ([("{a}", "12,50")], False, "is not an amount"),
    ([("{a}", "-5")], False, "more than zero"),
    ([("{a}", "1.00"), ("{a}", "2.00")], True, "named twice"),
    ([("99999999", "1.00")], True, "invoice 99999999: no open ZAR item"),
    ([("{a}", "1.00"), ("{other}", "1.00")], True, "different customers"),
    ([("{a}", "")], False, "line 1: give both"),
    ([("{a}", "{over_open}")], True, "is more than the"),
]


def test_a_split_that_does_not_fit_is_refused_clearly_and_changes_nothing(admin, cash):
    admin.login("thandi")
    receipt = cash.open_receipt
    first, _ = two_invoices(admin.store)
    with admin.store.engine.connect() as conn:
        other = next(i for i in open_items(conn) if i.customer != first.customer
                     and i.currency == "ZAR")
    values = {"a": first.invoice, "other": other.invoice,
              "too_much": str(Decimal(receipt["amount"]) + 1),
              "over_open": str(first.amount + Decimal("0.01"))}
    for lines, on_account, says in REFUSED_SPLITS:
        filled = [(i.format(**values), a.format(**values)) for i, a in lines]
        answer = post_split(admin, receipt["id"], filled,
                            **({"on_account": "true"} if on_account else {}))
        assert answer.status_code == 200 and says in " ".join(flashes(answer.text)), \
            (lines, flashes(answer.text))
        assert 'class="problem" role="alert"' in answer.text
        assert allocations_of(admin.store, receipt["id"]) == []
        assert receipt_state(admin.store, receipt["id"]) == "open"


def test_approving_a_proposal_posts_it_with_who_approved(admin, cash):
    admin.login("thandi")
    answer = admin.client.post(f"/receipts/proposals/{cash.proposal.id}/approve",
                               data={"csrf_token": admin.csrf("/receipts"),
                                     "back": "/receipts?state=unallocated"})
    assert answer.status_code == 200
    with admin.store.engine.connect() as conn:
        done = allocations.get(conn, cash.proposal.id)
    assert done.state == "posted" and sap_has(cash.simulator, done.sap_document)
    assert f"document {done.sap_document}" in answer.text
    detail = admin.client.get(f"/allocations/{done.id}")
    assert "thandi" in detail.text and done.sap_document in detail.text
    again = admin.client.post(f"/receipts/proposals/{cash.proposal.id}/approve",
                              data={"csrf_token": admin.csrf("/receipts")})
    assert "only proposed allocations are approved" in again.text


def test_viewers_and_billing_look_but_may_not_allocate(admin, cash):
    for name in ("vusi", "bongi"):
        admin.client.cookies.clear()
        admin.login(name)
        page = admin.client.get(f"/receipts/{cash.open_receipt['id']}")
        assert page.status_code == 200 and "Allocate and post" not in page.text
        assert "Approve proposal" not in admin.client.get("/receipts").text
        refused = admin.client.post(f"/receipts/proposals/{cash.proposal.id}/approve",
                                    data={"csrf_token": csrf_of(page.text)})
        assert refused.status_code == 403
    with admin.store.engine.connect() as conn:
        assert allocations.get(conn, cash.proposal.id).state == "proposed"


def test_a_form_without_its_csrf_token_is_refused(admin, cash):
    admin.login("thandi")
    first, _ = two_invoices(admin.store)
    refused = admin.client.post(f"/receipts/{cash.open_receipt['id']}/allocate",
                                data={"invoice": first.invoice,
                                      "amount": str(cash.open_receipt["amount"]),
                                      "on_account": "true"})
    assert refused.status_code == 403 and "security token" in refused.text
    assert receipt_state(admin.store, cash.open_receipt["id"]) == "open"


def test_a_correcting_journal_is_followed_to_its_sap_documents(admin, cash):
    admin.login("thandi")
    with admin.store.engine.connect() as conn:
        wrong = next(a for a in allocations.listing(conn, "posted") if len(a.items) == 1
                     and a.on_account == 0)
    target = next(i for i in two_invoices(admin.store) if i.amount >= wrong.amount)
    answer = admin.client.post(f"/allocations/{wrong.id}/journal", data={
        "csrf_token": admin.csrf(f"/allocations/{wrong.id}"), "to": target.invoice,
        "reason": "the payer quoted the wrong invoice"})
    assert answer.status_code == 200 and "Correcting journal" in answer.text
    with admin.store.engine.connect() as conn:
        old = allocations.get(conn, wrong.id)
        journal = next(j for j in journals.listing(conn)
                       if j.allocation_id == wrong.id)
    assert journal.state == "done" and journal.actor == "thandi" and old.state == "reversed"
    repost = admin.client.get(f"/allocations/{journal.new_allocation_id}").text
    assert "<dt>Approved by</dt><dd>thandi</dd>" in repost  # who asked for the journal
    for kind in ("reversal", "repost"):
        assert sap_has(cash.simulator, journal.documents[kind])
        assert f'id="doc-{kind}">{journal.documents[kind]}<' in answer.text
    refused = admin.client.post(f"/allocations/{wrong.id}/journal", data={
        "csrf_token": admin.csrf(f"/allocations/{wrong.id}"), "to": target.invoice,
        "reason": "again"})
    assert "only posted allocations are corrected" in refused.text
    followed = admin.client.get(f"/api/journals/{journal.id}").json()
    assert followed["state"] == "done" and followed["by"] == "thandi"
    assert followed["documents"]["reversal"] == journal.documents["reversal"]
    with admin.store.engine.begin() as conn:
        token = users.create_token(conn, users.by_name(conn, "thandi"), "script", now=START)
    by_api = admin.client.post(f"/api/allocations/{wrong.id}/journal", json={
        "invoices": [target.invoice], "reason": "again"},
        headers={"Authorization": f"Bearer {token}"})
    assert by_api.status_code == 409 and "only posted" in by_api.json()["detail"]


def test_the_api_lists_allocates_and_refuses_with_reasons(admin, cash):
    with admin.store.engine.begin() as conn:
        token = users.create_token(conn, users.by_name(conn, "thandi"), "script", now=START)
        viewer = users.create_token(conn, users.by_name(conn, "vusi"), "script", now=START)
    bearer = {"Authorization": f"Bearer {token}"}
    listed = admin.client.get("/api/receipts?state=unallocated", headers=bearer).json()
    assert listed["total"] == 2
    proposed = next(r for r in listed["items"] if r["state"] == "proposed")
    assert proposed["suggestions"][0]["rule"] == "payer"
    assert proposed["suggestions"][0]["evidence"]["matched_on"]
    receipt = cash.open_receipt
    first, _ = two_invoices(admin.store)
    body = {"splits": [{"invoice": first.invoice, "amount": "0.01"}]}
    short = admin.client.post(f"/api/receipts/{receipt['id']}/allocate", json=body,
                              headers=bearer)
    assert short.status_code == 422 and "apply the remaining" in short.json()["detail"]
    as_viewer = admin.client.post(f"/api/receipts/{receipt['id']}/allocate",
                                  json={**body, "on_account": True},
                                  headers={"Authorization": f"Bearer {viewer}"})
    assert as_viewer.status_code == 403
    done = admin.client.post(f"/api/receipts/{receipt['id']}/allocate",
                             json={**body, "on_account": True}, headers=bearer)
    assert done.status_code == 200, done.text
    out = done.json()
    assert out["state"] == "posted" and out["approved_by"] == "thandi"
    assert sap_has(cash.simulator, out["sap_document"])
    again = admin.client.post(f"/api/receipts/{receipt['id']}/allocate",
                              json={**body, "on_account": True}, headers=bearer)
    assert again.status_code == 409 and "not unallocated" in again.json()["detail"]
    approved = admin.client.post(f"/api/allocations/{cash.proposal.id}/approve",
                                 headers=bearer).json()
    assert approved["state"] == "posted"
    assert admin.client.get("/api/allocations/999999", headers=bearer).status_code == 404
    schema = admin.client.get("/api/openapi.json", headers=bearer).json()["paths"]
    for path in ("/api/receipts", "/api/receipts/{receipt_id}/allocate",
                 "/api/allocations/{allocation_id}/approve",
                 "/api/allocations/{allocation_id}/journal", "/api/journals/{journal_id}"):
        assert path in schema


def test_ten_thousand_receipts_stay_a_readable_page(admin, store):
    add_user(store, "thandi", "administrator")
    now = START
    with store.engine.begin() as conn:
        statement = cash_store.insert_statement(conn, {
            "identity": "big", "account": "071234567", "currency": "ZAR",
            "statement_ref": "BIG", "source": "test", "file_name": "big.xml",
            "imported_at": now})
        conn.execute(insert(cash_store.ENTRIES), [{
            "identity": f"e{n}", "statement_id": statement, "account": "071234567",
            "currency": "ZAR", "direction": "CRDT", "amount": Decimal(n) + Decimal("0.50"),
            "booking_date": date(2026, 1, 1) + timedelta(days=n % 300),
            "reference": f"REF{n}", "narrative": "", "payer_name": f"Payer {n}",
            "payer_account": "", "bank_ref": f"B{n}", "is_receipt": True, "state": "open",
            "remittance": "[]", "created_at": now} for n in range(10_000)])
    admin.login("thandi")
    page = admin.client.get("/receipts?state=unallocated&page=3")
    assert page.status_code == 200 and "10000 rows · page 3 of 200" in page.text
    assert page.text.count('<tr id="receipt-') == 50
    narrowed = admin.client.get("/receipts?payer=Payer 9999&amount_min=9999")
    assert narrowed.text.count('<tr id="receipt-') == 1


def test_the_cli_allocates_by_hand_through_the_same_function(cash, settings, monkeypatch):
    from typer.testing import CliRunner

    from workers.cli.app import app

    first, _ = two_invoices(open_store(settings))
    receipt = cash.open_receipt
    monkeypatch.setenv("ARBRIDGE_HOME", str(settings.home))
    if settings.database_url:
        monkeypatch.setenv("ARBRIDGE_DATABASE_URL", settings.database_url)
    runner = CliRunner()
    short = runner.invoke(app, ["allocations", "allocate", str(receipt["id"]), "--to",
                                f"{first.invoice}=1.00"])
    assert short.exit_code != 0 and "apply the remaining" in short.output
    done = runner.invoke(app, ["allocations", "allocate", str(receipt["id"]), "--to",
                               f"{first.invoice}=1.00", "--on-account"])
    assert done.exit_code == 0, done.output
    [allocation] = allocations_of(open_store(settings), receipt["id"])
    assert f"allocation {allocation.id}: posted, SAP document {allocation.sap_document}" \
        in done.output


def test_a_receipt_sap_refused_is_offered_for_allocation_again(admin, cash):
    """SAP refused the hand allocation (the invoice was cleared in SAP meanwhile): the receipt
    stayed 'allocated' with no form, and allocating it again was refused: money stuck."""
    admin.login("thandi")
    receipt = cash.open_receipt
    first, second = two_invoices(admin.store)
    cash.simulator.clear_open_item(first.document)
    amount = Decimal(receipt["amount"])
    refused = post_split(admin, receipt["id"], [(first.invoice, str(min(first.amount, amount)))],
                         on_account="true")
    assert "SAP refused it" in refused.text
    page = admin.client.get(f"/receipts/{receipt['id']}")
    assert 'name="invoice"' in page.text  # the allocate form is offered again
    again = post_split(admin, receipt["id"], [(second.invoice, str(min(second.amount, amount)))],
                       on_account="true")
    assert again.status_code == 200, again.text
    assert [a.state for a in allocations_of(admin.store, receipt["id"])] == ["failed", "posted"]


def test_a_form_with_more_invoices_than_amounts_is_refused_not_cut_short(admin, cash):
    """zip() dropped the invoice lines without an amount field (a hand-made post): with 'on
    account' ticked the remainder silently went on account."""
    admin.login("thandi")
    receipt = cash.open_receipt
    first, second = two_invoices(admin.store)
    answer = admin.client.post(f"/receipts/{receipt['id']}/allocate", data={
        "csrf_token": admin.csrf(f"/receipts/{receipt['id']}"),
        "invoice": [first.invoice, second.invoice], "amount": ["1.00"], "on_account": "true"})
    assert answer.status_code == 200 and allocations_of(admin.store, receipt["id"]) == []
    assert any("line" in f for f in flashes(answer.text)), flashes(answer.text)
