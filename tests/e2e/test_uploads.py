"""Invoices onto both demo portal flavours, in real Chromium."""

from __future__ import annotations

import json
import zipfile
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from sync.uploads.models import PortalUploadRow
from tests.e2e.conftest import LAYOUT_CHANGE_WAIT_S


def test_invoice_is_uploaded_with_its_pdf_and_evidence(world):
    world.add_po("4500000001", "50000.00")
    document = world.add_invoice(90000001, "4500000001", net="1200.00")
    summary = world.run()
    assert summary.portals[world.portal]["submitted"] == 1
    assert world.upload(document).state == "submitted"
    on_portal = world.state.invoice("90000001")
    assert on_portal is not None and on_portal.po_number == "4500000001"
    assert on_portal.net == Decimal("1200.00") and on_portal.gross == Decimal("1380.00")
    assert on_portal.attachment_name.endswith(".pdf") and on_portal.attachment_size > 500
    evidence = world.evidence(document)[0]
    assert {"values.json", "screenshot.png", "result.txt"} <= {p.name for p in
                                                               evidence.iterdir()}
    assert json.loads((evidence / "values.json").read_text())["po_number"] == "4500000001"


def test_invoice_already_on_the_portal_is_not_submitted_again(world):
    world.add_po("4500000001", "50000.00")
    document = world.add_invoice(90000002, "4500000001")
    world.state.submit_invoice(number="90000002", po_number="4500000001",
                               invoice_date=date.today(), net=Decimal("1000.00"),
                               tax=Decimal("150.00"), currency="ZAR", attachment_name="a.pdf",
                               attachment_size=10, today=date.today())
    world.run(lookup_new_invoices=True)  # a portal where people also key invoices in
    assert world.upload(document).state == "submitted"
    assert world.attempts(document)[0]["outcome"] == "found"
    assert len(world.state.invoices("90000002")) == 1
    world.run()  # and a second run touches nothing
    assert len(world.attempts(document)) == 1


def test_invoice_over_the_po_balance_is_held_with_the_reason(world):
    world.add_po("4500000002", "1500.00")
    fits = world.add_invoice(90000003, "4500000002", net="1000.00")
    too_much = world.add_invoice(90000004, "4500000002", net="1000.00")
    world.run()
    assert world.upload(fits).state == "submitted"
    held = world.upload(too_much)
    assert held.state == "held"
    assert "exceeds the remaining balance of PO 4500000002" in held.reason
    assert world.state.invoice("90000004") is None


def test_a_currency_the_portal_does_not_offer_goes_to_a_person_at_once(tmp_path, server):
    """The Ariba-style form lists only ZAR and USD; an EUR invoice waited out the page
    timeout (60 s in production) and was retried as if the portal were slow."""
    from tests.e2e.conftest import make_world

    ariba = make_world(tmp_path, server, "demo-ariba")
    ariba.add_po("4500000009", "90000.00", currency="EUR")
    euro = ariba.add_invoice(90000009, "4500000009", currency="EUR")
    started = datetime.now(timezone.utc)
    ariba.run(timeout_seconds=60)  # production's page timeout
    upload = ariba.upload(euro)
    assert upload.state == "failed", upload.reason
    assert "does not offer currency EUR" in upload.reason and "ZAR, USD" in upload.reason
    # well inside the 60 s it would have waited out (a loaded machine takes 20 s to get there)
    assert datetime.now(timezone.utc) - started < timedelta(seconds=45)
    assert ariba.state.invoices() == []


def test_expired_and_unknown_pos_are_held(world):
    world.add_po("4500000005", "90000.00", valid_to=date.today() - timedelta(days=1))
    expired = world.add_invoice(90000005, "4500000005")
    unknown = world.add_invoice(90000006, "4599999999")
    world.run()
    assert "expired" in world.upload(expired).reason
    assert "is not on" in world.upload(unknown).reason
    assert world.state.invoices() == []


def test_session_expiring_mid_flow_is_recovered(world):
    world.add_po("4500000001", "50000.00")
    first = world.add_invoice(90000007, "4500000001")
    second = world.add_invoice(90000008, "4500000001")
    world.state.set_fault("expire_session", 6)  # the 6th signed-in page: mid-upload
    world.run()
    assert world.upload(first).state == "submitted"
    assert world.upload(second).state == "submitted"
    assert len(world.state.invoices()) == 2


def test_changed_invoice_form_fails_the_upload_clearly_with_evidence(world):
    world.add_po("4500000001", "50000.00")
    document = world.add_invoice(90000009, "4500000001")
    world.state.set_fault("layout", "v2-form")
    world.run(timeout_seconds=LAYOUT_CHANGE_WAIT_S)
    upload = world.upload(document)
    assert upload.state == "failed"
    assert "page has changed and the driver needs updating" in upload.reason
    folder = world.evidence(document)[0]
    assert (folder / "screenshot.png").stat().st_size > 0
    assert (folder / "trace.zip").stat().st_size > 0
    assert world.state.invoices() == []


