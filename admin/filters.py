"""The list filters, read the same way by the pages (query strings of the filter bars) and
the JSON API: each checks its choices (422 naming the allowed ones) and gives the view's
filter. The upload queue, PO and alert lists declare their query parameters once, here
(:func:`queue_query`, :func:`po_query`, :func:`alert_query`, each a ``Depends``), for their
page and their API endpoint alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Generic, TypeVar

from fastapi import HTTPException, Query

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


F = TypeVar("F")


@dataclass(frozen=True)
class ListQuery(Generic[F]):
    """A list's filter parameters as given (``None`` for one not given: the filter bar's
    values) and the check that turns them into the view's filter. The check runs when the
    endpoint asks (:meth:`chosen`), after FastAPI has validated every other parameter, as
    when the parameters were the endpoint's own."""
    params: dict[str, str | None]
    check: Callable[..., F]

    def chosen(self) -> F:
        """The view's filter; a 422 naming the allowed choices for one not allowed."""
        return self.check(**self.params)


def queue_query(portal: str | None = Query(None, max_length=40),
                client: str | None = Query(None, max_length=80,
                                           description="customer number or part of the name"),
                state: str | None = Query(None, max_length=20),
                q: str | None = Query(None, max_length=40,
                                      description="part of the document, invoice or PO"),
                ) -> ListQuery[queue_view.QueueFilter]:
    """The upload queue's filter (``/uploads``, ``/api/uploads``)."""
    return ListQuery({"portal": portal, "client": client, "state": state, "q": q},
                     queue_filter)


def po_query(portal: str | None = Query(None, max_length=40),
             client: str | None = Query(None, max_length=80,
                                        description="customer number or part of the name"),
             level: str | None = Query(None, max_length=20,
                                       description="highest open alert: warning, critical, "
                                                   "exhausted, or none"),
             state: str | None = Query(None, max_length=20,
                                       description="open, expired, closed, or held (with "
                                                   "held invoices)"),
             q: str | None = Query(None, max_length=35, description="part of the PO number"),
             ) -> ListQuery[po_view.PoFilter]:
    """The PO ledger's filter (``/pos``, ``/api/pos``)."""
    return ListQuery({"portal": portal, "client": client, "level": level, "state": state,
                      "q": q}, po_filter)


def alert_query(portal: str | None = Query(None, max_length=40),
                level: str | None = Query(None, max_length=20),
                state: str | None = Query(None, max_length=10,
                                          description="open (default), closed or all"),
                q: str | None = Query(None, max_length=80),
                ) -> ListQuery[po_view.AlertFilter]:
    """The PO alerts' filter (``/alerts``, ``/api/alerts``)."""
    return ListQuery({"portal": portal, "level": level, "state": state, "q": q},
                     alert_filter)
