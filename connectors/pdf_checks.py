"""What leaves for a client must be a real invoice PDF: a PDF header and trailer, a sane size,
a file that opens (pypdf) and whose text, where text can be extracted, names the invoice.

A PDF that is not there yet, or is still being written (a scanner or SAP output mid-file), is
*waiting* (:class:`PdfNotReady`, retried later); one that is there but broken is *failed*
(:class:`PdfInvalid`) with the reason, for a person.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from pathlib import Path

from connectors.errors import PdfInvalid, PdfNotReady

log = logging.getLogger(__name__)

MIN_BYTES = 200  # the smallest one-page PDF with text is a few hundred bytes
MAX_BYTES = 20 * 1024 * 1024  # portals refuse attachments well below this
SETTLE_SECONDS = 10.0  # unchanged this long: whoever wrote the file has finished
HEADER_WINDOW = 1024  # the spec allows the %PDF- header anywhere in the first 1,024 bytes
TRAILER_WINDOW = 2048
TEXT_PAGES = 3


def check_settled(path: Path, *, settle_seconds: float = SETTLE_SECONDS,
                  now: Callable[[], float] = time.time) -> None:
    """Raise :class:`PdfNotReady` while ``path`` changed less than ``settle_seconds`` ago."""
    age = now() - path.stat().st_mtime
    if age < settle_seconds:
        raise PdfNotReady(f"waiting for the PDF: {path} changed {max(age, 0):.0f}s ago and may "
                          f"still be being written (used once unchanged for {settle_seconds:.0f}s)")


def check_pdf(path: Path, *, invoice_number: str) -> None:
    """Raise :class:`PdfInvalid` naming what is wrong with ``path``, else return."""
    size = path.stat().st_size
    if size < MIN_BYTES:
        raise PdfInvalid(f"{path} is {size} bytes: too small to be an invoice PDF")
    if size > MAX_BYTES:
        raise PdfInvalid(f"{path} is {size / 1_048_576:.1f} MB: larger than the "
                         f"{MAX_BYTES // 1_048_576} MB a portal accepts")
    with path.open("rb") as handle:
        head = handle.read(HEADER_WINDOW)
        handle.seek(max(size - TRAILER_WINDOW, 0))
        tail = handle.read()
    if b"%PDF-" not in head:
        raise PdfInvalid(f"{path} is not a PDF (no %PDF- header): "
                         f"it starts with {head[:16]!r}")
    if b"%%EOF" not in tail:
        raise PdfInvalid(f"{path} is cut short (no %%EOF trailer at its end): a truncated or "
                         "half-copied PDF")
    text = _text(path)
    if text is not None and not names(text, invoice_number):
        raise PdfInvalid(f"{path} does not mention invoice number {invoice_number}: is it "
                         "another invoice's PDF?")


def names(text: str, invoice_number: str) -> bool:
    """True if ``text`` mentions the invoice number as a whole number (leading zeros and
    spacing as printed do not matter)."""
    number = invoice_number.lstrip("0") or "0"
    squeezed = re.sub(r"\s+", "", text)
    return re.search(rf"(?<!\d)0*{re.escape(number)}(?!\d)", squeezed) is not None


def _text(path: Path) -> str | None:
    """The text of the first pages, or None for a PDF without text (a scan)."""
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfInvalid(f"{path} is password-protected: the portal cannot open it")
        pages = reader.pages
        if len(pages) == 0:
            raise PdfInvalid(f"{path} has no pages")
        text = "\n".join(page.extract_text() or "" for page in list(pages)[:TEXT_PAGES])
    except PdfInvalid:
        raise
    except Exception as exc:  # noqa: BLE001 - any parse failure of an untrusted file means broken
        raise PdfInvalid(f"{path} does not open as a PDF: {exc}") from exc
    return text if text.strip() else None
