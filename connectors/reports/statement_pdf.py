"""A customer statement as a PDF: the finance team's HTML template (Jinja, autoescaped)
rendered, then laid out by fpdf2. Unicode names (Hoëveld, 北京) get the bundled DejaVu fonts,
as invoices do."""

from __future__ import annotations

import os
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sync.files import write_private

if TYPE_CHECKING:
    from jinja2 import Template

    from config.reports import StatementSettings
    from sync.reports.statements import Statement

BUNDLED = Path(__file__).with_name("templates") / "statement.html"


@lru_cache(maxsize=8)
def _template(path: str, changed: float) -> Template:
    """The template compiled once per file version (``changed`` is its mtime), not once per
    statement: compiling was an eighth of a statement's cost."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    folder, name = os.path.split(path)
    env = Environment(loader=FileSystemLoader(folder),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    return env.get_template(name)


def render_html(statement: Statement, settings: StatementSettings) -> str:
    from sync.reports.ageing import money_text

    template = Path(settings.template) if settings.template else BUNDLED
    if not template.is_file():
        from config.errors import ConfigError

        raise ConfigError(f"statement template {template} does not exist: correct "
                          "[reports.statements] template, or leave it empty for the bundled one")

    def money(amount: Decimal, currency: str) -> str:
        text = money_text(amount, currency)
        whole, _, cents = text.partition(".")
        return f"{int(whole):,}" + (f".{cents}" if cents else "") if whole != "-0" \
            else text

    return _template(str(template.resolve()), template.stat().st_mtime).render(
        s=statement, letterhead=settings.letterhead, remittance=settings.remittance,
        money=money)


def render_pdf(statement: Statement, settings: StatementSettings) -> bytes:
    from fpdf import FPDF

    from connectors.pdf_fonts import fonts_for, output

    html = render_html(statement, settings)
    pdf = FPDF()
    family = fonts_for(pdf, [html])
    pdf.set_title(f"Statement {statement.customer} {statement.as_of.isoformat()}")
    pdf.add_page()
    pdf.set_font(family, size=9)
    pdf.write_html(html, font_family=family)
    return output(pdf, document=f"statement {statement.company_code}/{statement.customer}",
                  name=statement.name)


def write_statement(statement: Statement, settings: StatementSettings, folder: Path) -> Path:
    """The PDF, owner-only, under ``folder`` (``<home>/statements/<as_of>/``)."""
    target = folder / f"{statement.company_code}-{statement.customer}.pdf"
    write_private(target, render_pdf(statement, settings))
    return target
