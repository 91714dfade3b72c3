"""The upload queue pages: filters, pagination, bulk actions, escaping, the evidence pack."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone

from sync.uploads import queue as uploads
from tests.admin.conftest import add_uploads, add_user


def _rows(html: str) -> int:
    return html.count('<tr id="upload-')


def test_queue_filters_by_portal_client_and_state_and_pages(admin, settings):
    add_user(admin.store, "thandi", "viewer")
    add_uploads(admin.store, 60, state="review")
    add_uploads(admin.store, 3, state="held", portal="demo-ariba", customer="0000100002",
                name="Umgeni Water", first=91000001, reason="PO 4500 has R 12.00 left")
    admin.login("thandi")
    everything = admin.client.get("/uploads").text
    assert _rows(everything) == settings.admin.page_size and "63 rows" in everything
    second = admin.client.get("/uploads?page=2").text
    assert _rows(second) == 63 - settings.admin.page_size and 'rel="prev"' in second
    assert _rows(admin.client.get("/uploads?portal=demo-ariba").text) == 3
    assert _rows(admin.client.get("/uploads?client=umgeni").text) == 3
    assert _rows(admin.client.get("/uploads?client=100002").text) == 3
    held = admin.client.get("/uploads?state=held&portal=demo-ariba").text
    assert _rows(held) == 3 and "PO 4500 has R 12.00 left" in held
    assert _rows(admin.client.get("/uploads?state=held&portal=demo-coupa").text) == 0
    assert _rows(admin.client.get("/uploads?q=91000002").text) == 1
    assert admin.client.get("/uploads?state=nonsense").status_code == 422
    missing = admin.client.get("/uploads/0000000404")
    assert missing.status_code == 404 and "no upload for billing document" in missing.text
    assert "<h1>Not found</h1>" in missing.text
    api = admin.client.get("/api/uploads?state=held&per_page=2").json()
    assert (api["total"], api["pages"], len(api["items"])) == (3, 2, 2)
    assert api["items"][0]["gross"] == "1150.00" and api["items"][0]["currency"] == "ZAR"


def test_bulk_approve_moves_only_what_may_move_and_says_so(admin):
    add_user(admin.store, "thandi", "administrator")
    review = add_uploads(admin.store, 3)
    [held] = add_uploads(admin.store, 1, state="held", first=92000001, reason="PO short")
    admin.login("thandi")
    done = admin.client.post("/uploads/bulk", data={
        "action": "approve", "documents": [*review, held], "csrf_token": admin.csrf(),
        "back": "/uploads?state=review"})
    assert "3 upload(s) approved" in done.text and "is held" in done.text
    assert [admin.state(d) for d in review] == ["ready"] * 3 and admin.state(held) == "held"


def test_htmx_action_returns_the_row_in_its_new_state(admin):
    add_user(admin.store, "thandi", "administrator")
    [document] = add_uploads(admin.store, 1, state="failed", reason="portal said 500")
    admin.login("thandi")
    row = admin.client.post(f"/uploads/{document}/act", data={"action": "retry"},
                            headers={"HX-Request": "true", "X-CSRF-Token": admin.csrf()})
    assert row.text.lstrip().startswith(f'<tr id="upload-{document}"')
    assert "state-ready" in row.text and admin.state(document) == "ready"


def test_hold_cancel_and_mark_submitted_from_the_upload_page(admin):
    add_user(admin.store, "thandi", "administrator")
    first, second = add_uploads(admin.store, 2)
    admin.login("thandi")
    page = admin.client.get(f"/uploads/{first}").text
    assert "Mark as submitted by hand" in page and "Cancel the upload" in page
    assert "a reason is required" in admin.act(first, "hold").text
    admin.act(first, "hold", "client asked to wait for the new PO")
    admin.act(first, "mark_submitted")
    admin.act(second, "cancel", "credited in SAP")
    assert (admin.state(first), admin.state(second)) == ("submitted", "cancelled")
    trail = admin.client.get("/audit?actor=thandi&q=upload").text
    assert "upload cancelled" in trail and "credited in SAP" in trail


def test_portal_supplied_markup_is_shown_as_text(admin):
    add_user(admin.store, "thandi", "administrator")
    attack = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'
    [document] = add_uploads(admin.store, 1, state="failed", reason=attack)
    admin.login("thandi")
    for path in ("/uploads", f"/uploads/{document}", "/audit"):
        html = admin.client.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(" in html


def _evidence(settings, store, document: str) -> str:
    """An attempt with an evidence pack like the runner's, outside-the-folder files beside."""
    folder = settings.evidence_path / "demo-coupa" / document / "attempt-1"
    folder.mkdir(parents=True)
    (folder / "screenshot.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    (folder / "values.json").write_text(json.dumps({"number": "90000001",
                                                    "description": "<b>bold</b>"}))
    (folder / "result.txt").write_text("failed: Invoice rejected: <script>x</script>\n")
    (folder / "trace.zip").write_bytes(b"PK\x03\x04trace")
    (settings.home / "secret.key").write_text("not for the browser")
    now = datetime.now(timezone.utc)
    with store.engine.begin() as conn:
        upload = uploads.by_document(conn, document)
        attempt = uploads.begin_attempt(conn, upload, now=now)
        uploads.finish_attempt(conn, attempt, now=now, outcome="failed", detail="rejected",
                               evidence=str(folder))
    return str(folder)


