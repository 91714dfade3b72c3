"""Reminder texts and letter PDFs: a bundled Jinja template per level (friendly, firm, final,
call) or the finance team's own file, rendered without marketing content (POPIA), laid out
by fpdf2 with the bundled fonts like statements and invoices."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from config.errors import ConfigError
from sync.files import write_private

BUNDLED = Path(__file__).with_name("templates")


def render_text(template: str, **values: Any) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    path = BUNDLED / f"{template}.txt" if "/" not in template and "." not in template \
        else Path(template)
    if not path.is_file():
        raise ConfigError(f"reminder template {template!r} does not exist: use friendly, firm, "
                          "final or call, or the path of your own file "
                          "([collections.policies.*.levels] template)")
    env = Environment(loader=FileSystemLoader(str(path.parent)), undefined=StrictUndefined,
                      autoescape=False, keep_trailing_newline=True)
    return env.get_template(path.name).render(**values)


def write_letter(text: str, letterhead: list[str], target: Path, title: str) -> Path:
    """``text`` as an owner-only PDF letter at ``target``."""
    from fpdf import FPDF

    from connectors.pdf_fonts import fonts_for, output

    pdf = FPDF()
    family = fonts_for(pdf, [*letterhead, text])
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font(family, size=11)
    for line in letterhead:
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(family, size=10)
    pdf.multi_cell(0, 5, text)
    write_private(target, output(pdf, document=title))
    return target
