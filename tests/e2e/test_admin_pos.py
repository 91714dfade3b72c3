"""The POs and alerts pages in real Chromium against the demo portal: a PO runs out and
invoices are held (a real upload run); the billing team acknowledges the alert in place,
enters the new PO the client e-mailed and sees the invoice held on it released, re-points
another held invoice to it, and both reach the portal on the next run. axe-core checks the
new pages."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from admin.app import create_app
from config.portals import BrowserSettings
from config.secrets import SecretBox
from connectors.pdfs import RenderSource
from portals.accounts import resolve
from portals.po_actions import after_run, po_hook
from portals.upload_run import UploadRunner
from sync.mirror.writes import BILLING_DOCUMENTS
from sync.po import alerts
from sync.users import accounts as users
from tests.e2e.conftest import World
from tests.e2e.test_admin import (  # noqa: F401 - browser and page are fixtures used here
    PASSWORD,
    assert_accessible,
    browser,
    log_in,
    page,
)
from workers.web_server import AdminServer


def scheduled_run(world: World) -> None:
    """One scheduled cycle (uploads feeding the PO ledger, then the alert pass), in its own
    thread: Playwright's sync API owns this one."""
    def cycle() -> None:
        runner = UploadRunner(
            store=world.store, accounts=resolve(world.accounts(concurrency=1),
                                                SecretBox.load(world.settings.home)),
            browser=BrowserSettings(), pdfs=RenderSource(world.settings.home / "pdfs"),
            evidence_root=world.settings.evidence_path,
            session_root=world.settings.home / "sessions",
            on_po_read=po_hook(world.settings, world.store))
        asyncio.run(runner.run())
        after_run(world.settings, world.store)

    worker = threading.Thread(target=cycle)
    worker.start()
    worker.join(timeout=180)
    assert not worker.is_alive(), "the upload run did not finish"


@pytest.fixture
def app_url(coupa: World) -> Iterator[str]:
    with coupa.store.engine.begin() as conn:
        now = datetime.now(timezone.utc)
        users.add_user(conn, name="lerato", role="billing", password=PASSWORD, now=now)
    with AdminServer(create_app(coupa.settings, engine=coupa.store.engine)) as server:
        yield server.url


def billed(world: World, document: str, days_ago: int) -> None:
    with world.store.engine.begin() as conn:
        conn.execute(update(BILLING_DOCUMENTS.table).where(
            BILLING_DOCUMENTS.table.c.number == document).values(
            billing_date=date.today() - timedelta(days=days_ago)))


def test_billing_acknowledges_enters_a_po_and_re_points_and_the_invoices_go_out(
        coupa, app_url, page: Page):  # noqa: F811 - the fixture imported above
    coupa.add_po("4500000010", "5000.00")
    first = coupa.add_invoice(90000021, "4500000010", net="5000.00")
    over = coupa.add_invoice(90000022, "4500000010", net="1200.00")
    on_new = coupa.add_invoice(90000023, "4500000099", net="800.00")  # PO not loaded yet
    for document, days in ((first, 3), (over, 2), (on_new, 1)):
        billed(coupa, document, days)
    scheduled_run(coupa)
    assert [coupa.upload(d).state for d in (first, over, on_new)] == [
        "submitted", "held", "held"]

    page.goto(f"{app_url}/login")
    log_in(page, app_url, "lerato")
    expect(page.get_by_role("link", name="PO alerts")).to_be_visible()
    assert_accessible(page)  # the dashboard with its alert cards and burn-down
    expect(page.locator("svg.burndown").first).to_be_visible()

    page.goto(f"{app_url}/alerts?level=exhausted")
    assert_accessible(page)
    with coupa.store.engine.connect() as conn:
        exhausted = next(a for a in alerts.listing(conn) if a["rule"] == "exhausted")
    row = page.locator(f"#alert-{exhausted['id']}")
    row.get_by_role("button", name=f"Acknowledge alert {exhausted['id']}").click()
    expect(page.locator(f"#alert-{exhausted['id']} td.ack")).to_contain_text("lerato")
    with coupa.store.engine.connect() as conn:
        [stored] = alerts.listing(conn, ids=[exhausted["id"]])
    assert stored["acknowledged_by"] == "lerato" and stored["state"] == "open"

    # the client e-mails PO 4500000099 (and loads it on the portal)
    coupa.add_po("4500000099", "10000.00")
    page.goto(f"{app_url}/pos")
    assert_accessible(page)
    page.get_by_role("link", name="Enter a new PO").click()
    assert_accessible(page)
    page.fill("#po-number", "4500000099")
    page.fill("#po-total", "10000.00")
    page.fill("#po-currency", "ZAR")
    page.get_by_role("button", name="Enter the PO").click()
    expect(page.get_by_role("status")).to_contain_text("1 held invoice(s) released")
    expect(page.locator(f"#inv-{on_new} .badge")).to_have_text("ready")
    assert coupa.upload(on_new).state == "ready"
    assert_accessible(page)  # the PO page with its burn-down

    page.goto(f"{app_url}/pos/demo-coupa/4500000010")
    expect(page.locator(f"#inv-{over} .badge")).to_have_text("held")
    page.fill(f"#to-{over}", "4500000099")
    page.get_by_role("button", name=f"Re-point {over}").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"{over} now against PO 4500000099: ready")
    assert coupa.upload(over).state == "ready" and coupa.upload(over).po_number == "4500000099"

    scheduled_run(coupa)
    on_portal = {i.number: i.po_number for i in coupa.state.invoices()}
    assert on_portal["90000022"] == on_portal["90000023"] == "4500000099"
    assert [coupa.upload(d).state for d in (over, on_new)] == ["submitted", "submitted"]
    page.goto(f"{app_url}/audit?actor=lerato")
    expect(page.locator("main table")).to_contain_text("upload po assigned")
    expect(page.locator("main table")).to_contain_text("po added")
    expect(page.locator("main table")).to_contain_text("alert acknowledged")
