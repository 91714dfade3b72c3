"""A person's cash actions: the split rules (pure), and the receipt claimed so that of two
people (or a person and a matching run) at the same moment only one allocates it."""

from __future__ import annotations

import threading
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from config.errors import InputError
from connectors.cash_actions import Split, SplitRefused, allocate_by_hand, check_split, parse_amount
from sync.cash import allocations
from sync.cash import store as cash_store
from tests.connectors.cash_helpers import open_invoices

R = Decimal("1000.00")


@pytest.mark.parametrize("splits, on_account, left", [
    ([Split("1", Decimal("1000.00"))], False, Decimal("0.00")),
    ([Split("1", Decimal("600.00")), Split("2", Decimal("400.00"))], False, Decimal("0")),
    ([Split("1", Decimal("600.00"))], True, Decimal("400.00")),
])
def test_a_split_that_adds_up_or_leaves_a_stated_remainder_passes(splits, on_account, left):
    assert check_split(R, "ZAR", splits, on_account=on_account) == left


@pytest.mark.parametrize("splits, on_account, says", [
    ([], True, "at least one invoice"),
    ([Split("1", Decimal("600.00"))], False, "remaining 400.00 ZAR"),
    ([Split("1", Decimal("600.00")), Split("2", Decimal("400.01"))], True, "by 0.01"),
    ([Split("0001", Decimal("1.00")), Split("1", Decimal("1.00"))], True, "named twice"),
])
def test_a_split_that_does_not_fit_says_what_to_change(splits, on_account, says):
    with pytest.raises(SplitRefused, match=says):
        check_split(R, "ZAR", splits, on_account=on_account)


@pytest.mark.parametrize("text, says", [("1 234,50", "not an amount"), ("1.005", "two "
                                        "decimals"), ("0", "more than zero"),
                                        ("NaN", "two decimals|not an amount")])
def test_amounts_are_read_strictly(text, says):
    with pytest.raises(SplitRefused, match=says):
        parse_amount(text, "line 1")
    assert parse_amount(" 1 234.5 ", "line 1") == Decimal("1234.50")


def test_two_people_allocating_one_receipt_at_once_one_wins(pulled):  # type: ignore[no-untyped-def]
    [item] = open_invoices(pulled, 1)
    now = datetime.now(timezone.utc)
    with pulled.engine.begin() as conn:
        statement = cash_store.insert_statement(conn, {
            "identity": "s", "account": "071234567", "currency": "ZAR",
            "statement_ref": "S", "source": "test", "file_name": "s.xml", "imported_at": now})
        receipt = conn.execute(insert(cash_store.ENTRIES).values(
            identity="e", statement_id=statement, account="071234567", currency="ZAR",
            direction="CRDT", amount=item.amount, booking_date=date(2026, 11, 20),
            reference="?", narrative="", payer_name="X", payer_account="", bank_ref="B",
            is_receipt=True, state="open", remittance="[]", created_at=now)
        ).inserted_primary_key[0]
    barrier, outcomes = threading.Barrier(2), []

    def person(name: str) -> None:
        barrier.wait()
        try:
            outcomes.append(allocate_by_hand(pulled, receipt, [Split(
                item.billing_document, item.amount)], actor=name))
        except InputError as refused:
            outcomes.append(str(refused))

    threads = [threading.Thread(target=person, args=(n,)) for n in ("thandi", "sipho")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(type(o).__name__ for o in outcomes) == ["int", "str"], outcomes
    assert "not unallocated" in next(o for o in outcomes if isinstance(o, str)) or \
        "someone else" in next(o for o in outcomes if isinstance(o, str))
    with pulled.engine.connect() as conn:
        assert len(allocations.listing(conn)) == 1


def _receipt_for(store, amount: Decimal) -> int:  # type: ignore[no-untyped-def]
    now = datetime.now(timezone.utc)
    with store.engine.begin() as conn:
        statement = cash_store.insert_statement(conn, {
            "identity": "s2", "account": "071234567", "currency": "ZAR",
            "statement_ref": "S2", "source": "test", "file_name": "s2.xml", "imported_at": now})
        return conn.execute(insert(cash_store.ENTRIES).values(
            identity="e2", statement_id=statement, account="071234567", currency="ZAR",
            direction="CRDT", amount=amount, booking_date=date(2026, 11, 20),
            reference="?", narrative="", payer_name="X", payer_account="", bank_ref="B2",
            is_receipt=True, state="open", remittance="[]", created_at=now)
        ).inserted_primary_key[0]


def test_one_invoice_named_twice_in_two_spellings_is_refused(pulled):  # type: ignore[no-untyped-def]
    """'90002663' and 'INV-90002663' (or its assignment) name one open item: applying to both
    would pay it beyond what is open (seen: 4,321.00 posted against 3,032.21 open)."""
    [item] = open_invoices(pulled, 1)
    receipt = _receipt_for(pulled, item.amount + Decimal("100.00"))
    number = item.billing_document.lstrip("0")
    with pytest.raises(SplitRefused, match="named twice"):
        allocate_by_hand(pulled, receipt, [Split(number, item.amount),
                                           Split(f"INV-{number}", Decimal("100.00"))],
                         actor="thandi")
    with pulled.engine.connect() as conn:
        assert allocations.listing(conn) == []
        state = conn.execute(select(cash_store.ENTRIES.c.state).where(
            cash_store.ENTRIES.c.id == receipt)).scalar_one()
    assert state == "open"


@pytest.mark.parametrize("text", ["1e30", "99999999999999999999999"])
def test_an_absurdly_large_amount_is_refused_not_a_crash(text):
    with pytest.raises(SplitRefused, match="too large|not an amount"):
        parse_amount(text, "line 1")


def test_a_correcting_journal_cannot_name_one_invoice_twice_either(pulled):  # type: ignore[no-untyped-def]
    """The journal's targets come from the same look-up: 'INV-n' and 'n' re-posted the
    receipt to one item twice over."""
    from connectors.cash import invoice_items

    [item] = open_invoices(pulled, 1)
    number = item.billing_document.lstrip("0")
    with pulled.engine.connect() as conn, pytest.raises(InputError, match="named twice"):
        invoice_items(conn, [number, f"INV-{number}"], "ZAR")
