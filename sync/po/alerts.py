"""PO alerts: one open alert per PO and rule, escalated when the level rises, closed by
itself when resolved, acknowledged by a person. ``reconcile`` is pure; the rest stores it.

Every change is audited. Opening or escalating an alert queues one delivery per recipient
for that level (``sync.po.deliveries``): a recipient never gets the same alert twice for
the same level, even when the level drops and rises again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from config.errors import InputError
from sync import audit
from sync.po import deliveries as alert_deliveries
from sync.po.alert_rules import LEVELS, RANK, RULES, Finding, Outcome, PoView
from sync.po.models import PoAlertRow
from sync.tables import inserted_id, table_of

ALERTS = table_of(PoAlertRow)
PoKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class OpenAlert:
    id: int
    portal: str
    po_number: str
    rule: str
    level: str
    total: Decimal | None = None
    summary: str = ""
    snapshot: str = ""


@dataclass
class Plan:
    opened: list[tuple[PoKey, Finding]] = field(default_factory=list)
    escalated: list[tuple[OpenAlert, Finding]] = field(default_factory=list)
    lowered: list[tuple[OpenAlert, Finding]] = field(default_factory=list)
    kept: list[tuple[OpenAlert, Finding]] = field(default_factory=list)
    closed: list[tuple[OpenAlert, str]] = field(default_factory=list)


def reconcile(open_alerts: Iterable[OpenAlert], outcomes: dict[PoKey, Outcome]) -> Plan:
    """What to do with the alerts of the POs in ``outcomes`` (others are left alone)."""
    by_key = {(a.portal, a.po_number, a.rule): a for a in open_alerts}
    plan = Plan()
    for po_key, outcome in outcomes.items():
        fired = {f.rule: f for f in outcome.findings}
        for rule in RULES:
            alert = by_key.get((*po_key, rule))
            finding = fired.get(rule)
            if finding is None:
                if alert is not None:
                    plan.closed.append((alert, outcome.resolution))
            elif alert is None:
                plan.opened.append((po_key, finding))
            elif RANK[finding.level] > RANK[alert.level]:
                plan.escalated.append((alert, finding))
            elif RANK[finding.level] < RANK[alert.level]:
                plan.lowered.append((alert, finding))
            else:
                plan.kept.append((alert, finding))
    return plan


def snapshot(po: PoView) -> dict[str, Any]:
    """What the billing team needs to act, as it stood when the alert last changed."""
    fc = po.forecast
    return {
        "portal": po.portal, "po": po.number, "customer": po.customer,
        "client": po.customer_name or po.customer or "unknown client",
        "total": str(po.total), "remaining": str(po.remaining), "currency": po.currency,
        "valid_to": po.valid_to.isoformat() if po.valid_to else None,
        # a PO that takes no more invoices (exhausted, expired, closed) has no run-out ahead
        "runout": fc.runout.isoformat() if fc.runout and po.usable and po.remaining > 0
        else None,
        "forecast": fc.note if po.usable and po.remaining > 0 else _why_no_runout(po),
        "monthly_rate": str(fc.monthly_rate) if fc.monthly_rate is not None else None,
        "typical_invoice": str(fc.typical_invoice) if fc.typical_invoice else None,
        "invoices_left": fc.invoices_left, "needed": str(po.needed),
        "waiting": [{"document": w.document, "net": str(w.net), "billed": w.billed.isoformat(),
                     "state": w.state, "currency": w.currency or po.currency}
                    for w in po.waiting],
    }


def _why_no_runout(po: PoView) -> str:
    if po.remaining <= 0:
        return "nothing left on the PO"
    if po.open and po.valid_to is not None:
        return f"the PO expired on {po.valid_to.isoformat()}"
    return "the PO takes no more invoices"


def open_alerts(conn: Connection, portal: str | None = None) -> list[OpenAlert]:
    query = select(ALERTS.c.id, ALERTS.c.portal, ALERTS.c.po_number, ALERTS.c.rule,
                   ALERTS.c.level, ALERTS.c.summary, ALERTS.c.snapshot).where(
        ALERTS.c.state == "open")
    if portal:
        query = query.where(ALERTS.c.portal == portal)
    return [OpenAlert(r.id, r.portal, r.po_number, r.rule, r.level,
                      Decimal(json.loads(r.snapshot).get("total") or "0"), r.summary,
                      r.snapshot) for r in conn.execute(query)]


def apply(conn: Connection, plan: Plan, views: dict[PoKey, PoView], *, now: datetime,
          recipients: Callable[[PoView], list[str]]) -> dict[str, int]:
    """Store the plan; queue deliveries for opened and escalated alerts."""
    events = []
    for key, finding in plan.opened:
        po = views[key]
        alert_id = inserted_id(conn.execute(insert(ALERTS).values(
            portal=po.portal, po_number=po.number, customer=po.customer, rule=finding.rule,
            level=finding.level, state="open", summary=finding.summary,
            snapshot=json.dumps(snapshot(po)), opened_at=now, updated_at=now,
        )))
        alert_deliveries.enqueue(conn, alert_id, finding.level, recipients(po), now=now)
        events.append(_event("alert opened", alert_id, now, finding))
    for alert, finding in plan.escalated:
        _update(conn, alert, views, finding, now, acknowledged_by=None,
                acknowledged_at=None)
        alert_deliveries.enqueue(conn, alert.id, finding.level,
                                 recipients(views[(alert.portal, alert.po_number)]), now=now)
        events.append(_event("alert escalated", alert.id, now, finding, alert.level))
    for alert, finding in plan.lowered:
        _update(conn, alert, views, finding, now)
        events.append(_event("alert lowered", alert.id, now, finding, alert.level))
    for alert, finding in plan.kept:
        _update(conn, alert, views, finding, now)
    for alert, reason in plan.closed:
        now_seen = views.get((alert.portal, alert.po_number))
        if now_seen is not None and alert.total is not None and now_seen.total > alert.total:
            reason = (f"PO {now_seen.number} topped up to {now_seen.total:,.2f} "
                      f"{now_seen.currency}")
        conn.execute(update(ALERTS).where(ALERTS.c.id == alert.id).values(
            state="closed", closed_at=now, updated_at=now, close_reason=reason[:200]))
        events.append(audit.event(action="alert closed", entity="po_alert", key=str(alert.id),
                                  at=now, detail={"rule": alert.rule, "reason": reason}))
    audit.record(conn, events)
    return {"opened": len(plan.opened), "escalated": len(plan.escalated),
            "closed": len(plan.closed)}


def _update(conn: Connection, alert: OpenAlert, views: dict[PoKey, PoView], finding: Finding,
            now: datetime, **extra: Any) -> None:
    """Bring the alert's level, summary and snapshot up to date (no write if unchanged)."""
    values: dict[str, Any] = {"level": finding.level, "summary": finding.summary, **extra}
    po = views.get((alert.portal, alert.po_number))
    if po is not None:
        values["snapshot"] = json.dumps(snapshot(po))
    if not extra and (alert.level, alert.summary, alert.snapshot) == (
            finding.level, finding.summary, values.get("snapshot", alert.snapshot)):
        return
    conn.execute(update(ALERTS).where(ALERTS.c.id == alert.id).values(updated_at=now,
                                                                      **values))


