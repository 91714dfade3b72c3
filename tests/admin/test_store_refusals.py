"""A value the store cannot hold (a NUL character: PostgreSQL refuses it in text) in a filter,
a path or a form answers 422 and changes nothing; it was a 500 on PostgreSQL."""

from __future__ import annotations

import pytest

from tests.admin.conftest import add_user, csrf_of


@pytest.mark.parametrize("path", ["/audit?q=%00", "/pos?client=%00", "/alerts?q=%00",
                                  "/receipts?payer=%00", "/allocations?q=%00",
                                  "/uploads?q=%00", "/pos/%00/x", "/api/pos/x/%00",
                                  "/api/uploads/%00"])
def test_a_nul_character_in_a_request_is_refused_not_a_crash(admin, path):
    add_user(admin.store, "thandi", "administrator")
    admin.login("thandi")
    assert admin.client.get(path).status_code in (404, 422)


def test_a_po_number_with_a_nul_character_is_refused(admin):
    add_user(admin.store, "thandi", "administrator")
    admin.login("thandi")
    form = admin.client.get("/pos/new")
    answer = admin.client.post("/pos/new", data={
        "portal": "demo-coupa", "number": "PO\x001", "total": "10", "currency": "ZAR",
        "csrf_token": csrf_of(form.text)})
    assert answer.status_code == 422
    assert admin.client.get("/api/pos").json()["total"] == 0
