"""Requests at the edge of the ranges answer cleanly, never a 500 (issue 18, item 6)."""

from __future__ import annotations

from tests.admin.conftest import add_uploads, add_user


def test_the_audit_trail_until_the_last_day_of_the_calendar_is_a_page(admin):
    add_user(admin.store, "thandi", "viewer")
    admin.login("thandi")
    page = admin.client.get("/audit?until=9999-12-31")
    assert page.status_code == 200 and "login" in page.text
    assert admin.client.get("/api/audit?until=9999-12-31").status_code == 200
    assert admin.client.get("/").status_code == 200  # the connection still serves


def test_an_attempt_number_beyond_the_integers_is_refused_not_a_500(admin):
    add_user(admin.store, "thandi", "viewer")
    [document] = add_uploads(admin.store, 1, state="failed")
    admin.login("thandi")
    for path in (f"/uploads/{document}/attempts/99999999999999999999",
                 f"/uploads/{document}/attempts/99999999999999999999/screenshot.png"):
        assert admin.client.get(path).status_code in (404, 422), path
