"""The fonts of the PDFs arbridge lays out (invoices, statements, letters), and fpdf2's font
chatter kept off the terminal.

Text beyond Latin-1 gets the DejaVu Sans fonts shipped in ``connectors/fonts`` (with Droid
Sans Fallback for CJK). A character no font has (a control character or an emoji in a
customer's name) prints blank; fpdf2 warns of it on stderr quoting the raw character, which
a terminal obeys (an escape sequence) and which is part of a customer's data. Its warning is
dropped here and :func:`output` logs each such character once a run, at debug level, as a
code point beside the document and the customer's name masked. fontTools' subsetting notes
(dozens of lines per PDF) are not shown under ``--verbose``.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import TTFFont

from config.redaction import mask_name

log = logging.getLogger(__name__)
FONTS = Path(__file__).parent / "fonts"
REGULAR, BOLD, FALLBACK = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DroidSansFallback.ttf"
_MISSING_GLYPHS = "Font %s is missing the following glyphs: %s"  # fpdf2's own words


def _not_fpdf_glyph_warning(record: logging.LogRecord) -> bool:
    return record.msg != _MISSING_GLYPHS


logging.getLogger("fpdf.output").addFilter(_not_fpdf_glyph_warning)
logging.getLogger("fontTools").setLevel(logging.WARNING)
_told: set[int] = set()  # characters already logged this run
_told_lock = threading.Lock()


@lru_cache(maxsize=1)
def _regular_covers() -> frozenset[int]:
    """The code points DejaVu Sans has glyphs for (read once)."""
    from fontTools.ttLib import TTFont

    with TTFont(FONTS / REGULAR, lazy=True) as font:
        return frozenset(font.getBestCmap())


def fonts_for(pdf: FPDF, lines: list[str]) -> str:
    """The font family for ``lines``: the PDF core Helvetica when it can show every character
    (Latin-1: the common case; 1 ms of CPU against 65 ms), else DejaVu Sans, with Droid Sans
    Fallback for what DejaVu lacks (Chinese, Japanese, Korean)."""
    text = "".join(lines)
    if all(ord(c) < 256 for c in text):
        return "Helvetica"
    pdf.add_font("DejaVu", "", str(FONTS / REGULAR))
    pdf.add_font("DejaVu", "B", str(FONTS / BOLD))
    if {ord(c) for c in text} - _regular_covers():  # CJK: the big font only when needed
        pdf.add_font("DroidFallback", "", str(FONTS / FALLBACK))
        pdf.set_fallback_fonts(["DroidFallback"])
    return "DejaVu"


def output(pdf: FPDF, *, document: str, name: str | None = None) -> bytes:
    """The PDF's bytes; characters no font could show are logged (once a run each)."""
    content = bytes(pdf.output())
    missing = {code for font in pdf.fonts.values() if isinstance(font, TTFFont)
               for code in font.missing_glyphs}
    with _told_lock:
        new = sorted(missing - _told)
        _told.update(new)
    if new:
        log.debug("PDF %s%s: %d character(s) no bundled font has print blank: %s",
                  document, f" ({mask_name(name)})" if name else "", len(new),
                  ", ".join(f"U+{code:04X}" for code in new))
    return content
