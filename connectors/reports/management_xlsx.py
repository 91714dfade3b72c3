"""The management pack as one Excel workbook (openpyxl): KPIs with targets and variance, the
age analysis with a native bar chart of the buckets, DSO over twelve months as a native line
chart, Top 10 and Top 60, receipts unallocated by age, credit balances, portal uploads and PO
alerts. Headers frozen; amounts in their currency's number format."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from connectors.reports.ageing_xlsx import (
    ageing_sheet,
    credit_sheet,
    no_formulas,
    number_format,
    printable,
)
from sync.files import write_private

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from sync.reports.ageing import Ageing

KPI_NAMES = {"dso_countback": "DSO (count-back), days", "dso_standard": "DSO (standard), days",
             "best_possible_dso": "Best-possible DSO, days",
             "average_days_delinquent": "Average days delinquent", "cei": "CEI, %"}


def _bold_header(sheet: Worksheet, row: int = 1) -> None:
    from openpyxl.styles import Font

    for cell in sheet[row]:
        cell.font = Font(bold=True)


def kpi_sheet(sheet: Worksheet, pack: dict[str, Any]) -> None:
    sheet.append(["KPI", "Value", "Target", "Variance"])
    _bold_header(sheet)
    for key, label in KPI_NAMES.items():
        sheet.append([label, pack[key], pack["targets"].get(key), pack["variance"].get(key)])
    sheet.append([])
    sheet.append(["Currency", "Collected", "Due"])
    _bold_header(sheet, sheet.max_row)
    for ccy in sorted(set(pack["collected"]) | set(pack["due"])):
        sheet.append([ccy, Decimal(pack["collected"].get(ccy, "0")),
                      Decimal(pack["due"].get(ccy, "0"))])
        for col in (2, 3):
            sheet.cell(row=sheet.max_row, column=col).number_format = number_format(ccy)
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 30


def ageing_chart(sheet: Worksheet, report: Ageing, currency: str) -> None:
    """A bar chart of the report currency's bucket totals, beside the ageing table."""
    from openpyxl.chart import BarChart, Reference

    totals = report.totals().get(currency)
    if not totals:
        return
    start = sheet.max_row + 3
    sheet.cell(row=start, column=1, value=f"Buckets ({currency})")
    for i, bucket in enumerate(report.buckets, start=1):
        sheet.cell(row=start + i, column=1, value=bucket)
        sheet.cell(row=start + i, column=2, value=totals[bucket]).number_format = \
            number_format(currency)
    chart = BarChart()
    chart.title = f"Ageing by bucket ({currency})"
    chart.y_axis.title = currency
    chart.add_data(Reference(sheet, min_col=2, min_row=start + 1,
                             max_row=start + len(report.buckets)), titles_from_data=False)
    chart.set_categories(Reference(sheet, min_col=1, min_row=start + 1,
                                   max_row=start + len(report.buckets)))
    chart.legend = None
    sheet.add_chart(chart, f"D{start}")


def trend_sheet(sheet: Worksheet, pack: dict[str, Any]) -> None:
    from openpyxl.chart import LineChart, Reference

    sheet.append(["Month", "DSO (count-back)", f"Receivables ({pack['currency']})"])
    _bold_header(sheet)
    for point in pack["dso_trend"]:
        sheet.append([point["month"], point["dso_countback"], Decimal(point["receivables"])])
        sheet.cell(row=sheet.max_row, column=3).number_format = number_format(pack["currency"])
    chart = LineChart()
    chart.title = "DSO (count-back) over 12 months"
    chart.y_axis.title = "days"
    chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=sheet.max_row),
                   titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=sheet.max_row))
    sheet.add_chart(chart, "E2")
    sheet.freeze_panes = "A2"


def top_sheet(sheet: Worksheet, rows: list[dict[str, Any]], buckets: list[str]) -> None:
    sheet.append(["Rank", "Customer", "Name", "Currency", *buckets, "Total", "Overdue",
                  "Commentary"])
    _bold_header(sheet)
    for row in rows:
        sheet.append(printable([row["rank"], row["customer"], row["name"], row["currency"],
                                *(Decimal(row["buckets"][b]) for b in buckets),
                                Decimal(row["total"]), Decimal(row["overdue"]),
                                row["commentary"] or ""]))
        for col in range(5, 7 + len(buckets)):
            sheet.cell(row=sheet.max_row, column=col).number_format = \
                number_format(row["currency"])
    sheet.freeze_panes = "C2"
    sheet.column_dimensions["C"].width = 36


def receipts_sheet(sheet: Worksheet, pack: dict[str, Any]) -> None:
    sheet.append(["Currency", "Age", "Unallocated"])
    _bold_header(sheet)
    for ccy, ages in pack["unallocated_receipts"].items():
        for age, amount in ages.items():
            sheet.append([ccy, age, Decimal(amount)])
            sheet.cell(row=sheet.max_row, column=3).number_format = number_format(ccy)
    sheet.freeze_panes = "A2"


def activity_sheet(sheet: Worksheet, pack: dict[str, Any]) -> None:
    sheet.append(["Portal uploads queued in the month", "Count"])
    _bold_header(sheet)
    for state, count in pack["uploads"].items():
        sheet.append([state, count])
    sheet.append([])
    sheet.append(["PO alerts", "Count"])
    _bold_header(sheet, sheet.max_row)
    for what, count in pack["po_alerts"].items():
        sheet.append([what, count])
    sheet.column_dimensions["A"].width = 36


def write_pack(pack: dict[str, Any], report: Ageing, target: Path) -> Path:
    """Write the workbook owner-only and return its path."""
    from openpyxl import Workbook

    book = Workbook()
    kpi = book.active
    kpi.title = "KPIs"
    kpi_sheet(kpi, pack)
    ageing = book.create_sheet("Age analysis")
    ageing_sheet(ageing, report)
    ageing_chart(ageing, report, pack["currency"])
    trend_sheet(book.create_sheet("DSO trend"), pack)
    top_sheet(book.create_sheet("Top 10"), pack["top"], report.buckets)
    top_sheet(book.create_sheet("Top 60"), pack["top60"], report.buckets)
    receipts_sheet(book.create_sheet("Unallocated receipts"), pack)
    credit_sheet(book.create_sheet("Credit balances"), report)
    activity_sheet(book.create_sheet("Uploads and alerts"), pack)
    no_formulas(book)
    buffer = BytesIO()
    book.save(buffer)
    write_private(target, buffer.getvalue())
    return target