def test_changed_orders_page_stops_the_portal_with_evidence_and_keeps_uploads(world):
    world.add_po("4500000001", "50000.00")
    document = world.add_invoice(90000014, "4500000001")
    world.state.set_fault("layout", "v2")
    summary = world.run(timeout_seconds=LAYOUT_CHANGE_WAIT_S)
    error = summary.errors[world.portal]
    assert "page has changed" in error and "evidence:" in error
    folder = Path(error.rsplit("evidence: ", 1)[1].rstrip(")"))
    assert (folder / "screenshot.png").exists() and (folder / "trace.zip").exists()
    assert world.upload(document).state == "ready"


def test_server_error_on_a_page_is_retried_later_with_backoff(world):
    world.add_po("4500000001", "50000.00")
    document = world.add_invoice(90000010, "4500000001")
    world.state.set_fault("fail_invoice_form", 1)
    world.run()
    upload = world.upload(document)
    assert upload.state == "ready" and upload.attempts == 1
    assert "answered 500" in upload.reason
    with world.store.engine.connect() as conn:
        retry_at = conn.execute(select(PortalUploadRow.next_attempt_at)).scalar_one()
    assert retry_at > datetime.now(timezone.utc)
    world.run()  # not due yet: nothing happens
    assert world.upload(document).attempts == 1
    world.run(clock=lambda: datetime.now(timezone.utc) + timedelta(hours=1))
    assert world.upload(document).state == "submitted"
    assert len(world.state.invoices()) == 1


def _dom_snapshots(trace: Path) -> int:
    with zipfile.ZipFile(trace) as archive:
        return sum(archive.read(name).count(b'"frame-snapshot"') for name in archive.namelist()
                   if name.endswith(".trace"))


def test_a_retry_records_dom_snapshots_that_a_first_attempt_does_without(world):
    """DOM snapshots cost the browser a quarter of its CPU per upload: a first attempt's kept
    trace has actions and network only, the retry of a failed one has snapshots too."""
    world.add_po("4500000001", "50000.00")
    document = world.add_invoice(90000015, "4500000001")
    world.state.set_fault("fail_invoice_form", 2)
    world.run()
    world.run(clock=lambda: datetime.now(timezone.utc) + timedelta(hours=1))
    first, retry = (folder / "trace.zip" for folder in world.evidence(document))
    assert _dom_snapshots(first) == 0
    assert _dom_snapshots(retry) > 0
    assert world.upload(document).attempts == 2 and world.state.invoices() == []


def test_portal_down_leaves_uploads_waiting(coupa):
    coupa.add_po("4500000001", "50000.00")
    document = coupa.add_invoice(90000013, "4500000001")
    coupa.state.set_fault("fail_next", 1000)
    summary = coupa.run()
    assert "answered 500" in summary.errors["demo-coupa"]
    assert coupa.upload(document).state == "ready" and coupa.upload(document).attempts == 0


def test_wrong_portal_password_leaves_uploads_waiting(coupa):
    from config.secrets import SecretBox
    coupa.add_po("4500000001", "50000.00")
    document = coupa.add_invoice(90000011, "4500000001")
    wrong = SecretBox.load(coupa.settings.home).encrypt("not-the-password")
    summary = coupa.run(password_encrypted=wrong)
    assert "refused the login" in summary.errors["demo-coupa"]
    assert coupa.upload(document).state == "ready"
    assert coupa.state.invoices() == []


def test_portal_requiring_review_keeps_uploads_for_a_person(coupa):
    coupa.add_po("4500000001", "50000.00")
    document = coupa.add_invoice(90000012, "4500000001")
    coupa.run(review_required=True)
    assert coupa.upload(document).state == "review"
    assert coupa.state.invoices() == []


def test_client_decisions_on_the_portal_come_back_to_the_queue(world):
    world.add_po("4500000001", "50000.00")
    paid = world.add_invoice(90000015, "4500000001")
    rejected = world.add_invoice(90000016, "4500000001")
    world.run()
    world.state.set_invoice_status("90000015", "Paid")
    world.state.set_invoice_status("90000016", "Rejected", "Wrong cost centre on line 1")
    summary = world.run()
    assert summary.portals[world.portal]["status"] == 2
    assert world.upload(paid).state == "paid"
    refused = world.upload(rejected)
    assert refused.state == "rejected" and refused.reason == "Wrong cost centre on line 1"
