import os
import shutil
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from connectors.errors import PdfInvalid, PdfNotReady
from connectors.pdf_checks import check_pdf
from connectors.pdfs import ArchiveLinkSource, FolderSource, RenderSource
from sap.rfc.client import RfcSapClient


@dataclass
class Invoice:
    billing_document: str = "0090000042"
    invoice_number: str = "90000042"
    po_number: str | None = "4500000001"
    invoice_date: date = date(2026, 11, 20)
    net: Decimal = Decimal("1000.00")
    tax: Decimal = Decimal("150.00")
    gross: Decimal = Decimal("1150.00")
    currency: str = "ZAR"


def test_rendered_invoice_is_a_pdf_with_its_numbers(tmp_path):
    path = RenderSource(tmp_path).pdf_for(Invoice(), "Karoo Mining (Pty) Ltd")
    content = path.read_bytes()
    assert content.startswith(b"%PDF") and len(content) > 500
    assert path.name == "0090000042.pdf"


def text_of(path: Path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.mark.parametrize("name", [
    "Protea Timber’s (Pty) Ltd", "Mthatha – Umtata Hardware", "“Quoted” Holdings",
    "深圳华强电子有限公司", "株式会社トヨタ", "ООО «Ромашка»", "Ελληνικά Εμπορικά ΑΕ",
    "Ñandú Café & Søn ČR"])
def test_rendered_invoice_names_any_customer(tmp_path, name):
    path = RenderSource(tmp_path).pdf_for(Invoice(), name)
    check_pdf(path, invoice_number="90000042")
    assert f"Customer: {name}" in text_of(path)


def test_folder_source_waits_for_a_missing_pdf_and_one_still_being_written(tmp_path):
    (tmp_path / "90000042.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(PdfNotReady, match="may still be being written"):
        FolderSource(tmp_path).pdf_for(Invoice(), "x")
    assert FolderSource(tmp_path, settle_seconds=0).pdf_for(Invoice(), "x").name == \
        "90000042.pdf"
    with pytest.raises(PdfNotReady, match="waiting for the PDF: no 0090000043.pdf"):
        FolderSource(tmp_path).pdf_for(Invoice(billing_document="0090000043",
                                               invoice_number="90000043"), "x")


def bad_pdfs(folder: Path, good: Path) -> dict[str, str]:
    """A folder of files named .pdf that must not leave, with why."""
    content = good.read_bytes()
    cases = {
        "text.pdf": (b"Invoice 90000042\n" * 40, "not a PDF"),
        "truncated.pdf": (content[: len(content) // 2], "cut short"),
        "empty.pdf": (b"", "too small"),
        "garbage.pdf": (b"%PDF-1.7\n" + os.urandom(4000) + b"\n%%EOF\n", "does not open"),
        "other.pdf": (None, "does not mention invoice number 90000042"),
    }
    reasons = {}
    for name, (data, reason) in cases.items():
        if data is None:
            shutil.copy(RenderSource(folder / "r").pdf_for(
                Invoice(billing_document="0090000099", invoice_number="90000099"), "x"),
                folder / name)
        else:
            (folder / name).write_bytes(data)
        reasons[name] = reason
    return reasons


def test_only_real_invoice_pdfs_pass_the_check(tmp_path):
    good = RenderSource(tmp_path / "render").pdf_for(Invoice(), "Karoo Mining (Pty) Ltd")
    check_pdf(good, invoice_number="90000042")
    for name, reason in bad_pdfs(tmp_path, good).items():
        with pytest.raises(PdfInvalid, match=reason):
            check_pdf(tmp_path / name, invoice_number="90000042")


def test_a_scan_without_text_passes_on_header_trailer_and_structure(tmp_path):
    from fpdf import FPDF
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 100, 50, style="F")  # no text to read, like a scanned page
    pdf.output(str(tmp_path / "scan.pdf"))
    check_pdf(tmp_path / "scan.pdf", invoice_number="90000042")


def test_archivelink_reads_the_archived_print_from_sap(simulator, tmp_path):
    original = b"%PDF-1.4 " + bytes(range(256)) * 9
    simulator.archive_pdf("0090000042", original)
    sap = RfcSapClient(factory=simulator.connect, params={})
    source = ArchiveLinkSource(sap, tmp_path)
    assert source.pdf_for(Invoice(), "x").read_bytes() == original
    with pytest.raises(PdfNotReady, match="no archived PDF for billing document 0090000043"):
        source.pdf_for(Invoice(billing_document="0090000043"), "x")


def test_archived_pdf_that_fails_its_checks_is_fetched_again_on_retry(simulator, store,
                                                                      tmp_path):
    from portals.preparing import prepare
    broken = b"%PDF-1.4 " + b"x" * 500  # no trailer: cut short
    simulator.archive_pdf("0090000042", broken)
    source = ArchiveLinkSource(RfcSapClient(factory=simulator.connect, params={}), tmp_path)
    with pytest.raises(PdfInvalid, match="cut short"):
        prepare(store, source, Upload())  # type: ignore[arg-type]
    good = RenderSource(tmp_path / "r").pdf_for(Invoice(), "x").read_bytes()
    simulator.archive_pdf("0090000042", good)  # the print is archived again in SAP
    submission, pdf = prepare(store, source, Upload())  # type: ignore[arg-type]
    assert pdf.read_bytes() == good and submission.po_number == "4500000001"


@dataclass
class Upload(Invoice):
    id: int = 1
