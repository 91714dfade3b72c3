"""Read-only views of the PO ledger and its alerts for people (web app and API): filtered,
paginated listings, one PO with its history, and the dashboard's most urgent clients.

Only the rows of the page shown are forecast (``sync.po.evaluation.views_now`` on their
numbers), so a page reads the same with ten or ten thousand POs behind it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select, tuple_

from sync.paging import Page, containing, page_bounds
from sync.po import ledger as po_ledger
from sync.po.alert_rules import LEVELS
from sync.po.evaluation import views_now
from sync.po.ledger import LEDGER, UPLOADS, WAITING_STATES
from sync.po.models import PoAlertRow
from sync.tables import table_of

ALERTS = table_of(PoAlertRow)
PO_STATES = ("open", "expired", "closed", "held")
ALERT_STATES = ("open", "closed", "all")
# the highest open alert level of a PO: 0 none, 1 warning, 2 critical, 3 exhausted
_RANK = case(*((ALERTS.c.level == level, i + 1) for i, level in enumerate(LEVELS)), else_=0)


@dataclass(frozen=True, slots=True)
class PoFilter:
    portal: str | None = None
    client: str | None = None
    level: str | None = None  # warning, critical, exhausted or "none"
    state: str | None = None  # one of PO_STATES
    text: str | None = None  # part of the PO number


@dataclass(frozen=True, slots=True)
class AlertFilter:
    portal: str | None = None
    level: str | None = None
    state: str = "open"  # open, closed or all
    text: str | None = None  # part of the PO number or the client's name


def _rank_of_po() -> Any:
    return (select(func.max(_RANK)).where(ALERTS.c.portal == LEDGER.c.portal,
                                          ALERTS.c.po_number == LEDGER.c.number,
                                          ALERTS.c.state == "open")
            .correlate(LEDGER).scalar_subquery())


def _po_where(query: Select, f: PoFilter, today: date, rank: Any) -> Select:
    if f.portal:
        query = query.where(LEDGER.c.portal == f.portal)
    if f.client:
        client = f.client.strip()
        query = query.where(or_(LEDGER.c.customer == client,
                                LEDGER.c.customer == client.zfill(10),
                                LEDGER.c.customer_name.ilike(containing(client),
                                                             escape="\\")))
    if f.text:
        query = query.where(LEDGER.c.number.ilike(containing(f.text.strip()), escape="\\"))
    if f.level == "none":
        query = query.where(func.coalesce(rank, 0) == 0)
    elif f.level in LEVELS:
        query = query.where(rank == LEVELS.index(f.level) + 1)
    usable = and_(LEDGER.c.open.is_(True),
                  or_(LEDGER.c.valid_to.is_(None), LEDGER.c.valid_to >= today))
    if f.state == "open":
        query = query.where(usable)
    elif f.state == "expired":
        query = query.where(LEDGER.c.open.is_(True), LEDGER.c.valid_to < today)
    elif f.state == "closed":
        query = query.where(LEDGER.c.open.is_(False))
    elif f.state == "held":
        query = query.where(select(UPLOADS.c.id).where(
            UPLOADS.c.portal == LEDGER.c.portal, UPLOADS.c.po_number == LEDGER.c.number,
            UPLOADS.c.state == "held").correlate(LEDGER).exists())
    return query


def po_listing(conn: Any, f: PoFilter, *, today: date, page: int = 1,
               per_page: int = 50) -> Page:
    """POs, most urgent first (highest open alert level, then least remaining share), each
    with its forecast, its waiting invoices by state and its open alerts."""
    page, per_page = page_bounds(page, per_page)
    rank = _rank_of_po()
    total = conn.execute(_po_where(select(func.count()).select_from(LEDGER), f, today, rank)
                         ).scalar_one()
    share = case((LEDGER.c.total > 0, LEDGER.c.remaining / LEDGER.c.total), else_=0)
    query = _po_where(select(LEDGER, func.coalesce(rank, 0).label("rank")), f, today, rank)
    query = query.order_by(func.coalesce(rank, 0).desc(), share, LEDGER.c.portal,
                           LEDGER.c.number).limit(per_page).offset((page - 1) * per_page)
    rows = [dict(r._mapping) for r in conn.execute(query)]
    enrich(conn, rows, today)
    return Page(rows=rows, total=int(total), page=page, per_page=per_page)


def enrich(conn: Any, rows: list[dict[str, Any]], today: date) -> None:
    """Add ``forecast`` (the PoView's Forecast), ``waiting`` (state → count and net) and
    ``alerts`` (open ones) to ledger rows, in a few queries for the lot."""
    if not rows:
        return
    keys = [(r["portal"], r["number"]) for r in rows]
    views = views_now(conn, today, numbers={n for _, n in keys})
    currency_of = {(r["portal"], r["number"]): r["currency"] for r in rows}
    waiting: dict[tuple[str, str], dict[str, list[Any]]] = defaultdict(dict)
    other: dict[tuple[str, str], dict[str, list[Any]]] = defaultdict(dict)
    # summed here, not in SQL: SQLite keeps Money as text and would add it up as floats
    for portal, po, state, currency, net in conn.execute(
            select(UPLOADS.c.portal, UPLOADS.c.po_number, UPLOADS.c.state, UPLOADS.c.currency,
                   UPLOADS.c.net).where(
                UPLOADS.c.state.in_(WAITING_STATES),
                tuple_(UPLOADS.c.portal, UPLOADS.c.po_number).in_(keys))):
        if currency == currency_of[(portal, po)]:
            seen = waiting[(portal, po)].setdefault(state, [0, Decimal(0)])
        else:  # counted apart, per currency: never added to the PO's own figures
            seen = other[(portal, po)].setdefault(currency, [0, Decimal(0)])
        seen[0] += 1
        seen[1] += net
    open_alerts: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for a in conn.execute(select(ALERTS.c.id, ALERTS.c.portal, ALERTS.c.po_number,
                                 ALERTS.c.rule, ALERTS.c.level, ALERTS.c.summary).where(
            ALERTS.c.state == "open", tuple_(ALERTS.c.portal, ALERTS.c.po_number).in_(keys))
            .order_by(ALERTS.c.id)):
        open_alerts[(a.portal, a.po_number)].append(dict(a._mapping))
    for row in rows:
        key = (row["portal"], row["number"])
        view = views.get(key)
        row["forecast"] = view.forecast if view else None
        row["waiting"] = waiting.get(key, {})
        row["other_currency"] = other.get(key, {})
        row["held"] = waiting.get(key, {}).get("held", [0, Decimal(0)])[0]
        row["alerts"] = sorted(open_alerts.get(key, []),
                               key=lambda a: -LEVELS.index(a["level"]))
        row["usable"] = row["open"] and (row["valid_to"] is None or row["valid_to"] >= today)


def po_one(conn: Any, portal: str, number: str, *, today: date) -> dict[str, Any] | None:
    """One PO with its forecast, balance history, alerts (open and closed) and the invoices
    waiting on it; None when neither the ledger nor any waiting invoice knows it."""
    row = conn.execute(select(LEDGER).where(LEDGER.c.portal == portal,
                                            LEDGER.c.number == number)).first()
    found = dict(row._mapping) if row else None
    invoices = [dict(r._mapping) for r in conn.execute(
        select(UPLOADS.c.billing_document, UPLOADS.c.invoice_date, UPLOADS.c.net,
               UPLOADS.c.gross, UPLOADS.c.currency, UPLOADS.c.state, UPLOADS.c.reason,
               UPLOADS.c.customer).where(UPLOADS.c.portal == portal,
                                         UPLOADS.c.po_number == number,
                                         UPLOADS.c.state.in_(WAITING_STATES))
        .order_by(UPLOADS.c.invoice_date, UPLOADS.c.billing_document))]
    if found is None and not invoices:
        return None
    if found is not None:
        enrich(conn, [found], today)
        found["history"] = po_ledger.history(conn, portal, number)
    alerts_of = [dict(r._mapping) for r in conn.execute(
        select(ALERTS).where(ALERTS.c.portal == portal, ALERTS.c.po_number == number)
        .order_by(ALERTS.c.state.desc(), ALERTS.c.id.desc()).limit(100))]
    for a in alerts_of:
        a["snapshot"] = json.loads(a["snapshot"])
    return {"po": found, "portal": portal, "number": number, "invoices": invoices,
            "alerts": alerts_of}


def repoint_choices(conn: Any, portal: str, customer: str | None, *, today: date,
                    limit: int = 50) -> list[dict[str, Any]]:
    """POs an invoice of ``customer`` on ``portal`` could go against instead: usable POs with
    something left, the customer's first (then those of no known customer; another
    customer's PO is refused by ``po_release.assign``), most remaining first."""
    mine = case((LEDGER.c.customer == customer, 0), else_=1) if customer else literal(0)
    whose = or_(LEDGER.c.customer == customer, LEDGER.c.customer.is_(None)) if customer \
        else literal(True)
    return [dict(r._mapping) for r in conn.execute(
        select(LEDGER.c.number, LEDGER.c.remaining, LEDGER.c.currency, LEDGER.c.customer,
               LEDGER.c.customer_name).where(
            LEDGER.c.portal == portal, LEDGER.c.open.is_(True), LEDGER.c.remaining > 0,
            or_(LEDGER.c.valid_to.is_(None), LEDGER.c.valid_to >= today), whose)
        .order_by(mine, LEDGER.c.remaining.desc(), LEDGER.c.number).limit(limit))]


def _alert_where(query: Select, f: AlertFilter) -> Select:
    if f.state in ("open", "closed"):
        query = query.where(ALERTS.c.state == f.state)
    if f.portal:
        query = query.where(ALERTS.c.portal == f.portal)
    if f.level in LEVELS:
        query = query.where(ALERTS.c.level == f.level)
    if f.text:
        text = containing(f.text.strip())
        query = query.where(or_(ALERTS.c.po_number.ilike(text, escape="\\"),
                                ALERTS.c.customer == f.text.strip().zfill(10),
                                ALERTS.c.summary.ilike(text, escape="\\")))
    return query


def alert_listing(conn: Any, f: AlertFilter, *, page: int = 1, per_page: int = 50) -> Page:
    """Alerts, open before closed, highest level first, newest first."""
    page, per_page = page_bounds(page, per_page)
    total = conn.execute(_alert_where(select(func.count()).select_from(ALERTS), f)
                         ).scalar_one()
    query = _alert_where(select(ALERTS), f).order_by(
        ALERTS.c.state.desc(), _RANK.desc(), ALERTS.c.opened_at.desc(), ALERTS.c.id.desc())
    rows = [_alert_row(r) for r in conn.execute(
        query.limit(per_page).offset((page - 1) * per_page))]
    return Page(rows=rows, total=int(total), page=page, per_page=per_page)


def alert_one(conn: Any, alert_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(ALERTS).where(ALERTS.c.id == alert_id)).first()
    return _alert_row(row) if row else None


def _alert_row(row: Any) -> dict[str, Any]:
    found = dict(row._mapping)
    found["snapshot"] = json.loads(found["snapshot"])
    return found


def alert_portals(conn: Any) -> list[str]:
    return list(conn.execute(select(ALERTS.c.portal).distinct().order_by(ALERTS.c.portal))
                .scalars())


def po_portals(conn: Any) -> list[str]:
    return list(conn.execute(select(LEDGER.c.portal).distinct().order_by(LEDGER.c.portal))
                .scalars())


def urgent_clients(conn: Any, *, clients: int = 3, pos_each: int = 4) -> list[dict[str, Any]]:
    """The dashboard's burn-downs: the clients whose open POs carry the highest open alerts
    (oldest alert first among equals), each with up to ``pos_each`` of its POs (most urgent
    first) and every balance read of them."""
    ranked = conn.execute(
        select(ALERTS.c.customer, func.max(_RANK).label("rank"),
               func.min(ALERTS.c.opened_at).label("since"))
        .where(ALERTS.c.state == "open", ALERTS.c.customer.is_not(None))
        .group_by(ALERTS.c.customer)
        .order_by(func.max(_RANK).desc(), func.min(ALERTS.c.opened_at), ALERTS.c.customer)
        .limit(clients)).all()
    rank = _rank_of_po()
    result = []
    for customer, top, _ in ranked:
        share = case((LEDGER.c.total > 0, LEDGER.c.remaining / LEDGER.c.total), else_=0)
        pos = [dict(r._mapping) for r in conn.execute(
            select(LEDGER, func.coalesce(rank, 0).label("rank")).where(
                LEDGER.c.customer == customer, LEDGER.c.open.is_(True))
            .order_by(func.coalesce(rank, 0).desc(), share, LEDGER.c.number)
            .limit(pos_each))]
        for po in pos:
            po["history"] = po_ledger.history(conn, po["portal"], po["number"])
        if not pos:
            continue
        name = next((p["customer_name"] for p in pos if p["customer_name"]), customer)
        result.append({"customer": customer, "name": name,
                       "level": LEVELS[int(top) - 1], "pos": pos})
    return result


def busiest_held_portal(conn: Any) -> str | None:
    """The portal with the most held invoices (the new-PO form's first choice)."""
    return conn.execute(select(UPLOADS.c.portal).where(UPLOADS.c.state == "held")
                        .group_by(UPLOADS.c.portal).order_by(func.count().desc(),
                                                             UPLOADS.c.portal).limit(1)
                        ).scalar()
