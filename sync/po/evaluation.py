"""Run the PO rules over the ledger: load the POs, what waits on them and the billing history
(one query each), forecast and evaluate every PO (pure), then open, escalate or close the
alerts accordingly."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, or_, select

from config.po_alerts import PoAlertSettings
from sync.mirror.models import BillingDocumentRow
from sync.po import alerts
from sync.po.alert_rules import Outcome, PoView, Waiting, evaluate
from sync.po.forecast import WINDOW_MONTHS, ZERO, Billing, Forecast, forecast
from sync.po.ledger import LEDGER, WAITING_STATES
from sync.tables import table_of
from sync.uploads.models import PortalUploadRow

UPLOADS = table_of(PortalUploadRow)
DOCS = table_of(BillingDocumentRow)


@dataclass(frozen=True, slots=True)
class History:
    """Billing history in the window, by customer PO number and by customer."""

    by_po: dict[str, list[Billing]]
    by_customer: dict[str, list[Billing]]


def window_start(today: date) -> date:
    index = today.year * 12 + today.month - 1 - WINDOW_MONTHS
    return date(index // 12, index % 12 + 1, 1)


def load_history(conn: Connection, today: date, customers: set[str] | None = None,
                 pos: set[str] | None = None) -> History:
    """The window's invoices (of only ``customers`` / ``pos`` when given)."""
    by_po: dict[str, list[Billing]] = defaultdict(list)
    by_customer: dict[str, list[Billing]] = defaultdict(list)
    query = select(DOCS.c.sold_to, DOCS.c.customer_po, DOCS.c.billing_date, DOCS.c.net,
                   DOCS.c.currency).where(DOCS.c.billing_date >= window_start(today),
                                          DOCS.c.cancelled.is_(False), DOCS.c.doc_type == "F2")
    if customers is not None or pos is not None:
        query = query.where(or_(DOCS.c.sold_to.in_(sorted(customers or ())),
                                DOCS.c.customer_po.in_(sorted(pos or ()))))
    for sold_to, po, billed, net, currency in conn.execute(query):
        bill = Billing(billed, net, currency)
        by_customer[sold_to].append(bill)
        if po:
            by_po[po].append(bill)
    return History(by_po, by_customer)


def load_waiting(conn: Connection, portal: str | None = None
                 ) -> dict[tuple[str, str], list[Waiting]]:
    found: dict[tuple[str, str], list[Waiting]] = defaultdict(list)
    query = select(UPLOADS.c.portal, UPLOADS.c.po_number, UPLOADS.c.billing_document,
                   UPLOADS.c.net, UPLOADS.c.invoice_date, UPLOADS.c.state, UPLOADS.c.reason,
                   UPLOADS.c.currency).where(UPLOADS.c.state.in_(WAITING_STATES)).order_by(
        UPLOADS.c.invoice_date, UPLOADS.c.billing_document)
    if portal:
        query = query.where(UPLOADS.c.portal == portal)
    for up_portal, po, document, net, billed, state, reason, currency in conn.execute(query):
        found[(up_portal, po or "")].append(Waiting(document, net, billed, state, reason,
                                                    currency))
    return found


def superseded(ledger: list[Any], today: date) -> dict[tuple[str, str], str]:
    """PO → the newer open PO of the same customer, portal and currency that took over."""
    newest: dict[tuple[str, str | None, str], Any] = {}
    for row in ledger:
        usable = row.open and (row.valid_to is None or row.valid_to >= today) and \
            row.remaining > 0
        key = (row.portal, row.customer, row.currency)
        if row.customer and usable and (key not in newest or
                                         row.first_seen_at > newest[key].first_seen_at):
            newest[key] = row
    result = {}
    for row in ledger:
        later = newest.get((row.portal, row.customer, row.currency))
        if later is not None and later.number != row.number and \
                later.first_seen_at > row.first_seen_at:
            result[(row.portal, row.number)] = later.number
    return result