def test_evidence_pack_shows_values_answer_screenshot_and_trace(admin, settings):
    add_user(admin.store, "thandi", "viewer")
    [document] = add_uploads(admin.store, 1, state="ready")
    _evidence(settings, admin.store, document)
    admin.login("thandi")
    page = admin.client.get(f"/uploads/{document}/attempts/1").text
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "Invoice rejected: &lt;script&gt;" in page
    assert f'src="/uploads/{document}/attempts/1/screenshot.png"' in page
    shot = admin.client.get(f"/uploads/{document}/attempts/1/screenshot.png")
    assert shot.headers["content-type"] == "image/png" and shot.content.startswith(b"\x89PNG")
    trace = admin.client.get(f"/uploads/{document}/attempts/1/trace.zip")
    assert trace.headers["content-disposition"].startswith("attachment")


def test_evidence_files_are_served_only_from_inside_the_evidence_folder(admin, settings):
    add_user(admin.store, "thandi", "administrator")
    [document, other] = add_uploads(admin.store, 2, state="ready")
    _evidence(settings, admin.store, document)
    admin.login("thandi")
    for name in ("..%2F..%2F..%2Fsecret.key", "..%2Fattempt-1%2Fvalues.json", "secret.key",
                 "%2Fetc%2Fpasswd"):
        got = admin.client.get(f"/uploads/{document}/attempts/1/{name}")
        assert got.status_code == 404 and "not for the browser" not in got.text
    # a stored path pointing outside the evidence folder (a tampered row) serves nothing
    with admin.store.engine.begin() as conn:
        upload = uploads.by_document(conn, other)
        attempt = uploads.begin_attempt(conn, upload, now=admin.clock())
        uploads.finish_attempt(conn, attempt, now=admin.clock(), outcome="failed",
                               detail="x", evidence=str(settings.home))
    os.symlink(settings.home / "secret.key", settings.home / "result.txt")
    assert admin.client.get(f"/uploads/{other}/attempts/1/result.txt").status_code == 404
    assert "not for the browser" not in admin.client.get(f"/uploads/{other}/attempts/1").text