def _event(action: str, alert_id: int, now: datetime, finding: Finding,
           previous: str | None = None) -> dict[str, Any]:
    detail = {"rule": finding.rule, "level": finding.level, "summary": finding.summary}
    if previous:
        detail["from"] = previous
    return audit.event(action=action, entity="po_alert", key=str(alert_id), at=now,
                       detail=detail)


def acknowledge(conn: Connection, alert_id: int, *, who: str, now: datetime) -> dict[str, Any]:
    row = conn.execute(select(ALERTS).where(ALERTS.c.id == alert_id)).first()
    if row is None:
        raise InputError(f"no alert {alert_id} (arbridge alerts list shows the open ones)")
    if row.state != "open":
        raise InputError(f"alert {alert_id} is {row.state} ({row.close_reason}): nothing to "
                         "acknowledge")
    if row.acknowledged_at is not None:  # a second click, a retried API call: nothing new
        return dict(row._mapping)
    done = conn.execute(update(ALERTS).where(ALERTS.c.id == alert_id,
                                             ALERTS.c.acknowledged_at.is_(None)).values(
        acknowledged_by=who, acknowledged_at=now))
    if done.rowcount != 1:  # someone acknowledged it between our read and our write
        return dict(conn.execute(select(ALERTS).where(ALERTS.c.id == alert_id)).one()._mapping)
    audit.record(conn, [audit.event(action="alert acknowledged", entity="po_alert",
                                    key=str(alert_id), actor=who, at=now,
                                    detail={"level": row.level, "rule": row.rule})])
    return dict(row._mapping) | {"acknowledged_by": who, "acknowledged_at": now}


def listing(conn: Connection, *, include_closed: bool = False, portal: str | None = None,
            ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
    query = select(ALERTS).order_by(ALERTS.c.id)
    if not include_closed:
        query = query.where(ALERTS.c.state == "open")
    if portal:
        query = query.where(ALERTS.c.portal == portal)
    if ids is not None:
        query = query.where(ALERTS.c.id.in_(sorted(set(ids))))
    rows = [dict(r._mapping) for r in conn.execute(query)]
    failures = alert_deliveries.problems(conn, [r["id"] for r in rows])
    for row in rows:
        row["snapshot"] = json.loads(row["snapshot"])
        row["delivery_problems"] = failures.get(row["id"], [])
    return rows


def open_counts(conn: Connection) -> dict[str, int]:
    found: dict[str, int] = dict(conn.execute(select(ALERTS.c.level, func.count()).where(
        ALERTS.c.state == "open").group_by(ALERTS.c.level)).all())
    return {level: int(found.get(level, 0)) for level in LEVELS}
