"""A picture of the age-analysis workbook's first sheet for the docs (docs/book.md), made from
the running code: a small demo world (the SAP simulator and a pull) in a temporary folder, the
age analysis written by ``connectors.reports.ageing_xlsx`` exactly as ``arbridge report
ageing --xlsx`` writes it, then the sheet's cells read back from the .xlsx with openpyxl —
values, number formats (thousands separator, decimals, negatives in red), bold cells, column
widths and the frozen panes — laid out as an HTML grid and photographed by Chromium.

It is not Excel's (or LibreOffice's) own rendering: fonts and gridlines are the browser's.

    .venv/bin/python scripts/workbook_picture.py [--out docs/screenshots] [--rows 22]
"""

from __future__ import annotations

import argparse
import html
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import load_workbook  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from config.portals import BrowserSettings  # noqa: E402
from config.settings import load_settings  # noqa: E402
from connectors.reports.ageing_xlsx import write_ageing  # noqa: E402
from connectors.reports.book import ledger_today  # noqa: E402
from portals.browser import find_chromium, launch_args  # noqa: E402
from sap.simulator import SapSimulator  # noqa: E402
from sync.reports.ageing_store import ageing  # noqa: E402
from sync.store import open_store  # noqa: E402
from workers.cli.sap import run_pull  # noqa: E402

STYLE = """
body { margin: 0; font: 13px Calibri, Carlito, 'Liberation Sans', Arial, sans-serif; }
.bar { background: #217346; color: #fff; padding: 6px 10px; font-weight: bold; }
table { border-collapse: collapse; table-layout: fixed; }
td, th { border: 1px solid #d4d4d4; padding: 2px 4px; height: 18px; overflow: hidden;
         white-space: nowrap; text-overflow: ellipsis; }
th { background: #f3f3f3; color: #555; font-weight: normal; text-align: center; }
td.num { text-align: right; } td.neg { color: #c00000; } td.bold { font-weight: bold; }
td.big { font-size: 17px; }
tr.frozen td, tr.frozen th { border-bottom: 2px solid #9a9a9a; }
td.frozen { border-right: 2px solid #9a9a9a; }
.tabs { background: #f3f3f3; border-top: 1px solid #ccc; padding: 4px 10px; }
.tab { display: inline-block; padding: 2px 12px; margin-right: 4px; }
.tab.on { background: #fff; border-bottom: 2px solid #217346; color: #217346; }
.note { color: #666; font-size: 11px; padding: 4px 10px; }
"""


def formatted(value: object, number_format: str) -> tuple[str, bool]:
    """The cell's text as its number format shows it (the formats the workbook uses:
    ``#,##0.00`` / ``#,##0.000``, negatives red), and whether it is negative."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        places = len(number_format.split(";")[0].partition(".")[2]) if "." in number_format \
            else 0
        amount = Decimal(str(value))
        text = f"{abs(amount):,.{places}f}" if "#,##0" in number_format else str(value)
        negative = amount < 0
        return ("-" + text if negative else text), negative and "[Red]" in number_format
    return ("" if value is None else str(value)), False


def sheet_html(path: Path, rows: int) -> str:
    book = load_workbook(path)
    sheet = book.worksheets[0]
    frozen = sheet.freeze_panes or "A1"
    frozen_col = sheet[frozen].column - 1
    frozen_row = sheet[frozen].row - 1
    columns = sheet.max_column
    widths = [(sheet.column_dimensions[get_column_letter(i)].width or 9) * 7.5
              for i in range(1, columns + 1)]
    shown = [r for r in range(1, sheet.max_row + 1)][:rows - 4] + \
        [r for r in range(max(rows - 3, sheet.max_row - 3), sheet.max_row + 1)]
    out = [f"<div class=bar>{html.escape(path.name)} — {html.escape(sheet.title)}</div>",
           "<table><colgroup><col style='width:36px'>"]
    out += [f"<col style='width:{w:.0f}px'>" for w in widths]
    out.append("</colgroup><tr><th></th>" + "".join(
        f"<th>{get_column_letter(i)}</th>" for i in range(1, columns + 1)) + "</tr>")
    last = 0
    for r in sorted(set(shown)):
        if last and r != last + 1:
            out.append(f"<tr><th>⋮</th><td colspan={columns}></td></tr>")
        last = r
        cells = []
        for c in range(1, columns + 1):
            cell = sheet.cell(row=r, column=c)
            text, red = formatted(cell.value, cell.number_format)
            classes = [n for n, on in (("num", isinstance(cell.value, int | float | Decimal)),
                                       ("neg", red), ("bold", bool(cell.font and cell.font.b)),
                                       ("big", bool(cell.font and (cell.font.sz or 11) > 12)),
                                       ("frozen", c == frozen_col)) if on]
            cells.append(f"<td class='{' '.join(classes)}'>{html.escape(text)}</td>")
        row_class = " class=frozen" if r == frozen_row else ""
        out.append(f"<tr{row_class}><th>{r}</th>{''.join(cells)}</tr>")
    out.append("</table><div class=tabs>" + "".join(
        f"<span class='tab{' on' if i == 0 else ''}'>{html.escape(s.title)}</span>"
        for i, s in enumerate(book.worksheets)) + "</div>")
    out.append(f"<div class=note>{sheet.max_row} rows; cells read back from the .xlsx by "
               "openpyxl and laid out as HTML (not Excel's own rendering)</div>")
    return f"<!doctype html><meta charset=utf-8><style>{STYLE}</style>{''.join(out)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--rows", type=int, default=22)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        settings = load_settings(home=home, sap={"simulator_customers": 60,
                                                 "simulator_billing_documents": 400})
        SapSimulator(settings.simulator_path).seed(customers=60, documents=400,
                                                   seed=settings.sap.simulator_seed)
        run_pull(settings, full=False, show_progress=False, create_store=True)
        store = open_store(settings)
        with store.engine.connect() as conn:
            report = ageing(conn, ledger_today(conn),
                            edges=tuple(settings.reports.ageing_edges))
        workbook = write_ageing(report, home / f"ageing-{report.as_of}.xlsx")
        page_html = home / "sheet.html"
        page_html.write_text(sheet_html(workbook, args.rows))
        args.out.mkdir(parents=True, exist_ok=True)
        target = args.out / "workbook.png"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=find_chromium(BrowserSettings()), headless=True,
                args=launch_args())
            page = browser.new_context(viewport={"width": 1280, "height": 600}).new_page()
            page.goto(page_html.as_uri())
            page.screenshot(path=str(target), full_page=True)
            browser.close()
        store.engine.dispose()
    print(target)


if __name__ == "__main__":
    main()
