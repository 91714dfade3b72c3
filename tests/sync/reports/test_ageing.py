"""The age analysis as at any date, on SQLite and PostgreSQL: a replayed history of postings
and clearings, aged as at every date, equals the items that were open on that date; credit
balances with their causes; commentary carried forward."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import delete, insert

from receivables.items import ClearedItem, OpenItem
from sync.mirror.models import ClearedItemRow, OpenItemRow
from sync.reports.ageing import age_items, credit_causes
from sync.reports.ageing_store import ageing, bucket_sums, receivables_at
from sync.reports.comments import add_comment
from sync.reports.statements import compose
from sync.tables import table_of
from sync.txn import writing

OPEN = table_of(OpenItemRow)
CLEARED = table_of(ClearedItemRow)
START = date(2026, 1, 1)
NOW = datetime(2026, 12, 5, tzinfo=timezone.utc)


def _book_item(cleared: date | None, **item) -> OpenItem:
    """An item of the history: still open today, or cleared on ``cleared``."""
    item = {"reference": None, "assignment": None, "billing_document": None} | item
    if cleared is None:
        return OpenItem(**item)
    return ClearedItem(**item, clearing_date=cleared, clearing_document="1400000001")


def _row(item: OpenItem) -> dict:
    return {f.name: getattr(item, f.name) for f in fields(item)} | {"synced_at": NOW}


def _store_history(engine, items: list[OpenItem]) -> None:
    """What the mirror holds after a pull today: the still-open items in ``open_item``, the
    cleared ones in ``cleared_item``."""
    with writing(engine) as conn:
        conn.execute(delete(OPEN))
        conn.execute(delete(CLEARED))
        still_open = [_row(i) for i in items if not isinstance(i, ClearedItem)]
        cleared = [_row(i) for i in items if isinstance(i, ClearedItem)]
        if still_open:
            conn.execute(insert(OPEN), still_open)
        if cleared:
            conn.execute(insert(CLEARED), cleared)


@st.composite
def histories(draw) -> list[OpenItem]:
    items = []
    for n in range(draw(st.integers(1, 25))):
        posted = START + timedelta(days=draw(st.integers(0, 300)))
        cleared = draw(st.one_of(st.none(), st.integers(0, 200)))
        amount = Decimal(draw(st.integers(-50_000, 200_000))) / 100
        items.append(_book_item(
            None if cleared is None else posted + timedelta(days=cleared),
            company_code="1000", customer=draw(st.sampled_from(["0000100001", "0000100002",
                                                                "0000100003"])),
            document=f"{1_800_000_000 + n}", fiscal_year=2026, line=1, amount=amount,
            currency=draw(st.sampled_from(["ZAR", "USD"])), posting_date=posted,
            document_date=posted - timedelta(days=draw(st.integers(0, 5))),
            due_date=posted + timedelta(days=draw(st.sampled_from([0, 30, 60]))),
            doc_type="RV" if amount >= 0 else "DZ"))
    return items


def test_ageing_as_at_every_date_equals_the_items_open_on_it(store):
    @hsettings(max_examples=15, deadline=None, derandomize=True,
               suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(history=histories(), basis=st.sampled_from(["due", "document"]))
    def check(history, basis):
        _store_history(store.engine, history)
        with store.engine.connect() as conn:
            for as_of in [START + timedelta(days=d) for d in range(0, 520, 23)]:
                expected = {k: v for k, v in age_items(history, as_of, basis=basis).items()}
                got = bucket_sums(conn, as_of, basis=basis)
                assert got == expected, as_of
            # the receivables at many dates at once (the DSO trend's) are the totals of the
            # items open at each of them
            dates = [START + timedelta(days=d) for d in range(0, 520, 31)]
            at = receivables_at(conn, dates)
            for as_of in dates:
                expected_total: dict[str, Decimal] = {}
                for item in history:
                    if item.open_at(as_of):
                        expected_total[item.currency] = \
                            expected_total.get(item.currency, Decimal(0)) + item.amount
                assert {c: v for c, v in at[as_of].items() if v} == \
                    {c: v for c, v in expected_total.items() if v}, as_of

    check()


def _item(customer: str, amount: str, *, doc_type: str, days_due: int = 0,
          reference: str | None = None, n: int = 1, cleared: date | None = None) -> OpenItem:
    as_of = date(2026, 12, 5)
    return _book_item(cleared, company_code="1000", customer=customer,
                      document=f"{1_900_000_000 + n}", fiscal_year=2026, line=1,
                      amount=Decimal(amount), currency="ZAR",
                      posting_date=as_of - timedelta(days=days_due + 30),
                      document_date=as_of - timedelta(days=days_due + 30),
                      due_date=as_of - timedelta(days=days_due), doc_type=doc_type,
                      reference=reference)


def test_credit_balances_are_listed_apart_with_their_causes(store):
    history = [
        _item("0000100001", "1000.00", doc_type="RV", days_due=45, n=1),
        _item("0000100001", "-1500.00", doc_type="DZ", reference="EFT1", n=2),   # overpaid
        _item("0000100002", "-300.00", doc_type="DG", n=3),                    # credit memo
        _item("0000100003", "-800.00", doc_type="DZ", reference="EFT9", n=4),
        _item("0000100003", "-800.00", doc_type="DZ", reference="EFT9", n=5),  # paid twice
        _item("0000100003", "1000.00", doc_type="RV", days_due=10, n=6),
    ]
    _store_history(store.engine, history)
    with store.engine.connect() as conn:
        report = ageing(conn, date(2026, 12, 5))
    data = report.as_json()
    assert data["buckets"] == ["current", "1-30", "31-60", "61-90", "91-120", "120+"]
    lines = {c["customer"]: c for c in data["customers"]}
    assert lines["0000100001"]["buckets"]["31-60"] == "1000.00"
    assert lines["0000100001"]["buckets"]["current"] == "-1500.00"
    assert lines["0000100001"]["total"] == "-500.00"
    assert data["totals"]["ZAR"]["total"] == "-1400.00"  # credits count in the totals
    credits = {c["customer"]: c for c in data["credit_balances"]}
    assert credits["0000100001"]["causes"] == ["payment on account or overpayment"]
    assert credits["0000100002"]["causes"] == ["unapplied credit memo"]
    assert "possible duplicate payment" in credits["0000100003"]["causes"]
    assert credits["0000100003"]["amount"] == "-600.00"


def test_amounts_in_different_currencies_are_never_added(store):
    history = [_item("0000100001", "100.00", doc_type="RV", n=1)]
    other = _item("0000100001", "70.00", doc_type="RV", n=2)
    history.append(replace(other, currency="USD"))
    _store_history(store.engine, history)
    with store.engine.connect() as conn:
        data = ageing(conn, date(2026, 12, 5)).as_json()
    assert {ccy: t["total"] for ccy, t in data["totals"].items()} == {"USD": "70.00",
                                                                     "ZAR": "100.00"}


def test_a_comment_carries_forward_until_changed_and_keeps_its_history(store):
    _store_history(store.engine, [_item("0000100001", "100.00", doc_type="RV")])
    with writing(store.engine) as conn:
        add_comment(conn, company_code="1000", customer="0000100001",
                    text="promised to pay on the 25th", author="thandi",
                    now=datetime(2026, 12, 1, 9, tzinfo=timezone.utc))
        add_comment(conn, company_code="1000", customer="0000100001",
                    text="disputed invoice 9000123, credit note requested", author="sipho",
                    now=datetime(2026, 12, 4, 9, tzinfo=timezone.utc))
    with store.engine.connect() as conn:
        then = ageing(conn, date(2026, 12, 2)).lines[0].commentary
        now = ageing(conn, date(2026, 12, 5)).lines[0].commentary
    assert then == "promised to pay on the 25th"
    assert now == "disputed invoice 9000123, credit note requested"


def test_causes_without_known_credit_items_say_other():
    assert credit_causes([_item("1", "-5.00", doc_type="AB")]) == ("other credit items",)
    assert credit_causes([_item("1", "-5.00", doc_type="DZ")], allocated_twice=True) == (
        "payment on account or overpayment", "receipt allocated twice")


def test_a_statement_as_at_a_past_date_holds_the_items_cleared_since(store):
    """An item cleared after the key date is open on the statement as at that date, with its
    clearing date read back as a date (SQLite once gave it as text, and the statement failed
    comparing it)."""
    as_of = date(2026, 9, 30)
    history = [_item("0000100001", "500.00", doc_type="RV", n=1),
               _item("0000100001", "250.00", doc_type="RV", n=2, cleared=date(2026, 12, 1))]
    history = [replace(i, posting_date=date(2026, 8, 1), document_date=date(2026, 8, 1),
                       due_date=date(2026, 8, 31)) for i in history]
    _store_history(store.engine, history)
    with store.engine.connect() as conn:
        statement = compose(conn, "1000", "0000100001", as_of)
    assert sorted(ln.amount for ln in statement.lines) == [Decimal("250.00"),
                                                            Decimal("500.00")]
    assert statement.ageing["ZAR"]["1-30"] == Decimal("750.00")