def test_dashboard_shows_what_needs_a_person_and_todays_uploads(admin, settings):
    add_user(admin.store, "thandi", "viewer")
    add_uploads(admin.store, 2)
    add_uploads(admin.store, 1, state="failed", first=93000001, reason="page changed")
    [held] = add_uploads(admin.store, 1, state="held", first=94000001,
                         reason="PO PO-1 has 10.00 ZAR left")
    with admin.store.engine.begin() as conn:
        upload = uploads.by_document(conn, held)
        uploads.transition(conn, upload.id, "ready", now=admin.clock())
        attempt = uploads.begin_attempt(conn, uploads.get(conn, upload.id), now=admin.clock())
        uploads.finish_attempt(conn, attempt, now=admin.clock(), outcome="held",
                               detail="PO PO-1 has 10.00 ZAR left", evidence=None)
        uploads.transition(conn, upload.id, "held", now=admin.clock(),
                           reason="PO PO-1 has 10.00 ZAR left")
    admin.login("thandi")
    page = admin.client.get("/").text
    assert '<a href="/uploads?state=review">' in page
    figures = admin.client.get("/api/dashboard").json()
    assert figures["needs_a_person"] == {"review": 2, "failed": 1, "held": 1}
    assert figures["today_by_outcome"] == {"held": 1}
    assert "PO PO-1 has 10.00 ZAR left" in page and held in page


def test_audit_trail_is_searchable_by_who_what_and_day_and_paginated(admin, settings):
    add_user(admin.store, "thandi", "administrator")
    documents = add_uploads(admin.store, settings.admin.page_size + 5)
    admin.login("thandi")
    for document in documents:
        admin.client.post("/uploads/bulk", data={"action": "approve", "documents": [document],
                                                 "csrf_token": admin.csrf()})
    first = admin.client.get("/audit?actor=thandi&q=upload+ready").text
    assert f"{len(documents)} rows" in first and 'rel="next"' in first
    found = admin.client.get(f"/api/audit?q={documents[3]}&actor=thandi").json()
    assert [(e["action"], e["entity_key"]) for e in found["items"]] == [
        ("upload ready", documents[3])]
    assert found["items"][0]["detail"]["reason"] == "approved by thandi"
    today = admin.clock().date().isoformat()
    assert admin.client.get(f"/api/audit?actor=thandi&since={today}&until={today}"
                            ).json()["total"] == len(documents) + 1  # and the login
    assert admin.client.get("/api/audit?actor=thandi&until=2026-01-01").json()["total"] == 0
    assert "login" in admin.client.get("/audit?entity=admin_user").text


def test_a_refused_htmx_action_says_why_in_the_flash_area(admin):
    add_user(admin.store, "vusi", "viewer")
    [document] = add_uploads(admin.store, 1)
    admin.login("vusi")
    refused = admin.client.post(f"/uploads/{document}/act", data={"action": "approve"},
                                headers={"HX-Request": "true", "X-CSRF-Token": admin.csrf()})
    assert refused.status_code == 403 and refused.headers["hx-retarget"] == "#flash"
    assert "Not allowed: vusi (viewer) may not do this" in refused.text
    assert admin.state(document) == "review"


def test_a_message_in_a_link_someone_else_made_is_not_shown_as_the_apps(admin):
    """?notice= and ?error= are how an action tells what it did after its redirect; a link
    from outside carrying its own ("Session expired, log in again at ...") shows nothing."""
    add_user(admin.store, "thandi", "administrator")
    admin.login("thandi")
    forged = "Session expired: log in again at evil.example"
    for path in ("/uploads", "/alerts", "/pos", "/receipts", "/allocations"):
        for key in ("notice", "error"):
            page = admin.client.get(f"{path}?{key}=Session+expired:+log+in+again+at+evil.example")
            assert page.status_code == 200 and forged not in page.text, (path, key)
    [document] = add_uploads(admin.store, 1, state="review")
    done = admin.act(document, "approve")  # the app's own message still shows, once
    assert done.status_code == 200 and f"1 upload(s) approved: {document}" in done.text
    assert "said=" in str(done.url)
    replayed = admin.client.get(str(done.url).replace("approved", "rejected"))
    assert "rejected" not in replayed.text
