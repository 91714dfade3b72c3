"""The collector's home page: the ranked worklist, a call recorded with a promise (which takes
the promised items out of the reminders), and the contact log kept from roles that do not
need it (POPIA)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from sync.collections.contacts import CONTACTS
from sync.collections.promise_store import PROMISES
from tests.admin.conftest import add_user
from tests.admin.test_book_pages import _book


def _today() -> date:
    return date.today()


def test_collector_sees_the_worklist_and_records_a_call_with_a_promise(admin, store):
    _book(store)
    add_user(store, "sipho", "collector")
    admin.login("sipho")
    page = admin.client.get("/collections")
    assert page.status_code == 200
    assert "0000100001" in page.text and "Karoo Mining Ltd" in page.text
    assert "amount overdue" in page.text  # the why
    customer = admin.client.get("/collections/customers/1000/0000100001")
    by = (_today() + timedelta(days=5)).isoformat()
    back = (_today() + timedelta(days=6)).isoformat()
    saved = admin.client.post("/collections/call", data={
        "csrf_token": admin.csrf("/collections/customers/1000/0000100001"),
        "company_code": "1000", "customer": "0000100001", "outcome": "spoke to AP",
        "agreed": "pays Friday", "contact_person": "Mr Botha", "call_back": back,
        "promise_amount": "1000.00", "promise_date": by}, follow_redirects=True)
    assert customer.status_code == 200
    assert "call recorded; promise" in saved.text
    assert "Mr Botha" in saved.text and "pays Friday" in saved.text
    with store.engine.connect() as conn:
        promise = conn.execute(select(PROMISES)).one()
    assert (promise.amount, promise.state) == (1000, "open")
    worklist = admin.client.get("/collections").text  # its only overdue item is promised
    assert "0000100001" not in worklist and "0000100003" in worklist


def test_a_bad_promise_is_refused_with_a_message_and_nothing_saved(admin, store):
    _book(store)
    add_user(store, "sipho", "collector")
    admin.login("sipho")
    answer = admin.client.post("/collections/call", data={
        "csrf_token": admin.csrf("/collections"), "company_code": "1000",
        "customer": "0000100001", "outcome": "spoke", "promise_amount": "500"},
        follow_redirects=True)
    assert "a promise needs both an amount and a date" in answer.text
    with store.engine.connect() as conn:
        assert conn.execute(select(CONTACTS)).first() is None



@pytest.mark.parametrize(("amount", "says"), [
    ("Infinity", "must be a number above zero"), ("1e30", "must be a number above zero"),
    ("NaN", "is not an amount"), ("1,000.00", "is not an amount"),
    ("-5", "the promised amount -5 must be a number above zero"),  # told without "instalment 1"
    ("0", "the promised amount 0 must be a number above zero")])
def test_an_impossible_promised_amount_is_refused_and_nothing_saved(admin, store, amount,
                                                                    says):
    _book(store)
    add_user(store, "sipho", "collector")
    admin.login("sipho")
    answer = admin.client.post("/collections/call", data={
        "csrf_token": admin.csrf("/collections"), "company_code": "1000",
        "customer": "0000100001", "outcome": "spoke", "promise_amount": amount,
        "promise_date": (_today() + timedelta(days=5)).isoformat()}, follow_redirects=True)
    assert says in answer.text
    with store.engine.connect() as conn:
        assert conn.execute(select(CONTACTS)).first() is None
        assert conn.execute(select(PROMISES)).first() is None


def test_a_viewer_sees_the_worklist_but_not_the_contact_log(admin, store):
    _book(store)
    add_user(store, "sipho", "collector")
    add_user(store, "lindiwe", "viewer")
    admin.login("sipho")
    admin.client.post("/collections/call", data={
        "csrf_token": admin.csrf("/collections"), "company_code": "1000",
        "customer": "0000100001", "outcome": "spoke to Mrs Naidoo"})
    admin.client.cookies.clear()
    admin.login("lindiwe")
    assert admin.client.get("/collections").status_code == 200
    page = admin.client.get("/collections/customers/1000/0000100001").text
    assert "Mrs Naidoo" not in page and "your role may not read it" in page
    assert 'action="/collections/call"' not in page
    refused = admin.client.post("/collections/call", data={
        "csrf_token": admin.csrf("/collections"), "company_code": "1000",
        "customer": "0000100001", "outcome": "x"})
    assert refused.status_code == 403


def test_collector_records_a_payment_arrangement_of_three_instalments(admin, store):
    _book(store)
    add_user(store, "sipho", "collector")
    admin.login("sipho")
    page = "/collections/customers/1000/0000100001"
    days = [(_today() + timedelta(days=n)).isoformat() for n in (5, 35, 65)]
    saved = admin.client.post("/collections/call", data={
        "csrf_token": admin.csrf(page), "company_code": "1000", "customer": "0000100001",
        "outcome": "agreed to pay in three", "promise_amount": "400.00",
        "promise_date": days[0], "instalment_amount": ["300.00", "300.00", ""],
        "instalment_date": [days[2], days[1], ""]}, follow_redirects=True)
    assert "call recorded; arrangement" in saved.text
    with store.engine.connect() as conn:
        promise = conn.execute(select(PROMISES)).one()
    assert (promise.kind, promise.amount) == ("arrangement", 1000)
    assert f"{days[1]} 300.00" in saved.text and saved.text.count("instalment-state") == 3


def test_an_instalment_without_its_date_is_refused_and_nothing_saved(admin, store):
    _book(store)
    add_user(store, "sipho", "collector")
    admin.login("sipho")
    answer = admin.client.post("/collections/call", data={
        "csrf_token": admin.csrf("/collections"), "company_code": "1000",
        "customer": "0000100001", "outcome": "spoke", "instalment_amount": ["300"],
        "instalment_date": [""]}, follow_redirects=True)
    assert "instalment 2 needs both an amount and a date" in answer.text
    with store.engine.connect() as conn:
        assert conn.execute(select(CONTACTS)).first() is None


@pytest.mark.parametrize(("amount", "says"), [
    ("Infinity", "must be a number above zero"), ("-300", "must be a number above zero"),
    ("1,000.00", "is not an amount (e.g. 1500.00)")])
def test_an_impossible_instalment_amount_is_refused_and_nothing_saved(admin, store, amount,
                                                                      says):
    _book(store)
    add_user(store, "sipho", "collector")
    admin.login("sipho")
    answer = admin.client.post("/collections/call", data={
        "csrf_token": admin.csrf("/collections"), "company_code": "1000",
        "customer": "0000100001", "outcome": "spoke", "instalment_amount": [amount],
        "instalment_date": [(_today() + timedelta(days=5)).isoformat()]},
        follow_redirects=True)
    assert says in answer.text
    with store.engine.connect() as conn:
        assert conn.execute(select(CONTACTS)).first() is None
        assert conn.execute(select(PROMISES)).first() is None
