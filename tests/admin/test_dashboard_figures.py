"""Figures shown in two places agree (issue 18, item 7): today's held invoices and the queue's
held count; unallocated and proposed receipts on the dashboard, the API and the CLI."""

from __future__ import annotations

from sync.uploads import queue as uploads
from tests.admin.conftest import add_uploads, add_user


def _held_again(admin, document: str) -> None:
    """One more run meets the invoice and holds it again."""
    with admin.store.engine.begin() as conn:
        upload = uploads.by_document(conn, document)
        uploads.transition(conn, upload.id, "ready", now=admin.clock())
        attempt = uploads.begin_attempt(conn, uploads.get(conn, upload.id), now=admin.clock())
        uploads.finish_attempt(conn, attempt, now=admin.clock(), outcome="held",
                               detail="PO PO-1 has 10.00 ZAR left", evidence=None)
        uploads.transition(conn, upload.id, "held", now=admin.clock(),
                           reason="PO PO-1 has 10.00 ZAR left")


def test_an_invoice_held_by_three_runs_today_is_one_held_invoice(admin):
    add_user(admin.store, "thandi", "viewer")
    held = add_uploads(admin.store, 2, state="held", reason="PO PO-1 has 10.00 ZAR left")
    for _ in range(3):
        for document in held:
            _held_again(admin, document)
            admin.clock.advance(minutes=15)
    admin.login("thandi")
    figures = admin.client.get("/api/dashboard").json()
    assert figures["needs_a_person"]["held"] == 2
    assert figures["today_by_outcome"] == {"held": 2}


def test_times_on_the_pages_are_in_the_teams_zone(admin):
    add_user(admin.store, "thandi", "viewer")
    held = add_uploads(admin.store, 1, state="held", reason="PO PO-1 has 10.00 ZAR left")
    _held_again(admin, held[0])  # at 08:00 UTC
    admin.clock.advance(minutes=1)
    admin.login("thandi")
    page = admin.client.get("/").text
    assert "10:00 SAST" in page and "08:00 UTC" not in page
    oldest = admin.client.get("/api/dashboard").json()["oldest_waiting"]["held"]
    assert oldest.endswith("Z") or oldest.endswith("+00:00")  # JSON keeps UTC
