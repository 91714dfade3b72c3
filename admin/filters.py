"""The list filters, read the same way by the pages (query strings of the filter bars) and
the JSON API: each checks its choices (422 naming the allowed ones) and gives the view's
filter."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from fastapi import HTTPException

from sync import audit_search
from sync.cash import allocations
from sync.cash import views as cash_view
from sync.po import view as po_view
from sync.po.alert_rules import LEVELS
from sync.uploads import view as queue_view
from sync.uploads.states import STATES

LEVEL_CHOICES = (*LEVELS, "none")  # a PO's alert level, or none open


def form_day(text: str | None, name: str) -> date | None:
    """A date field of a filter form: browsers send it empty when it is not filled (no
    filter), which FastAPI's ``date`` parameters would refuse with a 422."""
    if not text or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise HTTPException(422, f"{name}: {text!r} is not a date (YYYY-MM-DD)") from None


def queue_filter(portal: str | None, client: str | None, state: str | None,
                 q: str | None) -> queue_view.QueueFilter:
    if state and state not in STATES:
        raise HTTPException(422, f"state must be one of {', '.join(STATES)}")
    return queue_view.QueueFilter(portal=portal or None, client=client or None,
                                  state=state or None, text=q or None)


def po_filter(portal: str | None, client: str | None, level: str | None, state: str | None,
              q: str | None) -> po_view.PoFilter:
    if level and level not in LEVEL_CHOICES:
        raise HTTPException(422, f"level must be one of {', '.join(LEVEL_CHOICES)}")
    if state and state not in po_view.PO_STATES:
        raise HTTPException(422, f"state must be one of {', '.join(po_view.PO_STATES)}")
    return po_view.PoFilter(portal=portal or None, client=client or None, level=level or None,
                            state=state or None, text=q or None)


def alert_filter(portal: str | None, level: str | None, state: str | None,
                 q: str | None) -> po_view.AlertFilter:
    if level and level not in LEVELS:
        raise HTTPException(422, f"level must be one of {', '.join(LEVELS)}")
    if state and state not in po_view.ALERT_STATES:
        raise HTTPException(422, f"state must be one of {', '.join(po_view.ALERT_STATES)}")
    return po_view.AlertFilter(portal=portal or None, level=level or None,
                               state=state or "open", text=q or None)


def audit_filter(q: str | None, actor: str | None, entity: str | None,
                 since: date | None, until: date | None) -> audit_search.AuditFilter:
    """Dates are whole days (UTC): ``until`` includes its day."""
    return audit_search.AuditFilter(
        text=q or None, actor=actor or None, entity=entity or None,
        since=datetime.combine(since, time(0), tzinfo=timezone.utc) if since else None,
        until=(datetime.combine(until, time(0), tzinfo=timezone.utc) + timedelta(days=1)
               if until and until < date.max else None))  # 9999-12-31: no upper bound


def receipt_filter(state: str | None, payer: str | None, since: str | None,
                   until: str | None, amount_min: str | None,
                   amount_max: str | None) -> cash_view.ReceiptFilter:
    state = state or "unallocated"
    if state not in cash_view.RECEIPT_STATES:
        raise HTTPException(422, f"state must be one of {', '.join(cash_view.RECEIPT_STATES)}")
    bounds: list[Decimal | None] = []
    for name, text in (("amount from", amount_min), ("amount to", amount_max)):
        if not text or not text.strip():
            bounds.append(None)
            continue
        try:
            bounds.append(Decimal(text.strip().replace(" ", "")))
        except ArithmeticError:
            raise HTTPException(422, f"{name}: {text!r} is not an amount (like 1234.50)"
                                ) from None
    return cash_view.ReceiptFilter(state=state, payer=payer or None,
                                   since=form_day(since, "booked from"),
                                   until=form_day(until, "booked to"),
                                   amount_min=bounds[0], amount_max=bounds[1])


def allocation_filter(state: str | None, rule: str | None, customer: str | None,
                      q: str | None) -> cash_view.AllocationFilter:
    if state and state not in allocations.STATES:
        raise HTTPException(422, f"state must be one of {', '.join(allocations.STATES)}")
    return cash_view.AllocationFilter(state=state or None, rule=rule or None,
                                      customer=customer or None, document=q or None)
