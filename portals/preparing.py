"""Everything an upload needs before anything is typed: the values for the portal and a PDF
that has passed its checks. Whatever goes wrong here concerns this one invoice only: a PDF not
there yet is waited for (:class:`PdfNotReady`), anything else (its data, its PDF, a renderer's
bug) is an :class:`InputError` naming the invoice, so the run carries on with the others."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import select

from config.errors import InputError
from connectors.errors import PdfNotReady
from connectors.pdf_checks import check_pdf
from portals.driver import InvoiceSubmission
from sync.mirror.models import CustomerRow
from sync.store import Store
from sync.tables import table_of
from sync.uploads import queue as uploads

log = logging.getLogger(__name__)


def submission_for(upload: uploads.Upload) -> InvoiceSubmission:
    return InvoiceSubmission(
        number=upload.invoice_number, po_number=upload.po_number or "",
        invoice_date=upload.invoice_date, net=upload.net, tax=upload.tax,
        currency=upload.currency, description=f"Invoice {upload.invoice_number} as per PO")


def customer_name(store: Store, upload: uploads.Upload) -> str:
    table = table_of(CustomerRow)
    with store.engine.connect() as conn:
        return conn.execute(select(table.c.name).join_from(
            table, uploads.UPLOADS, table.c.number == uploads.UPLOADS.c.customer).where(
            uploads.UPLOADS.c.id == upload.id)).scalar() or ""


def prepare(store: Store, pdfs: object, upload: uploads.Upload
            ) -> tuple[InvoiceSubmission, Path]:
    """The submission and its checked PDF for ``upload``."""
    try:
        submission = submission_for(upload)
        pdf = pdfs.pdf_for(upload, customer_name(store, upload))  # type: ignore[attr-defined]
        check_pdf(pdf, invoice_number=upload.invoice_number)
    except PdfNotReady:
        raise
    except InputError:
        forget = getattr(pdfs, "forget", None)  # a cached copy is produced afresh next time
        if forget is not None:
            forget(upload)
        raise
    except Exception as exc:  # noqa: BLE001 - one invoice must never stop a portal
        log.exception("preparing invoice %s failed", upload.invoice_number)
        raise InputError(f"invoice {upload.invoice_number} could not be prepared for the "
                         f"portal: {type(exc).__name__}: {exc}") from exc
    return submission, pdf
