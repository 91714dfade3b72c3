"""The age analysis as an Excel workbook (openpyxl): one sheet of customers with their
buckets and commentary, totals per currency beneath, and the credit balances on a sheet of
their own. Headers frozen, amounts with the currency's number format, never summed across
currencies."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sync.files import write_private

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from sync.reports.ageing import Ageing

AMOUNT_FORMAT = '#,##0.00;[Red]-#,##0.00'
THREE_DECIMALS = {"KWD", "BHD", "OMR", "JOD", "TND", "LYD", "IQD"}


def printable(values: list[Any]) -> list[Any]:
    """A row's texts without the control characters a worksheet cannot hold (a tab or an
    escape pasted into a name in SAP made the whole workbook fail): each becomes a space."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return [ILLEGAL_CHARACTERS_RE.sub(" ", v) if isinstance(v, str) else v for v in values]


def number_format(currency: str) -> str:
    """Two decimals, or three for the currencies that have them (TCURX)."""
    return AMOUNT_FORMAT.replace(".00", ".000") if currency in THREE_DECIMALS else AMOUNT_FORMAT


def ageing_sheet(sheet: Worksheet, report: Ageing) -> None:
    from openpyxl.styles import Font

    head = ["Customer", "Name", "Company code", "Currency", *report.buckets, "Total",
            "Commentary"]
    sheet.append([f"Age analysis as at {report.as_of.isoformat()} (by {report.basis} date)"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(head)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for line in report.lines:
        sheet.append(printable([line.customer, line.name, line.company_code, line.currency,
                                *(line.buckets[b] for b in report.buckets), line.total,
                                line.commentary or ""]))
        _money_cells(sheet, sheet.max_row, 5, 5 + len(report.buckets), line.currency)
    sheet.append([])
    for currency, sums in report.totals().items():
        sheet.append(["Total", "", "", currency, *(sums[b] for b in report.buckets),
                      sums["total"]])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        _money_cells(sheet, sheet.max_row, 5, 5 + len(report.buckets), currency)
    sheet.freeze_panes = "C3"
    for column, width in zip("ABCD", (12, 36, 8, 9), strict=False):
        sheet.column_dimensions[column].width = width
    for index in range(5, 6 + len(report.buckets)):
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = 15
    sheet.column_dimensions[sheet.cell(row=2, column=6 + len(report.buckets))
                            .column_letter].width = 60


def credit_sheet(sheet: Worksheet, report: Ageing) -> None:
    from openpyxl.styles import Font

    sheet.append(["Customer", "Name", "Company code", "Currency", "Credit balance", "Causes"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for credit in report.credit_balances:
        sheet.append(printable([credit.customer, credit.name, credit.company_code,
                                credit.currency, credit.amount, "; ".join(credit.causes)]))
        sheet.cell(row=sheet.max_row, column=5).number_format = number_format(credit.currency)
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["B"].width = 36
    sheet.column_dimensions["F"].width = 60


def _money_cells(sheet: Worksheet, row: int, first: int, last: int, currency: str) -> None:
    for column in range(first, last + 1):
        sheet.cell(row=row, column=column).number_format = number_format(currency)


def no_formulas(book: Workbook) -> None:
    """Keep every cell as the text it is: arbridge writes no formulas, so a value openpyxl
    took for one (a comment, a name or a bank reference starting with '=', '+', '-' or '@')
    is someone else's text and must not run when the workbook is opened."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def write_ageing(report: Ageing, target: Path) -> Path:
    """Write the workbook owner-only (it holds client balances) and return its path."""
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Age analysis"
    ageing_sheet(sheet, report)
    credit_sheet(book.create_sheet("Credit balances"), report)
    no_formulas(book)
    buffer = BytesIO()
    book.save(buffer)
    write_private(target, buffer.getvalue())
    return target
