"""Filter forms as a browser submits them: unfilled date fields arrive empty and mean no
filter (they were refused with a 422 before)."""

from __future__ import annotations

import pytest

from tests.admin.conftest import add_user


@pytest.mark.parametrize("path", ["/audit?q=&actor=&entity=&since=&until=",
                                  "/receipts?state=all&payer=&since=&until=&amount_min="
                                  "&amount_max="])
def test_a_filter_form_with_empty_dates_shows_the_page(admin, path):
    add_user(admin.store, "thandi", "administrator")
    admin.login("thandi")
    assert admin.client.get(path).status_code == 200
    bad = admin.client.get(path.replace("since=", "since=yesterday"))
    assert bad.status_code == 422 and "is not a date" in bad.text


@pytest.mark.parametrize("path", ["/uploads", "/pos", "/alerts", "/receipts", "/allocations",
                                  "/audit", "/api/uploads", "/api/pos", "/api/alerts",
                                  "/api/receipts", "/api/allocations", "/api/audit"])
def test_a_huge_page_number_is_refused_not_a_crash(admin, path):
    """?page=999999999999999999999 overflowed the store's OFFSET: a 500 on every list."""
    add_user(admin.store, "thandi", "viewer")
    admin.login("thandi")
    assert admin.client.get(f"{path}?page=1000000").status_code == 200
    assert admin.client.get(f"{path}?page=999999999999999999999").status_code == 422


HUGE = "99999999999999999999999"


@pytest.mark.parametrize("method, path", [
    ("get", f"/receipts/{HUGE}"), ("get", f"/allocations/{HUGE}"), ("get", f"/journals/{HUGE}"),
    ("get", f"/api/receipts/{HUGE}"), ("get", f"/api/allocations/{HUGE}"),
    ("get", f"/api/journals/{HUGE}"), ("post", f"/api/alerts/{HUGE}/acknowledge"),
    ("post", f"/api/allocations/{HUGE}/approve"), ("post", f"/alerts/{HUGE}/acknowledge"),
    ("post", f"/receipts/proposals/{HUGE}/approve"), ("post", f"/tokens/{HUGE}/revoke"),
])
def test_an_id_too_large_for_the_store_is_refused_not_a_crash(admin, method, path):
    """An id beyond the store's integers answered 500 (SQLite OverflowError)."""
    add_user(admin.store, "thandi", "administrator")
    admin.login("thandi")
    data = {"csrf_token": admin.csrf("/alerts")} if not path.startswith("/api") else None
    headers = {"X-CSRF-Token": admin.csrf("/alerts")} if path.startswith("/api") else {}
    answer = admin.client.request(method.upper(), path, data=data, headers=headers,
                                  follow_redirects=False)
    assert answer.status_code in (404, 422), (answer.status_code, answer.text[:200])


def test_bulk_acknowledge_with_an_id_too_large_is_refused_not_a_crash(admin):
    add_user(admin.store, "thandi", "administrator")
    admin.login("thandi")
    answer = admin.client.post("/alerts/acknowledge", data={
        "ids": [HUGE], "csrf_token": admin.csrf("/alerts")}, follow_redirects=False)
    assert answer.status_code in (303, 422), (answer.status_code, answer.text[:200])


@pytest.mark.parametrize(("path", "bad", "allowed", "longest_q"), [
    ("uploads", "state=lost", "state must be one of", 40),
    ("pos", "level=loud", "level must be one of warning, critical, exhausted, none", 35),
    ("alerts", "state=gone", "state must be one of", 80)])
def test_a_list_page_and_its_api_read_the_filter_alike(admin, path, bad, allowed, longest_q):
    """The page and the JSON API of a list take the same filter parameters: the same choice
    refused with the same message naming the allowed ones, the same longest search."""
    add_user(admin.store, "thandi", "viewer")
    admin.login("thandi")
    for url in (f"/{path}", f"/api/{path}"):
        refused = admin.client.get(f"{url}?{bad}")
        assert refused.status_code == 422 and allowed in refused.text, url
        assert admin.client.get(f"{url}?q={'x' * longest_q}").status_code == 200, url
        assert admin.client.get(f"{url}?q={'x' * (longest_q + 1)}").status_code == 422, url
    page = admin.client.get(f"/{path}?portal=demo-coupa&q=PO-7")
    assert 'value="PO-7"' in page.text  # the filter bar keeps what was asked
