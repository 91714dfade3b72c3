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
