"""Screenshots of the admin app for the docs (README, docs/admin.md), taken from the running app.

Builds a small demo world in a temporary folder (the SAP simulator, a pull, the demo portal
with the clients' POs, an upload run — the Ariba-style portal requiring review, and one
client rejecting an invoice, the demo's bank statements matched and posted), starts the admin
app on loopback, logs in with Chromium at 1280 px and saves
``docs/screenshots/{dashboard,upload-queue,evidence,receipts,pos,po,book,ageing,statement}.png``
(the statement's first page through pdftoppm, Debian's poppler-utils).

    .venv/bin/python scripts/admin_screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import tempfile
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from admin.app import create_app  # noqa: E402
from admin.pages.pos import po_url  # noqa: E402
from config.portals import BrowserSettings  # noqa: E402
from config.secrets import SecretBox  # noqa: E402
from config.settings import Settings, load_settings  # noqa: E402
from portals.browser import find_chromium, launch_args  # noqa: E402
from portals.demo.seed import FLAVOUR_OF, demo_accounts, seed_portal  # noqa: E402
from portals.po_actions import after_run  # noqa: E402
from portals.upload_jobs import make_runner  # noqa: E402
from sap.simulator import SapSimulator  # noqa: E402
from sync.po import view as po_view  # noqa: E402
from sync.store import Store, open_store  # noqa: E402
from sync.uploads import view as queue_view
from sync.users import accounts as users
from workers.cli.demo_cash import cash_demo  # noqa: E402
from workers.cli.sap import run_pull  # noqa: E402
from workers.web_server import (
    AdminServer,  # noqa: E402
    DemoServer,  # noqa: E402
)

VIEWPORT = {"width": 1280, "height": 900}


def build_world(home: Path) -> tuple[Settings, Store]:
    settings = load_settings(home=home, sap={"simulator_customers": 120,
                                             "simulator_billing_documents": 900})
    SapSimulator(settings.simulator_path).seed(customers=120, documents=900,
                                               seed=settings.sap.simulator_seed)
    run_pull(settings, full=False, show_progress=False, create_store=True)
    store = open_store(settings, create=True)
    with DemoServer(settings.demo_portal_path) as server:
        for portal, flavour in FLAVOUR_OF.items():
            seed_portal(server.states[flavour], store, portal, today=date.today(),
                        with_totp=flavour == "coupa")
        accounts = demo_accounts(server.url, SecretBox.load(settings.home))
        accounts["demo-ariba"] = accounts["demo-ariba"].model_copy(
            update={"review_required": True})
        asyncio.run(make_runner(settings, store, accounts).run())
        submitted = [i for i in server.states["coupa"].invoices()][:1]
        for invoice in submitted:
            server.states["coupa"].set_invoice_status(
                invoice.number, "Rejected", "Cost centre 4410 is closed; bill 4420 instead")
        asyncio.run(make_runner(settings, store, accounts).run())
    after_run(settings, store)  # the PO rules over the whole ledger, as a scheduled run does
    cash_demo(settings, store)  # receipts: most posted, one proposal and one unknown payer
    return settings, store


def shoot(settings: Settings, store: Store, out: Path) -> list[Path]:
    password = secrets.token_urlsafe(16)
    with store.engine.begin() as conn:
        users.add_user(conn, name="thandi", role="administrator", password=password,
                       now=datetime.now(timezone.utc))
        evidence = next(r for r in queue_view.listing(
            conn, queue_view.QueueFilter(state="submitted")).rows)
        urgent = po_view.po_listing(conn, po_view.PoFilter(state="held"),
                                    today=date.today()).rows[0]
    out.mkdir(parents=True, exist_ok=True)
    shots = []
    with AdminServer(create_app(settings, engine=store.engine)) as server, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(BrowserSettings()),
                                             headless=True, args=launch_args())
        page = browser.new_context(viewport=VIEWPORT).new_page()
        page.goto(f"{server.url}/login")
        page.fill("#name", "thandi")
        page.fill("#password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server.url}/")
        for name, path in (("dashboard", "/"), ("upload-queue", "/uploads"),
                           ("evidence", f"/uploads/{evidence['billing_document']}/attempts/1"),
                           ("receipts", "/receipts?state=unallocated"),
                           ("pos", "/pos"),
                           ("po", po_url(urgent["portal"], urgent["number"])),
                           ("book", "/book"), ("ageing", "/book/ageing?sort=total")):
            page.goto(server.url + path)
            target = out / f"{name}.png"
            page.screenshot(path=str(target),
                            full_page=name not in ("upload-queue", "pos", "ageing"))
            shots.append(target)
        browser.close()
    shots.append(statement_picture(settings, store, out))
    return shots


def statement_picture(settings: Settings, store: Store, out: Path) -> Path:
    """The first page of the largest debtor's statement, as the PDF renders it (pdftoppm,
    Debian's poppler-utils)."""
    import subprocess

    from connectors.reports.book import ledger_today
    from connectors.reports.statement_pdf import write_statement
    from sync.reports.ageing_store import ageing
    from sync.reports.statements import compose

    with store.engine.connect() as conn:
        day = ledger_today(conn)
        top = max(ageing(conn, day).lines, key=lambda line: line.total)
        statement = compose(conn, top.company_code, top.customer, day)
    pdf = write_statement(statement, settings.reports.statements, settings.home / "shots")
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(out / "statement")], check=True)
    return out / "statement.png"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="arbridge-shots-") as folder:
        settings, store = build_world(Path(folder))
        for path in shoot(settings, store, args.out):
            print(path)
        store.engine.dispose()


if __name__ == "__main__":
    main()
