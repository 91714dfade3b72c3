"""The admin web app in real Chromium against the demo portal: log in, approve uploads and
see them reach the portal, open the evidence, and the refusals (anonymous, viewer, missing
CSRF token, wrong passwords), a portal-supplied <script> shown as text, and axe-core."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from admin.app import create_app
from config.portals import BrowserSettings
from portals.browser import find_chromium, launch_args
from sync.uploads import queue as uploads
from sync.users import accounts as users
from tests.e2e.conftest import World
from workers.web_server import AdminServer

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
PASSWORD = "correct horse battery"
ATTACK = '<script>document.title="pwned"</script>'


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=find_chromium(BrowserSettings()),
                                              headless=True, args=launch_args())
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def app_url(coupa: World) -> Iterator[str]:
    with coupa.store.engine.begin() as conn:
        now = datetime.now(timezone.utc)
        users.add_user(conn, name="thandi", role="administrator", password=PASSWORD, now=now)
        users.add_user(conn, name="vusi", role="viewer", password=PASSWORD, now=now)
    with AdminServer(create_app(coupa.settings, engine=coupa.store.engine)) as server:
        yield server.url


def log_in(page: Page, url: str, name: str, password: str = PASSWORD) -> None:
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("button[type=submit]")


def upload_in_background(world: World, **overrides: object) -> None:
    """The scheduled upload run, in its own thread (Playwright's sync API owns this one)."""
    worker = threading.Thread(target=world.run, kwargs=overrides)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "the upload run did not finish"


def assert_accessible(page: Page) -> None:
    page.evaluate(AXE.read_text())
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target)}));
    }""")
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    assert bad == [], f"{page.url}: {json.dumps(bad, indent=1)}"


def test_approve_in_the_browser_reaches_the_portal_with_its_evidence(coupa, app_url, page):
    coupa.add_po("4500000001", "100000.00")
    first, second = coupa.add_invoice(90000001, "4500000001"), coupa.add_invoice(
        90000002, "4500000001")
    upload_in_background(coupa, review_required=True)  # both wait for a person
    assert coupa.upload(first).state == "review" and coupa.state.invoice("90000001") is None

    page.goto(f"{app_url}/uploads?state=review")
    expect(page).to_have_url(f"{app_url}/login?next=%2Fuploads%3Fstate%3Dreview")
    assert_accessible(page)
    log_in(page, app_url, "thandi")
    expect(page).to_have_url(f"{app_url}/uploads?state=review")
    assert_accessible(page)
    row = page.locator(f"#upload-{first}")
    row.get_by_role("button", name=f"Approve {first}").click()
    expect(page.locator(f"#upload-{first} .badge")).to_have_text("ready")
    page.locator(f"#upload-{second} input[type=checkbox]").check()
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("status")).to_contain_text(f"1 upload(s) approved: {second}")

    upload_in_background(coupa, review_required=True)
    on_portal = coupa.state.invoice("90000001")
    assert on_portal is not None and on_portal.po_number == "4500000001"
    assert coupa.state.invoice("90000002") is not None

    page.goto(f"{app_url}/uploads/{first}")
    expect(page.locator("dl.facts .badge").first).to_have_text("submitted")
    assert_accessible(page)
    page.get_by_role("link", name="Evidence of attempt 1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Evidence of attempt 1: {first}")
    image = page.locator("img.screenshot")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth > 100")
    expect(page.locator("table.values")).to_contain_text("4500000001")
    assert_accessible(page)

    page.goto(f"{app_url}/")
    expect(page.locator(".card.calm").first).to_be_visible()
    assert_accessible(page)
    page.goto(f"{app_url}/audit?actor=thandi")
    expect(page.locator("main table")).to_contain_text("upload ready")
    assert_accessible(page)
    page.goto(f"{app_url}/tokens")
    assert_accessible(page)


def test_client_rejection_text_is_shown_as_text_and_a_form_without_csrf_is_refused(
        coupa, app_url, page):
    coupa.add_po("4500000001", "100000.00")
    document = coupa.add_invoice(90000003, "4500000001")
    upload_in_background(coupa)
    coupa.state.set_invoice_status("90000003", "Rejected", ATTACK)
    upload_in_background(coupa)
    assert coupa.upload(document).state == "rejected"

    page.goto(f"{app_url}/login")
    log_in(page, app_url, "thandi")
    page.goto(f"{app_url}/uploads?state=rejected")
    expect(page.locator(f"#upload-{document} td.reason")).to_contain_text(ATTACK)
    assert page.title() != "pwned"

    page.goto(f"{app_url}/uploads/{document}")
    form = page.locator("form", has=page.locator("input[name=action][value=retry]"))
    form.locator("input[name=csrf_token]").evaluate("input => input.remove()")
    form.get_by_role("button", name="Retry").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Refused")
    assert coupa.upload(document).state == "rejected"


def test_viewer_is_refused_an_action_and_wrong_passwords_are_rate_limited(coupa, app_url,
                                                                          page):
    document = coupa.add_invoice(90000004, "4500000001")
    with coupa.store.engine.begin() as conn:
        now = datetime.now(timezone.utc)
        uploads.enqueue(conn, now=now, portals=["demo-coupa"])
        uploads.route_queued(conn, now=now, review_portals={"demo-coupa"})

    page.goto(f"{app_url}/login")
    log_in(page, app_url, "vusi")
    page.goto(f"{app_url}/uploads/{document}")
    expect(page.get_by_text("can look but not act")).to_be_visible()
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    token = page.locator("form[action='/logout'] input[name=csrf_token]").input_value()
    refused = page.request.post(f"{app_url}/uploads/{document}/act",
                                form={"action": "approve", "csrf_token": token})
    assert refused.status == 403 and "may not do this" in refused.text()
    assert coupa.upload(document).state == "review"

    page.get_by_role("button", name="Log out").click()
    for _ in range(5):
        log_in(page, app_url, "thandi", "not the password")
        expect(page.get_by_role("alert")).to_have_text("Wrong user name or password.")
    log_in(page, app_url, "thandi")
    expect(page.get_by_role("alert")).to_contain_text("Too many wrong passwords")
    expect(page).to_have_url(f"{app_url}/login")
