"""One bad invoice never stops a portal, only real PDFs leave, and amounts and references
that must not be typed are not — in real Chromium against both demo flavours."""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
import time
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.async_api import async_playwright
from pypdf import PdfReader

from config.portals import BrowserSettings
from config.secrets import SecretBox
from connectors.pdfs import Facts, FolderSource, RenderSource
from portals.accounts import resolve
from portals.browser import BrowserPool
from portals.driver import InvoiceSubmission
from portals.errors import PortalPageNotFound
from portals.registry import make_driver
from sync.uploads import queue as uploads
from tests.e2e.conftest import LAYOUT_CHANGE_WAIT_S

NAMES = ["Protea Timber’s (Pty) Ltd", "Mthatha – Umtata Hardware", "深圳华强电子有限公司",
         "ООО «Ромашка»", "Ελληνικά Εμπορικά ΑΕ"]


def test_customers_with_typographic_and_non_latin_names_are_all_uploaded(world):
    world.add_po("4500000001", "90000.00")
    documents = {}
    for i, name in enumerate(NAMES):
        customer = world.add_customer(f"00001002{i:02d}", name)
        documents[world.add_invoice(90000040 + i, "4500000001", customer=customer)] = name
    summary = world.run()
    assert summary.portals[world.portal]["submitted"] == len(NAMES)
    for document, name in documents.items():
        assert world.upload(document).state == "submitted"
        pdf = world.settings.home / "pdfs" / f"{document}.pdf"
        assert f"Customer: {name}" in PdfReader(pdf).pages[0].extract_text()


class Exploding(RenderSource):
    """A renderer that fails on one invoice, as a bug or bad data would."""

    def __init__(self, folder: Path, bad: str) -> None:
        super().__init__(folder)
        self.bad = bad

    def pdf_for(self, invoice, customer_name):  # type: ignore[no-untyped-def]
        if invoice.billing_document == self.bad:
            raise KeyError("template field 'vat_number'")
        return super().pdf_for(invoice, customer_name)


def test_an_invoice_that_cannot_be_prepared_fails_alone_and_the_run_carries_on(coupa):
    coupa.add_po("4500000001", "50000.00")
    before = coupa.add_invoice(90000050, "4500000001")
    bad = coupa.add_invoice(90000051, "4500000001")
    after = coupa.add_invoice(90000052, "4500000001")
    coupa.run(pdfs=Exploding(coupa.settings.home / "pdfs", bad))
    failed = coupa.upload(bad)
    assert failed.state == "failed"
    assert "could not be prepared" in failed.reason and "vat_number" in failed.reason
    assert coupa.upload(before).state == coupa.upload(after).state == "submitted"
    assert coupa.state.invoice("90000051") is None


def queue(world) -> None:  # type: ignore[no-untyped-def]
    with world.store.engine.begin() as conn:
        uploads.enqueue(conn, now=_now(), portals=[world.portal])
        uploads.route_queued(conn, now=_now(), review_portals=set())


def crash_during(world, document: str) -> None:  # type: ignore[no-untyped-def]
    """What a run that died mid-upload leaves behind: an attempt begun and never ended."""
    with world.store.engine.begin() as conn:
        uploads.begin_attempt(conn, world.upload(document), now=_now())


def _now() -> datetime:
    return datetime.now(timezone.utc)


def test_an_invoice_that_crashed_two_runs_is_set_aside_for_a_person(coupa):
    coupa.add_po("4500000001", "50000.00")
    poison = coupa.add_invoice(90000053, "4500000001")
    fine = coupa.add_invoice(90000054, "4500000001")
    queue(coupa)
    crash_during(coupa, poison)
    crash_during(coupa, poison)
    coupa.run()
    upload = coupa.upload(poison)
    assert upload.state == "failed" and upload.reason.startswith("set aside for a person")
    assert coupa.state.invoice("90000053") is None
    assert {a["outcome"] for a in coupa.attempts(poison)} == {"interrupted"}
    assert coupa.upload(fine).state == "submitted"


def test_a_portal_that_allows_more_crashes_looks_the_invoice_up_and_sends_it(coupa):
    coupa.add_po("4500000001", "50000.00")
    killed = coupa.add_invoice(90000055, "4500000001")
    queue(coupa)
    crash_during(coupa, killed)
    crash_during(coupa, killed)
    coupa.run(crashes_before_set_aside=3)
    assert coupa.upload(killed).state == "submitted"
    assert coupa.state.copies().get("90000055") == 1


