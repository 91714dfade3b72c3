"""The debtors' book in the admin app: the dashboard and the age analysis show the CLI's
figures (the same functions); a person writes commentary that the next age analysis carries;
a viewer may read but not write; the Excel download opens."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import insert

from sync.mirror.models import ClearedItemRow, CustomerRow, OpenItemRow
from sync.reports.ageing_store import ageing
from sync.tables import table_of
from tests.admin.conftest import START, add_user

AS_OF = date(2026, 12, 5)


def _book(store) -> None:
    rows = []
    for n, (customer, amount, days_due, currency) in enumerate([
            ("0000100001", "1000.00", 45, "ZAR"), ("0000100001", "250.00", -5, "ZAR"),
            ("0000100002", "-300.00", 0, "ZAR"), ("0000100003", "70.00", 10, "USD")]):
        due = AS_OF - timedelta(days=days_due)
        rows.append({"company_code": "1000", "customer": customer, "document": f"{18000 + n}",
                     "fiscal_year": 2026, "line": 1, "amount": Decimal(amount),
                     "currency": currency, "posting_date": due - timedelta(days=30),
                     "document_date": due - timedelta(days=30), "due_date": due,
                     "reference": None, "assignment": None,
                     "doc_type": "RV" if Decimal(amount) > 0 else "DG",
                     "billing_document": None, "synced_at": START})
    with store.engine.begin() as conn:
        conn.execute(insert(table_of(CustomerRow)), [  # type: ignore[attr-defined]
            {"company_code": "1000", "number": c, "name": name, "synced_at": START}
            for c, name in [("0000100001", "Karoo Mining Ltd"), ("0000100002", "Hoëveld Ltd"),
                            ("0000100003", "Cape <b>Trading</b>")]])
        conn.execute(insert(table_of(OpenItemRow)), rows)  # type: ignore[attr-defined]
        conn.execute(insert(table_of(ClearedItemRow)), [  # type: ignore[attr-defined]
            rows[0] | {"document": "19999", "clearing_date": AS_OF,
                       "clearing_document": "1400000001"}])


def test_the_age_analysis_page_shows_the_cli_figures_and_takes_a_comment(admin, store):
    _book(store)
    add_user(store, "thandi", "administrator")
    admin.login("thandi")
    page = admin.client.get(f"/book/ageing?as_of={AS_OF}")
    assert page.status_code == 200
    with store.engine.connect() as conn:
        report = ageing(conn, AS_OF)
    for ccy, sums in report.totals().items():
        assert f"{sums['total']:,.2f}" in page.text, ccy
    assert "Cape &lt;b&gt;Trading&lt;/b&gt;" in page.text  # escaped
    posted = admin.client.post("/book/comment", data={
        "csrf_token": admin.csrf(f"/book/ageing?as_of={AS_OF}"), "company_code": "1000",
        "customer": "0000100001", "text": "promised to pay on the 25th",
        "back": f"/book/ageing?as_of={AS_OF}"}, follow_redirects=True)
    assert "promised to pay on the 25th" in posted.text
    with store.engine.connect() as conn:
        assert ageing(conn, AS_OF).lines[0].commentary == "promised to pay on the 25th"
    history = admin.client.get("/book/customers/1000/0000100001")
    assert "thandi" in history.text and "promised to pay on the 25th" in history.text


def test_a_viewer_reads_but_cannot_comment(admin, store):
    _book(store)
    add_user(store, "lindiwe", "viewer")
    admin.login("lindiwe")
    page = admin.client.get(f"/book/ageing?as_of={AS_OF}")
    assert page.status_code == 200 and 'action="/book/comment"' not in page.text
    refused = admin.client.post("/book/comment", data={
        "csrf_token": admin.csrf("/book"), "company_code": "1000", "customer": "0000100001",
        "text": "x"})
    assert refused.status_code == 403


def test_the_dashboard_and_the_excel_download(admin, store):
    _book(store)
    add_user(store, "thandi", "administrator")
    admin.login("thandi")
    dashboard = admin.client.get("/book")
    assert dashboard.status_code == 200
    assert "<svg" in dashboard.text and "Credit balances (1)" in dashboard.text
    download = admin.client.get(f"/book/ageing.xlsx?as_of={AS_OF}")
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(download.content))["Age analysis"]
    assert sheet["A1"].value == f"Age analysis as at {AS_OF} (by due date)"
    assert admin.client.get("/book/ageing?as_of=2026-13-01").status_code == 422
