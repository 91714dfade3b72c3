from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from config.errors import InputError
from connectors.pdfs import ArchiveLinkSource, FolderSource, RenderSource
from sap.rfc import RfcSapClient


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


def test_folder_source_names_the_missing_file(tmp_path):
    (tmp_path / "90000042.pdf").write_bytes(b"%PDF-1.4")
    assert FolderSource(tmp_path).pdf_for(Invoice(), "x").name == "90000042.pdf"
    with pytest.raises(InputError, match="0090000043.pdf"):
        FolderSource(tmp_path).pdf_for(Invoice(billing_document="0090000043",
                                               invoice_number="90000043"), "x")


def test_archivelink_reads_the_archived_print_from_sap(simulator, tmp_path):
    original = b"%PDF-1.4 " + bytes(range(256)) * 9
    simulator.archive_pdf("0090000042", original)
    sap = RfcSapClient(factory=simulator.connect, params={})
    source = ArchiveLinkSource(sap, tmp_path)
    assert source.pdf_for(Invoice(), "x").read_bytes() == original
    with pytest.raises(InputError, match="no archived PDF for billing document 0090000043"):
        source.pdf_for(Invoice(billing_document="0090000043"), "x")