def write_bad_pdfs(folder: Path, render: RenderSource, documents: dict[str, str]) -> None:
    good = render.pdf_for(_facts("0090000099", "90000099"), "x")
    for document, kind in documents.items():
        target = folder / f"{document}.pdf"
        real = render.pdf_for(_facts(document, document.lstrip("0")), "Karoo Mining (Pty) Ltd")
        if kind == "good":
            shutil.copy(real, target)
        elif kind == "text":
            target.write_text("This is not a PDF, just a file named like one.\n" * 20)
        elif kind == "truncated":
            target.write_bytes(real.read_bytes()[:1200])
        elif kind == "other invoice":
            shutil.copy(good, target)
        else:
            continue  # missing: SAP output has not dropped it yet
        old = time.time() - 3600  # written an hour ago: settled
        os.utime(target, (old, old))


def _facts(document: str, number: str) -> Facts:
    return Facts(document, number, "4500000001", date(2026, 11, 20), Decimal("1000.00"),
                 Decimal("150.00"), Decimal("1150.00"), "ZAR")


def test_folder_of_bad_pdfs_only_real_invoice_pdfs_leave(coupa, tmp_path):
    coupa.add_po("4500000001", "50000.00")
    kinds = {coupa.add_invoice(90000060, "4500000001"): "good",
             coupa.add_invoice(90000061, "4500000001"): "text",
             coupa.add_invoice(90000062, "4500000001"): "truncated",
             coupa.add_invoice(90000063, "4500000001"): "other invoice",
             coupa.add_invoice(90000064, "4500000001"): "missing"}
    folder = tmp_path / "sap-output"
    folder.mkdir()
    write_bad_pdfs(folder, RenderSource(tmp_path / "rendered"), kinds)
    summary = coupa.run(pdfs=FolderSource(folder))
    assert summary.portals["demo-coupa"]["submitted"] == 1
    by_kind = {kind: coupa.upload(document) for document, kind in kinds.items()}
    assert by_kind["good"].state == "submitted"
    assert by_kind["text"].state == "failed" and "not a PDF" in by_kind["text"].reason
    assert by_kind["truncated"].state == "failed" and "cut short" in by_kind["truncated"].reason
    assert "does not mention invoice number 90000063" in by_kind["other invoice"].reason
    waiting = by_kind["missing"]
    assert waiting.state == "ready" and waiting.reason.startswith("waiting for the PDF")
    assert [i.number for i in coupa.state.invoices()] == ["90000060"]


def test_zero_and_negative_nets_are_held_before_anything_is_typed(world):
    world.add_po("4500000001", "50000.00")
    zero = world.add_invoice(90000070, "4500000001", net="0.00")
    negative = world.add_invoice(90000071, "4500000001", net="-250.00")
    world.run()
    assert world.upload(zero).state == "held"
    assert "net amount is 0.00 ZAR" in world.upload(zero).reason
    assert world.upload(negative).state == "held"
    assert "credit note" in world.upload(negative).reason
    assert world.state.invoices() == []


def test_po_number_with_a_slash_and_a_space_is_submitted(world):
    world.add_po("PO 12/2026", "50000.00")
    document = world.add_invoice(90000072, "PO 12/2026")
    world.run()
    upload = world.upload(document)
    assert upload.state == "submitted", upload.reason
    assert world.state.invoice("90000072").po_number == "PO 12/2026"


def test_an_address_the_portal_does_not_know_is_not_reported_as_a_changed_page(coupa):
    async def submit() -> None:
        account = resolve(coupa.accounts(), SecretBox.load(coupa.settings.home))["demo-coupa"]
        async with async_playwright() as playwright:
            pool = BrowserPool(playwright, BrowserSettings(), recycle_after=10)
            try:
                driver = make_driver(account, await pool.context(None))
                await driver.sign_in()
                await driver.fill_and_send(InvoiceSubmission(
                    number="90000073", po_number="4599999999", invoice_date=date.today(),
                    net=Decimal("1.00"), tax=Decimal("0.15"), currency="ZAR",
                    description="x"), coupa.settings.home / "none.pdf")
            finally:
                await pool.close()

    with pytest.raises(PortalPageNotFound, match="404"):
        asyncio.run(submit())


def test_evidence_sessions_and_pdfs_are_written_owner_only(coupa):
    previous = os.umask(0o022)  # as with a default login shell
    try:
        coupa.add_po("4500000001", "50000.00")
        coupa.add_invoice(90000074, "4500000001")
        failing = coupa.add_invoice(90000075, "4500000001", net="2000.00")
        coupa.state.set_fault("layout", "v2-form")
        coupa.run(timeout_seconds=LAYOUT_CHANGE_WAIT_S)
        assert coupa.upload(failing).state == "failed"
    finally:
        os.umask(previous)
    home = coupa.settings.home
    written = [p for sub in ("evidence", "sessions", "pdfs") for p in (home / sub).rglob("*")]
    assert any(p.name == "trace.zip" for p in written)
    assert any(p.suffix == ".json" for p in (home / "sessions").iterdir())
    loose = [f"{p} {stat.S_IMODE(p.stat().st_mode):o}" for p in written
             if stat.S_IMODE(p.stat().st_mode) & 0o077]
    assert loose == []
