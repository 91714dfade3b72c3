"""A customer's name holding characters no bundled font has (an emoji, a control character,
an escape sequence) still gives a statement, and nothing of it reaches the terminal: fpdf2's
missing-glyph warning, which quotes the raw characters, is dropped; each such character is
logged once a run at debug level as a code point beside the name masked; ``--verbose`` shows
no font-subsetting chatter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NAME = "Hoëveld \U0001F600 \x1b[31mMining\x1b[0m\x07 \U0010FFFD Ltd"

RENDER = """
import logging, sys
from datetime import date
from config.reports import StatementSettings
from connectors.reports.statement_pdf import render_pdf
from sync.reports.statements import Statement
from workers.cli.output import configure_logging
configure_logging(sys.argv[1] != "quiet")  # as arbridge [-v] sets it up
if sys.argv[1] == "debug":
    logging.getLogger().setLevel(logging.DEBUG)
for customer in ("0000100001", "0000100002"):  # two statements, one run
    pdf = render_pdf(Statement(company_code="1000", customer=customer, name=sys.argv[2],
                               as_of=date(2026, 12, 5), since=None, lines=[], receipts=[],
                               buckets=[]), StatementSettings())
    assert pdf.startswith(b"%PDF")
"""


def _stderr(level: str) -> str:
    done = subprocess.run([sys.executable, "-c", RENDER, level, NAME], cwd=ROOT, timeout=120,
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stderr


@pytest.mark.parametrize("level", ["quiet", "verbose"])
def test_a_name_beyond_the_fonts_leaves_stderr_empty(level: str) -> None:
    assert _stderr(level) == ""


def test_at_debug_each_missing_character_is_logged_once_as_a_code_point() -> None:
    text = _stderr("debug")
    assert "\x1b" not in text and "\x07" not in text and "\U0010FFFD" not in text
    assert "Hoëveld" not in text and "Mining" not in text
    [line] = [ln for ln in text.splitlines() if "connectors.pdf_fonts" in ln]
    assert "statement 1000/0000100001 (H***)" in line
    assert "U+0007" in line and "U+001B" in line and "U+10FFFD" in line
