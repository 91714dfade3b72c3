"""A small book written straight into the mirror, as a pull would leave it (shared by the
collections store tests)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import insert

from sync.mirror.models import ClearedItemRow, CustomerRow, OpenItemRow
from sync.tables import table_of
from sync.txn import writing

NOW = datetime(2026, 12, 5, 18, tzinfo=timezone.utc)
TODAY = NOW.date()


class Book:
    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        self.engine = engine
        self.n = 0

    def customer(self, number: str, *, email: str | None = "ap@client.example",
                 group: str | None = None) -> str:
        with writing(self.engine) as conn:
            conn.execute(insert(table_of(CustomerRow)).values(
                company_code="1000", number=number, name=f"Client {number}", email=email,
                customer_group=group, synced_at=NOW))
        return number

    def item(self, customer: str, amount: str, days_overdue: int, *, currency: str = "ZAR",
             billing_document: str | None = None, cleared_on: date | None = None) -> str:
        self.n += 1
        document = f"{1_800_000_000 + self.n}"
        due = TODAY - timedelta(days=days_overdue)
        row = {"company_code": "1000", "document": document, "fiscal_year": 2026, "line": 1,
               "customer": customer, "amount": Decimal(amount), "currency": currency,
               "posting_date": due - timedelta(days=30), "document_date": due - timedelta(
                   days=30), "due_date": due, "doc_type": "RV" if Decimal(amount) > 0
               else "DG", "billing_document": billing_document, "synced_at": NOW}
        table = OpenItemRow if cleared_on is None else ClearedItemRow
        if cleared_on is not None:
            row |= {"clearing_date": cleared_on, "clearing_document": "1400000001"}
        with writing(self.engine) as conn:
            conn.execute(insert(table_of(table)), [row])
        return f"1000/{document}/2026/1"

    def clear(self, key: str, on: date) -> None:
        """SAP cleared the item (a receipt): the pull moves it to the cleared items."""
        from sqlalchemy import delete, select

        company, document, year, line = key.split("/")
        table = table_of(OpenItemRow)
        where = (table.c.company_code == company, table.c.document == document,
                 table.c.fiscal_year == int(year), table.c.line == int(line))
        with writing(self.engine) as conn:
            row = dict(conn.execute(select(table).where(*where)).one()._mapping)
            conn.execute(delete(table).where(*where))
            conn.execute(insert(table_of(ClearedItemRow)), [
                row | {"clearing_date": on, "clearing_document": "1400000009"}])


