"""Where invoice PDFs come from: a folder SAP output drops them in, SAP ArchiveLink, or
rendered by arbridge from the billing document. One ``PdfSource`` is chosen by settings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from fpdf import FPDF

from config.errors import ConfigError, InputError
from config.settings import Settings
from sap.archivelink import fetch_pdf


class InvoiceFacts(Protocol):
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


def _cached(path: Path, produce: Callable[[Path], None]) -> Path:
    """``path`` if it exists, else ``produce`` it (written to a temporary name, then moved, so
    a crash never leaves half a PDF to upload)."""
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    produce(temporary)
    temporary.replace(path)
    return path


class FolderSource:
    """``<folder>/<billing document>.pdf`` (with or without leading zeros)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def pdf_for(self, invoice: InvoiceFacts, customer_name: str) -> Path:
        for name in (invoice.billing_document, invoice.invoice_number):
            path = self.folder / f"{name}.pdf"
            if path.is_file():
                return path
        raise InputError(f"no PDF for billing document {invoice.billing_document} in "
                         f"{self.folder} (expected {invoice.billing_document}.pdf)")


class RenderSource:
    """Renders a plain tax invoice from the billing document (the embedded default)."""

    def __init__(self, folder: Path, supplier: str = "arbridge Demo Supplier (Pty) Ltd") -> None:
        self.folder = folder
        self.supplier = supplier

    def pdf_for(self, invoice: InvoiceFacts, customer_name: str) -> Path:
        return _cached(self.folder / f"{invoice.billing_document}.pdf",
                       lambda target: self._render(invoice, customer_name, target))

    def _render(self, invoice: InvoiceFacts, customer_name: str, target: Path) -> None:
        pdf = FPDF()
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 16)
        pdf.cell(0, 10, "TAX INVOICE", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=11)
        lines = [self.supplier, "", f"Invoice number: {invoice.invoice_number}",
                 f"Invoice date: {invoice.invoice_date.isoformat()}",
                 f"Customer: {customer_name}", f"Customer PO: {invoice.po_number or '-'}", "",
                 f"Amount excl. VAT: {invoice.currency} {invoice.net:,.2f}",
                 f"VAT (15%): {invoice.currency} {invoice.tax:,.2f}",
                 f"Total: {invoice.currency} {invoice.gross:,.2f}"]
        for line in lines:
            pdf.cell(0, 7, _latin1(line), new_x="LMARGIN", new_y="NEXT")
        pdf.output(str(target))


_TYPOGRAPHIC = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                              "\u2013": "-", "\u2014": "-"})


def _latin1(text: str) -> str:
    """What the PDF core font (Helvetica: Latin-1) can print: ``Zoë`` as is, ``O’Brien`` with
    a plain apostrophe, anything else as ``?`` rather than failing the upload."""
    return text.translate(_TYPOGRAPHIC).encode("latin-1", "replace").decode("latin-1")


class ArchiveLinkSource:
    """The archived print from SAP (ArchiveLink), cached on disk."""

    def __init__(self, sap: object, folder: Path) -> None:
        self.sap = sap
        self.folder = folder

    def pdf_for(self, invoice: InvoiceFacts, customer_name: str) -> Path:
        return _cached(self.folder / f"{invoice.billing_document}.pdf",
                       lambda target: target.write_bytes(self._fetch(invoice)))

    def _fetch(self, invoice: InvoiceFacts) -> bytes:
        content = fetch_pdf(self.sap, invoice.billing_document)  # type: ignore[arg-type]
        if content is None:
            raise InputError(f"SAP has no archived PDF for billing document "
                             f"{invoice.billing_document} (ArchiveLink, object type VBRK)")
        return content


def pdf_source(settings: Settings, sap: object | None = None) -> PdfSource:
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
