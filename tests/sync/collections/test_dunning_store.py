"""The dunning plan and its record in the store (SQLite and PostgreSQL): levels remembered,
never skipped or repeated; disputed and promised items out; bounces become phone tasks."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from config.collections import CollectionSettings
from sync.collections import contacts, disputes, dunning, promise_store
from sync.collections.promises import Instalment
from sync.collections.worklist import build
from sync.txn import writing
from tests.sync.collections.collections_book import NOW, TODAY

SETTINGS = CollectionSettings()


def run_day(engine, day):  # type: ignore[no-untyped-def]
    """What the daily run does with the levels: plan, then record each reminder."""
    with engine.connect() as conn:
        planned = dunning.plan(conn, SETTINGS, day)
    made = {}
    for p in planned:
        if p.decision.outcome == "remind":
            with writing(engine) as conn:
                if dunning.record(conn, SETTINGS, p, as_of=day, now=NOW) is not None:
                    made[p.customer] = p.decision.level
        elif p.decision.outcome == "nothing_overdue" and p.standing.level:
            with writing(engine) as conn:
                dunning.end_cycle(conn, p.company_code, p.customer, now=NOW)
    return made


def test_levels_are_reached_one_by_one_and_never_twice(store, book):
    book.customer("0000100001")
    book.item("0000100001", "5000.00", 75)
    days = [TODAY, TODAY, TODAY + timedelta(days=6), TODAY + timedelta(days=7),
            TODAY + timedelta(days=14), TODAY + timedelta(days=21), TODAY + timedelta(days=60)]
    levels = [run_day(store.engine, d).get("0000100001") for d in days]
    assert levels == [1, None, None, 2, 3, 4, None]
    with store.engine.connect() as conn:
        rows = conn.execute(select(dunning.REMINDERS.c.level, dunning.REMINDERS.c.channel,
                                   dunning.REMINDERS.c.state)).all()
    assert sorted(rows) == [(1, "email", "pending"), (2, "email", "pending"),
                            (3, "letter", "approval"), (4, "phone", "task")]


def test_cycle_starts_again_after_everything_is_paid(store, book):
    book.customer("0000100002")
    first = book.item("0000100002", "800.00", 10)
    assert run_day(store.engine, TODAY) == {"0000100002": 1}
    book.clear(first, TODAY)
    assert run_day(store.engine, TODAY + timedelta(days=1)) == {}
    book.item("0000100002", "900.00", 9)
    assert run_day(store.engine, TODAY + timedelta(days=8)) == {"0000100002": 1}
    with store.engine.connect() as conn:
        cycles = sorted(conn.execute(select(dunning.REMINDERS.c.cycle)).scalars())
    assert cycles == [1, 2]


def test_disputed_and_promised_items_leave_the_run(store, book):
    book.customer("0000100003")
    book.customer("0000100004")
    disputed = book.item("0000100003", "2000.00", 40)
    promised = book.item("0000100004", "3000.00", 40)
    other = book.item("0000100004", "50.00", 40)  # left alone: below the minimum
    with writing(store.engine) as conn:
        disputes.open_case(conn, SETTINGS, source="manual:1", company_code="1000",
                           customer="0000100003", items=[disputed], currency="ZAR",
                           original=Decimal("2000"), disputed=Decimal("2000"), reason="price",
                           owner="thandi", today=TODAY, now=NOW)
        promise_store.make_promise(conn, reference="p1", company_code="1000",
                                   customer="0000100004", items=[promised],
                                   instalments=[Instalment(TODAY + timedelta(days=5),
                                                           Decimal("3000"))],
                                   made_on=TODAY, by="thandi", now=NOW)
    with store.engine.connect() as conn:
        decisions = {p.customer: p.decision.outcome for p in dunning.plan(conn, SETTINGS,
                                                                          TODAY)}
    assert decisions == {"0000100003": "nothing_overdue", "0000100004": "below_minimum"}
    assert other


def test_bounced_email_becomes_a_phone_task_until_someone_calls(store, book):
    book.customer("0000100005")
    book.item("0000100005", "1500.00", 12)
    run_day(store.engine, TODAY)
    with writing(store.engine) as conn:
        reminder_id = dunning.to_send(conn)[0]["id"]
        dunning.bounced(conn, reminder_id, reason="550 mailbox unavailable", now=NOW)
    with store.engine.connect() as conn:
        entry = build(conn, SETTINGS, TODAY)[0]
    assert entry.next_step.startswith("phone: the level 1 e-mail bounced")
    with writing(store.engine) as conn:
        contacts.log_contact(conn, company_code="1000", customer="0000100005",
                             collector="thandi", channel="phone", now=NOW,
                             outcome="new AP address given", agreed="resend statement",
                             call_back=TODAY + timedelta(days=2))
    with store.engine.connect() as conn:
        entry = build(conn, SETTINGS, TODAY)[0]
        assert dunning.reminder(conn, reminder_id)["state"] == "done"
    assert entry.tasks == [] and entry.call_back == TODAY + timedelta(days=2)
    assert entry.next_step == f"call back on {TODAY + timedelta(days=2)}"


def test_broken_promise_raises_the_level_and_a_kept_one_is_judged_by_the_clearing(store, book):
    book.customer("0000100006")
    book.customer("0000100007")
    kept = book.item("0000100006", "1200.00", 20)
    broken = book.item("0000100007", "900.00", 20)
    book.item("0000100007", "400.00", 20)
    made_on = TODAY - timedelta(days=10)
    with writing(store.engine) as conn:
        for ref, customer, key in (("k", "0000100006", kept), ("b", "0000100007", broken)):
            promise_store.make_promise(conn, reference=ref, company_code="1000",
                                       customer=customer, items=[key], made_on=made_on,
                                       instalments=[Instalment(TODAY - timedelta(days=4),
                                                               Decimal("900") if ref == "b"
                                                               else Decimal("1200"))],
                                       by="thandi", now=NOW)
    assert run_day(store.engine, TODAY - timedelta(days=10)) == {"0000100007": 1}
    book.clear(kept, TODAY - timedelta(days=5))
    with writing(store.engine) as conn:
        judged = {j.customer: j.after for j in promise_store.evaluate(
            conn, TODAY, tolerance_days=3, now=NOW)}
        assert promise_store.counts(conn) == {"kept": 1, "broken": 1, "open": 0}
    assert judged == {"0000100006": "kept", "0000100007": "broken"}
    # level 1 was reached 10 days ago at 10 days overdue; 30 days not yet reached, but the
    # broken promise raises the level now, and its item is back in the reminder
    made = run_day(store.engine, TODAY)
    assert made == {"0000100007": 2}
    with store.engine.connect() as conn:
        items = json.loads(conn.execute(select(dunning.REMINDERS.c["items"]).where(
            dunning.REMINDERS.c.level == 2)).scalar_one())
    assert broken in items
