"""Where invoice PDFs come from: a folder SAP output drops them in, SAP ArchiveLink, or
rendered by arbridge from the billing document. One ``PdfSource`` is chosen by settings.

Rendered invoices whose text is beyond Latin-1 use the DejaVu Sans fonts shipped in
``connectors/fonts`` (with Droid Sans Fallback for CJK; :mod:`connectors.pdf_fonts`), so every
customer name renders: typographic apostrophes, dashes, Greek, Cyrillic, Arabic, Chinese.
Cached PDFs are owner-only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from fpdf import FPDF

from config.errors import ConfigError
from config.settings import Settings
from connectors.errors import PdfNotReady
from connectors.pdf_checks import check_settled
from connectors.pdf_fonts import fonts_for, output
from sap.archivelink import Caller, fetch_pdf
from sync.files import private_dir, private_file

TITLE = "TAX INVOICE"


class InvoiceFacts(Protocol):
    billing_document: str
    invoice_number: str
    po_number: str | None
    invoice_date: date
    net: Decimal
    tax: Decimal
    gross: Decimal
    currency: str


@dataclass(slots=True)
class Facts:
    """Invoice facts as a plain value, for a caller that does not hold them in an upload row
    (the hand-over pack reads them from the billing documents)."""

    billing_document: str
    invoice_number: str
    po_number: str | None
    invoice_date: date
    net: Decimal
    tax: Decimal
    gross: Decimal
    currency: str


class PdfSource(Protocol):
    def pdf_for(self, invoice: InvoiceFacts, customer_name: str) -> Path: ...


def _cached(path: Path, produce: Callable[[Path], object]) -> Path:
    """``path`` if it exists, else ``produce`` it (written to a temporary name, then moved, so
    a crash never leaves half a PDF to upload)."""
    if path.is_file():
        return path
    private_dir(path.parent)
    temporary = path.with_suffix(".tmp")
    produce(temporary)
    private_file(temporary)
    temporary.replace(path)
    return path


class FolderSource:
    """``<folder>/<billing document>.pdf`` (with or without leading zeros). A file that is
    not there yet, or changed in the last ``settle_seconds``, is waited for."""

    def __init__(self, folder: Path, settle_seconds: float | None = None) -> None:
        self.folder = folder
        self.settle_seconds = settle_seconds

    def pdf_for(self, invoice: InvoiceFacts, customer_name: str) -> Path:
        for name in (invoice.billing_document, invoice.invoice_number):
            path = self.folder / f"{name}.pdf"
            if path.is_file():
                if self.settle_seconds is None:
                    check_settled(path)
                else:
                    check_settled(path, settle_seconds=self.settle_seconds)
                return path
        raise PdfNotReady(f"waiting for the PDF: no {invoice.billing_document}.pdf in "
                          f"{self.folder} yet")


class RenderSource:
    """Renders a plain tax invoice from the billing document (the embedded default)."""

    def __init__(self, folder: Path, supplier: str = "arbridge Demo Supplier (Pty) Ltd") -> None:
        self.folder = folder
        self.supplier = supplier

    def pdf_for(self, invoice: InvoiceFacts, customer_name: str) -> Path:
        return _cached(self.folder / f"{invoice.billing_document}.pdf",
                       lambda target: self._render(invoice, customer_name, target))

    def forget(self, invoice: InvoiceFacts) -> None:
        """Drop a cached PDF that failed its checks, so a retry produces it afresh."""
        (self.folder / f"{invoice.billing_document}.pdf").unlink(missing_ok=True)

    def _render(self, invoice: InvoiceFacts, customer_name: str, target: Path) -> None:
        lines = [self.supplier, "", f"Invoice number: {invoice.invoice_number}",
                 f"Invoice date: {invoice.invoice_date.isoformat()}",
                 f"Customer: {customer_name}", f"Customer PO: {invoice.po_number or '-'}", "",
                 f"Amount excl. VAT: {invoice.currency} {invoice.net:,.2f}",
                 f"VAT (15%): {invoice.currency} {invoice.tax:,.2f}",
                 f"Total: {invoice.currency} {invoice.gross:,.2f}"]
        pdf = FPDF()
        family = fonts_for(pdf, lines)
        pdf.add_page()
        pdf.set_font(family, "B", 16)
        pdf.cell(0, 10, TITLE, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, size=11)
        for line in lines:
            pdf.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
        target.write_bytes(output(pdf, document=f"invoice {invoice.invoice_number}",
                                  name=customer_name))


class ArchiveLinkSource:
    """The archived print from SAP (ArchiveLink), cached on disk."""

    def __init__(self, sap: Caller, folder: Path) -> None:
        self.sap = sap
        self.folder = folder

    def pdf_for(self, invoice: InvoiceFacts, customer_name: str) -> Path:
        return _cached(self.folder / f"{invoice.billing_document}.pdf",
                       lambda target: target.write_bytes(self._fetch(invoice)))

    def forget(self, invoice: InvoiceFacts) -> None:
        """Drop a cached PDF that failed its checks, so a retry fetches it from SAP again."""
        (self.folder / f"{invoice.billing_document}.pdf").unlink(missing_ok=True)

    def _fetch(self, invoice: InvoiceFacts) -> bytes:
        content = fetch_pdf(self.sap, invoice.billing_document)
        if content is None:
            raise PdfNotReady(f"waiting for the PDF: SAP has no archived PDF for billing "
                              f"document {invoice.billing_document} yet (ArchiveLink, object "
                              "type VBRK)")
        return content


def pdf_source(settings: Settings, sap: Caller | None = None) -> PdfSource:
    folder = settings.home / "pdfs"
    if settings.invoice_pdfs == "folder":
        if settings.invoice_pdf_folder is None:
            raise ConfigError("invoice_pdfs = 'folder' needs ARBRIDGE_INVOICE_PDF_FOLDER")
        return FolderSource(settings.invoice_pdf_folder)
    if settings.invoice_pdfs == "archivelink":
        if sap is None:
            raise ConfigError("invoice_pdfs = 'archivelink' needs an RFC connection to SAP")
        return ArchiveLinkSource(sap, folder)
    return RenderSource(folder)
