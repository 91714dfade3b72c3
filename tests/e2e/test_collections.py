"""A collector in real Chromium: opens the worklist, records a call with a promise to pay,
and the next evening's run judges the promise from SAP's clearing of the promised item."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import delete, insert, select

from admin.app import create_app
from config.portals import BrowserSettings
from config.settings import load_settings
from connectors.collections.run import run_collections
from portals.browser import find_chromium, launch_args
from sync.collections.promise_store import PROMISES
from sync.mirror.models import ClearedItemRow, CustomerRow, OpenItemRow
from sync.store import open_store
from sync.tables import table_of
from sync.users import accounts as users
from workers.web_server import AdminServer

PASSWORD = "correct horse battery"
OPEN = table_of(OpenItemRow)
CLEARED = table_of(ClearedItemRow)


@pytest.fixture
def page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser: Browser = playwright.chromium.launch(
            executable_path=find_chromium(BrowserSettings()), headless=True,
            args=launch_args())
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        yield context.new_page()
        browser.close()


def test_collector_records_a_promise_that_the_evening_run_judges_kept(page: Page,
                                                                       tmp_path: Path):
    settings = load_settings(home=tmp_path)
    store = open_store(settings, create=True)
    today = date.today()
    now = datetime.now(timezone.utc)
    item = {"company_code": "1000", "document": "1800000001", "fiscal_year": 2026, "line": 1,
            "customer": "0000100001", "amount": Decimal("4600.00"), "currency": "ZAR",
            "posting_date": today - timedelta(days=60),
            "document_date": today - timedelta(days=60),
            "due_date": today - timedelta(days=25), "doc_type": "RV", "synced_at": now}
    with store.engine.begin() as conn:
        conn.execute(insert(table_of(CustomerRow)).values(
            company_code="1000", number="0000100001", name="Karoo Mining Ltd",
            email="ap@karoo.example", synced_at=now))
        conn.execute(insert(OPEN), [item])
        users.add_user(conn, name="sipho", role="collector", password=PASSWORD, now=now)
    with AdminServer(create_app(settings, engine=store.engine)) as server:
        page.goto(server.url + "/login")
        page.fill("#name", "sipho")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.goto(server.url + "/collections")
        row = page.locator("table.worklist tbody tr").first
        expect(row).to_contain_text("Karoo Mining Ltd")
        expect(row).to_contain_text("call: 25 days overdue")
        row.get_by_role("link", name="0000100001").click()
        page.fill("#f-person", "Mr Botha (AP)")
        page.fill("#f-outcome", "Spoke to AP: payment run on Friday")
        page.fill("#f-agreed", "pays the invoice in full")
        page.fill("#f-amount", "4600.00")
        page.fill("#f-by", (today + timedelta(days=1)).isoformat())
        page.get_by_role("button", name="Save call").click()
        expect(page.get_by_role("status")).to_contain_text("promise 1 recorded")
        expect(page.locator("td.promise-state")).to_have_text("open")
        expect(page.locator("table.contacts")).to_contain_text("Mr Botha (AP)")
        # overnight the receipt is allocated and SAP clears the item; the pull mirrors it
        with store.engine.begin() as conn:
            conn.execute(delete(OPEN))
            conn.execute(insert(CLEARED), [item | {"clearing_date": today + timedelta(days=1),
                                                   "clearing_document": "1400000009"}])
        report = run_collections(store.engine, settings.collections, tmp_path,
                                 as_of=today + timedelta(days=1),
                                 now=now + timedelta(days=1))
        assert report.promises_judged == {"kept": 1}
        page.reload()
        expect(page.locator("td.promise-state")).to_have_text("kept")
    with store.engine.connect() as conn:
        assert conn.execute(select(PROMISES.c.paid)).scalar_one() == Decimal("4600")
