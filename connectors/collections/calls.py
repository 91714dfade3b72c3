"""Recording a call as the web page and the CLI do: the contact log entry and, when the
customer promised to pay, a promise (one instalment) or a payment arrangement (a schedule of
several) over the customer's overdue items that may be reminded (those in dispute or under
another promise are left out), in one transaction."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine

from config.errors import InputError
from connectors.reports.book import company_code_of
from sync.collections.contacts import log_contact
from sync.collections.policy import position
from sync.collections.positions import exclusions, items_of
from sync.collections.promise_store import make_promise
from sync.collections.promises import ScheduleRefused, schedule
from sync.txn import writing


def record_call(engine: Engine, *, customer: str, collector: str, channel: str, outcome: str,
                now: datetime, agreed: str | None = None, call_back: date | None = None,
                promise_amount: Decimal | None = None, promise_date: date | None = None,
                company_code: str | None = None, contact_person: str | None = None,
                as_of: date | None = None,
                instalments: list[tuple[date, Decimal]] | None = None
                ) -> tuple[int, int | None]:
    """(contact id, promise id or None). ``promise_amount`` by ``promise_date`` is a promise;
    ``instalments`` (date, amount) are an arrangement (with the promise as its first
    instalment, if given). ``as_of``: the ledger's today (default: now)."""
    today = as_of or now.date()
    wanted = list(instalments or [])
    if promise_amount is not None and promise_date is not None:
        wanted.insert(0, (promise_date, promise_amount))
    try:
        plan = schedule(wanted, today) if wanted else []
    except ScheduleRefused as wrong:  # a single promise is told without instalment numbers
        raise InputError(wrong.problem if len(wanted) == 1 else str(wrong)) from None
    with writing(engine) as conn:
        code = company_code or company_code_of(conn, customer)
        contact_id = log_contact(conn, company_code=code, customer=customer,
                                 collector=collector, channel=channel, outcome=outcome,
                                 agreed=agreed, call_back=call_back, now=now,
                                 contact_person=contact_person)
        if not plan:
            return contact_id, None
        items = items_of(conn, {(code, customer)}).get((code, customer), [])
        pos = position(items, today, exclusions(conn))
        if not pos.items:
            raise InputError(f"customer {customer} has no overdue item a promise could cover "
                             "(all paid, in dispute or under a promise)")
        promise_id = make_promise(conn, reference=f"contact:{contact_id}", company_code=code,
                                  customer=customer, items=_largest(pos, items),
                                  instalments=plan,
                                  made_on=today, by=collector, now=now,
                                  contact_id=contact_id)
        return contact_id, promise_id


def _largest(pos: Any, items: Any) -> list[str]:
    """The overdue items of the currency with the most overdue (a promise is in one)."""
    currency = max(pos.overdue, key=lambda c: pos.overdue[c])
    of = {i.key: i.currency for i in items}
    return [k for k in pos.items if of[k] == currency]