def build_views(ledger: Iterable[Any], waiting: dict[tuple[str, str], list[Waiting]],
                history: History, today: date, only: set[str] | None = None
                ) -> dict[tuple[str, str], PoView]:
    """Pure: each ledger PO (or ``only`` those numbers) with its forecast and the invoices
    waiting on it. The whole ledger is needed to see which PO took over from which."""
    ledger = list(ledger)
    newer = superseded(ledger, today)
    open_pos: dict[tuple[str | None, str], int] = defaultdict(int)
    for row in ledger:
        if row.open and (row.valid_to is None or row.valid_to >= today) and row.remaining > 0:
            open_pos[(row.customer, row.currency)] += 1
    views = {}
    for row in ledger:
        if only is not None and row.number not in only:
            continue
        key = (row.portal, row.number)
        fc = forecast(remaining=row.remaining, currency=row.currency, today=today,
                      po_history=history.by_po.get(row.number, []),
                      customer_history=history.by_customer.get(row.customer or "", []),
                      valid_to=row.valid_to, po_number=row.number,
                      customer_pos=open_pos.get((row.customer, row.currency), 1) or 1)
        views[key] = PoView(portal=row.portal, number=row.number, total=row.total,
                            remaining=row.remaining, currency=row.currency, forecast=fc,
                            open=row.open, valid_to=row.valid_to, customer=row.customer,
                            customer_name=row.customer_name,
                            waiting=tuple(waiting.get(key, ())), superseded_by=newer.get(key),
                            usable=row.open and (row.valid_to is None or row.valid_to >= today))
    for key, invoices in waiting.items():  # held on a PO the portal does not show (yet)
        if key in views or not key[1] or (only is not None and key[1] not in only):
            continue
        if any(w.state == "held" for w in invoices):
            views[key] = PoView(portal=key[0], number=key[1], total=ZERO, remaining=ZERO,
                                currency=invoices[0].currency,
                                forecast=Forecast(basis="none", reason="the PO is not on the "
                                                  "portal"),
                                waiting=tuple(invoices), usable=False, on_portal=False)
    return views


def outcomes(views: dict[tuple[str, str], PoView], settings: PoAlertSettings,
             today: date) -> dict[tuple[str, str], Outcome]:
    """Pure: the rules of each PO, with its own thresholds."""
    plain = not (settings.portals or settings.customers or settings.pos)
    return {key: evaluate(view, settings.rules if plain else
                          settings.rules_for(view.portal, view.customer, view.number), today)
            for key, view in views.items()}


def views_now(conn: Connection, today: date, portal: str | None = None,
              numbers: set[str] | None = None) -> dict[tuple[str, str], PoView]:
    query = select(LEDGER) if portal is None else select(LEDGER).where(LEDGER.c.portal == portal)
    if numbers is None:
        ledger = conn.execute(query).all()
        history = load_history(conn, today)
    else:  # and the other POs of the same customers: a new one may take over from them
        chosen = conn.execute(query.where(LEDGER.c.number.in_(sorted(numbers)))).all()
        customers = {r.customer for r in chosen if r.customer}
        ledger = [*chosen, *conn.execute(query.where(LEDGER.c.customer.in_(sorted(customers)),
                                                     LEDGER.c.number.not_in(sorted(numbers)))
                                         ).all()]
        numbers = {r.number for r in ledger}
        history = load_history(conn, today, customers, numbers)
    return build_views(ledger, load_waiting(conn, portal), history, today, numbers)


def run_rules(conn: Connection, settings: PoAlertSettings, *, now: datetime,
              portal: str | None = None, numbers: set[str] | None = None) -> dict[str, int]:
    """Evaluate every PO (of ``portal``; only ``numbers`` when given, e.g. the POs a portal
    read changed) and bring their alerts in line; returns counts."""
    today = now.date()
    views = views_now(conn, today, portal, numbers)
    current = alerts.open_alerts(conn, portal)
    found = outcomes(views, settings, today)
    for alert in current:  # POs that left the picture (held on a PO that never came, then
        key = (alert.portal, alert.po_number)  # re-pointed): nothing waits on them any more
        if key not in found and (numbers is None or alert.po_number in numbers):
            found[key] = Outcome(why="gone", po=None)
    plan = alerts.reconcile(current, found)
    return alerts.apply(conn, plan, views, now=now, recipients=lambda v: settings.recipients_for(
        v.portal, v.customer, v.number))
