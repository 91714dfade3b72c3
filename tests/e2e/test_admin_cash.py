"""Receipts and allocations in real Chromium over the demo's cash data and the real SAP
simulator: allocate an unallocated receipt and see its document in SAP, approve the matcher's
proposal, correct an allocation with a journal and follow it to its SAP documents; every
page passes axe-core with no serious or critical violation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from admin.app import create_app
from config.settings import load_settings
from connectors.cash import open_items
from sap.simulator import SapSimulator
from sync.cash import allocations
from sync.cash import store as cash_store
from sync.store import Store, open_store
from sync.users import accounts as users
from tests.e2e.test_admin import PASSWORD, assert_accessible, browser, log_in, page  # noqa: F401
from workers.cli.demo_cash import cash_demo
from workers.cli.sap import run_pull
from workers.web_server import AdminServer


class CashWorld:
    def __init__(self, home: Path, template: Path) -> None:
        self.settings = load_settings(home=home, sap={"page_size": 50,
                                                      "simulator_customers": 40,
                                                      "simulator_billing_documents": 300})
        self.settings.simulator_path.write_bytes(template.read_bytes())
        self.simulator = SapSimulator(self.settings.simulator_path)
        run_pull(self.settings, full=False, show_progress=False, create_store=True)
        self.store: Store = open_store(self.settings)
        cash_demo(self.settings, self.store)

    def sap_document(self, number: str) -> dict | None:
        return next((d for d in self.simulator.documents() if d["BELNR"] == number), None)


@pytest.fixture
def cash_world(tmp_path: Path, seeded_template: Path) -> CashWorld:
    return CashWorld(tmp_path, seeded_template)


@pytest.fixture
def cash_url(cash_world: CashWorld) -> Iterator[str]:
    with cash_world.store.engine.begin() as conn:
        users.add_user(conn, name="thandi", role="administrator", password=PASSWORD,
                       now=datetime.now(timezone.utc))
    with AdminServer(create_app(cash_world.settings, engine=cash_world.store.engine)) as server:
        yield server.url


def test_allocate_a_receipt_in_the_browser_and_see_it_posted_in_sap(cash_world, cash_url,
                                                                     page: Page):  # noqa: F811
    with cash_world.store.engine.connect() as conn:
        [receipt] = cash_store.open_receipts(conn, ("open",))
        [proposal] = allocations.listing(conn, "proposed")
        invoice = next(i for i in open_items(conn) if i.currency == receipt["currency"]
                       and i.amount >= receipt["amount"])
    page.goto(f"{cash_url}/receipts?state=unallocated")
    log_in(page, cash_url, "thandi")
    expect(page).to_have_url(f"{cash_url}/receipts?state=unallocated")
    row = page.locator(f"#receipt-{receipt['id']}")
    expect(row).to_contain_text("J SMITH")
    expect(page.locator(f"#receipt-{proposal.receipt_id} .badge.rule")).to_have_text("payer")
    assert_accessible(page)

    row.get_by_role("link", name=f"Allocate receipt {receipt['id']}…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Receipt {receipt['id']}")
    assert_accessible(page)
    page.get_by_label("Invoice, line 1").fill(invoice.invoice)
    page.get_by_label("Amount, line 1").fill(str(receipt["amount"]))
    page.get_by_role("button", name="Allocate and post to SAP").click()

    expect(page.get_by_role("status")).to_contain_text("posted to SAP as document")
    number = page.locator("#sap-document .sapdoc").inner_text().strip()
    with cash_world.store.engine.connect() as conn:
        [mine] = [a for a in allocations.listing(conn) if a.receipt_id == receipt["id"]]
    in_sap = cash_world.simulator.documents(reference=mine.key)  # BKPF-XBLNR
    assert [d["BELNR"] for d in in_sap] == [number], "the posting is not in the simulator"
    expect(page.locator("dl.facts")).to_contain_text("thandi")
    assert_accessible(page)

    page.goto(f"{cash_url}/receipts?state=unallocated")
    page.get_by_role("button", name=f"Approve proposal {proposal.id}").click()
    expect(page.get_by_role("status")).to_contain_text(f"allocation {proposal.id}")
    with cash_world.store.engine.connect() as conn:
        approved = allocations.get(conn, proposal.id)
    assert approved.state == "posted" and cash_world.sap_document(approved.sap_document)

    page.goto(f"{cash_url}/allocations?rule=manual")
    expect(page.locator("main table")).to_contain_text(number)
    assert_accessible(page)


def test_a_correcting_journal_from_the_browser_reaches_sap(cash_world, cash_url,
                                                           page: Page):  # noqa: F811
    with cash_world.store.engine.connect() as conn:
        wrong = next(a for a in allocations.listing(conn, "posted") if len(a.items) == 1
                     and a.on_account == 0)
        target = next(i for i in open_items(conn) if i.currency == wrong.currency
                      and i.amount >= wrong.amount)
    page.goto(f"{cash_url}/allocations/{wrong.id}")
    log_in(page, cash_url, "thandi")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Allocation {wrong.id}")
    assert_accessible(page)
    page.get_by_label("Right invoice(s), comma separated").fill(target.invoice)
    page.get_by_label("Reason").fill("the payer quoted the wrong invoice")
    page.get_by_role("button", name="Request the correcting journal").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Correcting journal")
    expect(page.locator("dl.facts .badge").first).to_have_text("done")
    reversal = page.locator("#doc-reversal").inner_text().strip()
    repost = page.locator("#doc-repost").inner_text().strip()
    assert cash_world.sap_document(reversal) is not None
    assert cash_world.sap_document(repost) is not None
    assert_accessible(page)
