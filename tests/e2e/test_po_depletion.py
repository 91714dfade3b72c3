"""Hold and release end to end, in real Chromium against the demo portal: a PO runs out, the
next invoices are held and the billing team is alerted; the client loads a new PO, SAP's
billing documents carry it, the held invoices go up in billing-date order, the alert closes."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from sqlalchemy import update

from config.portals import BrowserSettings
from config.secrets import SecretBox
from connectors.pdfs import RenderSource
from portals.accounts import resolve
from portals.po_actions import after_run, po_hook
from portals.upload_run import UploadRunner
from sync.mirror.writes import BILLING_DOCUMENTS
from sync.po import alerts
from sync.po import ledger as po_ledger


def run(world) -> None:
    """One scheduled cycle: uploads (the PO read feeds the ledger), then the alert pass."""
    settings = world.settings
    runner = UploadRunner(
        store=world.store, accounts=resolve(world.accounts(concurrency=1),
                                            SecretBox.load(settings.home)),
        browser=BrowserSettings(), pdfs=RenderSource(settings.home / "pdfs"),
        evidence_root=settings.evidence_path, session_root=settings.home / "sessions",
        on_po_read=po_hook(settings, world.store))
    asyncio.run(runner.run())
    after_run(settings, world.store)


def billed(world, document: str, days_ago: int) -> None:
    with world.store.engine.begin() as conn:
        conn.execute(update(BILLING_DOCUMENTS.table).where(
            BILLING_DOCUMENTS.table.c.number == document).values(
            billing_date=date.today() - timedelta(days=days_ago)))


def test_exhausted_po_holds_alerts_then_a_new_po_releases_in_billing_date_order(coupa):
    coupa.add_po("4500000010", "5000.00")
    first = coupa.add_invoice(90000021, "4500000010", net="5000.00")
    late = coupa.add_invoice(90000022, "4500000010", net="1000.00")
    early = coupa.add_invoice(90000023, "4500000010", net="1200.00")
    middle = coupa.add_invoice(90000024, "4500000010", net="800.00")
    for document, days in ((first, 6), (late, 1), (early, 3), (middle, 2)):
        billed(coupa, document, days)

    run(coupa)

    assert coupa.upload(first).state == "submitted"
    assert {coupa.upload(d).state for d in (late, early, middle)} == {"held"}
    with coupa.store.engine.connect() as conn:
        raised = {a["rule"]: a for a in alerts.listing(conn)}
    assert raised["held"]["level"] == "exhausted" and raised["exhausted"]["level"] == "exhausted"
    outbox = list(coupa.settings.outbox_path.iterdir())
    told = "\n".join(p.read_text() for p in outbox)
    assert "PO 4500000010 of Karoo Mining (Pty) Ltd" in told
    assert "of at least 3,000.00 ZAR" in told  # the three held invoices
    assert all(n in told for n in ("90000022", "90000023", "90000024"))

    # the client loads a new PO on the portal; SAP's billing documents now carry it
    coupa.add_po("4500000011", "10000.00")
    with coupa.store.engine.begin() as conn:
        conn.execute(update(BILLING_DOCUMENTS.table).where(
            BILLING_DOCUMENTS.table.c.number.in_((late, early, middle))).values(
            customer_po="4500000011"))

    run(coupa)

    on_portal = [i.number for i in coupa.state.invoices() if i.po_number == "4500000011"]
    assert on_portal == ["90000023", "90000024", "90000022"]  # billing-date order
    assert {coupa.upload(d).state for d in (late, early, middle)} == {"submitted"}
    with coupa.store.engine.connect() as conn:
        still_open = alerts.listing(conn)
        closed = [a for a in alerts.listing(conn, include_closed=True) if a["state"] == "closed"]
        ledger = {r["number"]: r for r in po_ledger.rows(conn)}
    assert [a for a in still_open if a["po_number"] == "4500000010"] == []
    assert {a["rule"] for a in closed} >= {"held", "exhausted"}
    assert all("new PO 4500000011 loaded" in a["close_reason"] for a in closed)
    assert ledger["4500000011"]["pending"] == 3000  # sent, not yet counted by a read
    assert len(list(coupa.settings.outbox_path.iterdir())) == len(outbox)  # nothing re-sent


def test_po_refresh_reads_the_portal_now_into_the_ledger_and_alerts(coupa):
    from portals.po_actions import refresh_portals

    coupa.add_po("4500000031", "10000.00", valid_to=date.today() + timedelta(days=5))
    result = refresh_portals(coupa.settings, coupa.store, "demo-coupa",
                             demo_url=coupa.server.url)
    assert result == {"demo-coupa": 1}
    with coupa.store.engine.connect() as conn:
        [row] = po_ledger.rows(conn)
        history = po_ledger.history(conn, "demo-coupa", "4500000031")
        [alert] = alerts.listing(conn)
    assert (row["total"], row["remaining"], row["source"]) == (10000, 10000, "portal")
    assert len(history) == 1
    assert (alert["rule"], alert["level"]) == ("expiry_days", "critical")
    assert len(list(coupa.settings.outbox_path.iterdir())) == 1


def test_top_up_on_the_portal_releases_a_held_invoice_when_nothing_else_is_due(world):
    world.add_po("4500000041", "1000.00")
    document = world.add_invoice(90000041, "4500000041", net="1500.00")
    run(world)
    assert world.upload(document).state == "held"
    world.add_po("4500000041", "5000.00")  # the client tops the PO up
    run(world)  # no ready invoice, nothing awaiting the client: only the held one
    assert world.upload(document).state == "submitted"
    assert world.state.invoice("90000041") is not None
    with world.store.engine.connect() as conn:
        closed = alerts.listing(conn, include_closed=True)
    assert closed and all(a["state"] == "closed" for a in closed)
    assert any("topped up to 5,000.00 ZAR" in a["close_reason"] for a in closed)
