"""A payment arrangement recorded with a call: a schedule of instalments over the customer's
overdue items, judged each evening instalment by instalment. While it holds, its items get no
reminder; the day after an instalment's tolerance runs out unpaid the arrangement is broken,
the customer's next level is due whatever the days say, and the worklist says to call."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from config.collections import CollectionSettings
from config.errors import InputError
from connectors.collections.calls import record_call
from sync.collections import dunning, promise_store
from sync.collections.worklist import build
from sync.txn import writing
from tests.sync.collections.collections_book import TODAY, Book

SETTINGS = CollectionSettings()
TOLERANCE = SETTINGS.promise_tolerance_days


def _evening(engine, day: date) -> list:  # type: ignore[no-untyped-def, type-arg]
    with writing(engine) as conn:
        return promise_store.evaluate(conn, day, tolerance_days=TOLERANCE, now=datetime.combine(
            day, time(18), tzinfo=timezone.utc))


def _instalment_states(engine, promise_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return list(conn.execute(select(promise_store.INSTALMENTS.c.state).where(
            promise_store.INSTALMENTS.c.promise_id == promise_id).order_by(
            promise_store.INSTALMENTS.c.seq)).scalars())


def test_an_arrangement_holds_while_paid_and_a_missed_instalment_breaks_it(store):
    book = Book(store.engine)
    customer = book.customer("0000300001")
    first = book.item(customer, "500.00", 40)
    book.item(customer, "500.00", 35)
    book.item(customer, "500.00", 30)
    first_due, second_due = TODAY + timedelta(days=7), TODAY + timedelta(days=37)
    _, promise_id = record_call(
        store.engine, customer=customer, collector="sipho", channel="phone",
        outcome="agreed to pay in three", now=datetime.combine(TODAY, time(9),
                                                               tzinfo=timezone.utc),
        as_of=TODAY, instalments=[(TODAY + timedelta(days=67), Decimal("500")),
                                  (first_due, Decimal("500")), (second_due, Decimal("500"))])
    with store.engine.connect() as conn:
        [made] = promise_store.promises_of(conn, "1000", customer)
        outcome = {p.customer: p.decision.outcome for p in dunning.plan(conn, SETTINGS, TODAY)}
    assert made["kind"] == "arrangement" and made["amount"] == Decimal("1500")
    assert [i["due_date"] for i in made["instalments"]] == sorted(
        i["due_date"] for i in made["instalments"])
    assert outcome[customer] == "nothing_overdue"  # every item is under the arrangement

    book.clear(first, first_due - timedelta(days=1))  # the first instalment is paid
    _evening(store.engine, first_due + timedelta(days=TOLERANCE + 1))
    assert _instalment_states(store.engine, promise_id) == ["kept", "open", "open"]

    last_day = second_due + timedelta(days=TOLERANCE)
    _evening(store.engine, last_day)  # the second: last day of its tolerance, unpaid
    assert _instalment_states(store.engine, promise_id) == ["kept", "open", "open"]
    [judged] = _evening(store.engine, last_day + timedelta(days=1))
    assert judged.after == "broken"
    assert _instalment_states(store.engine, promise_id) == ["kept", "broken", "open"]

    day = last_day + timedelta(days=1)
    with store.engine.connect() as conn:
        assert dunning.standings(conn)[("1000", customer)].raise_pending
        [plan] = [p for p in dunning.plan(conn, SETTINGS, day) if p.customer == customer]
        [entry] = [e for e in build(conn, SETTINGS, day) if e.customer == customer]
    assert (plan.decision.outcome, plan.decision.level) == ("remind", 1)
    assert entry.next_step.startswith("call: promise of") and "broken" in entry.next_step
    assert "broken promises" in entry.why


def test_an_arrangement_with_a_date_in_the_past_is_refused_and_nothing_is_logged(store):
    book = Book(store.engine)
    customer = book.customer("0000300002")
    book.item(customer, "500.00", 40)
    with pytest.raises(InputError, match="instalment 2: the date .* is in the past"):
        record_call(store.engine, customer=customer, collector="sipho", channel="phone",
                    outcome="x", now=datetime.combine(TODAY, time(9), tzinfo=timezone.utc),
                    as_of=TODAY, instalments=[(TODAY + timedelta(days=5), Decimal("100")),
                                              (TODAY - timedelta(days=1), Decimal("100"))])
    with store.engine.connect() as conn:
        assert promise_store.promises_of(conn, "1000", customer) == []
