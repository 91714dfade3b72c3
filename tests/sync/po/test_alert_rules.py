"""PO rules as pure functions, table-driven: which rule fires at which level, and when a PO
no longer needs any; thresholds merged from global, portal, customer and PO settings."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from config.po_alerts import DEFAULT_RULES, AlertScope, PoAlertSettings, RuleSettings, Threshold
from sync.po.alert_rules import PoView, Waiting, evaluate
from sync.po.alerts import OpenAlert, reconcile
from sync.po.forecast import Forecast

TODAY = date(2026, 11, 25)
D = Decimal
UNKNOWN = Forecast(basis="none", reason="no history")


def steady(rate: str, typical: str, runout_days: int | None, left: int | None) -> Forecast:
    return Forecast(basis="po", monthly_rate=D(rate), typical_invoice=D(typical),
                    runout=TODAY + timedelta(days=runout_days) if runout_days is not None
                    else None, invoices_left=left)


def po(**kwargs) -> PoView:
    base = dict(portal="demo-coupa", number="4500000001", total=D("100000"),
                remaining=D("80000"), currency="ZAR", forecast=UNKNOWN)
    return PoView(**{**base, **kwargs})


HELD = Waiting("0090000001", D("5000"), TODAY, "held", "exceeds the remaining balance")
READY = Waiting("0090000002", D("5000"), TODAY, "ready")


@pytest.mark.parametrize(("case", "view", "fired"), [
    ("plenty left, no forecast", po(), {}),
    ("19% left", po(remaining=D("19000")), {"remaining_pct": "warning"}),
    ("9% left", po(remaining=D("9000")), {"remaining_pct": "critical"}),
    ("exactly 20% is not below", po(remaining=D("20000")), {}),
    ("exhausted", po(remaining=D("0")), {"exhausted": "exhausted"}),
    ("overdrawn is exhausted too", po(remaining=D("-10")), {"exhausted": "exhausted"}),
    ("two typical invoices left", po(forecast=steady("500", "40000", 200, 2)),
     {"invoices_left": "warning"}),
    ("no typical invoice fits", po(remaining=D("30000"), forecast=steady("5", "40000", 400, 0)),
     {"invoices_left": "critical"}),
    ("runs out in 30 days", po(forecast=steady("80000", "1000", 30, 80)),
     {"runout_days": "warning"}),
    ("runs out in 14 days", po(forecast=steady("80000", "1000", 14, 80)),
     {"runout_days": "critical"}),
    ("runs out in 31 days", po(forecast=steady("80000", "1000", 31, 80)), {}),
    ("expires in 20 days", po(valid_to=TODAY + timedelta(days=20)), {"expiry_days": "warning"}),
    ("expires in 7 days", po(valid_to=TODAY + timedelta(days=7)), {"expiry_days": "critical"}),
    ("expired", po(valid_to=TODAY - timedelta(days=1)), {"expiry_days": "exhausted"}),
    ("no end date never expires", po(valid_to=None), {}),
    ("expired with a little left: only the exhausted-level finding, nothing in the future",
     po(remaining=D("9000"), valid_to=TODAY - timedelta(days=1),
        forecast=steady("80000", "5000", 3, 1)), {"expiry_days": "exhausted"}),
    ("exhausted and expiring soon: no 'expires in N days' beside it",
     po(remaining=D("0"), valid_to=TODAY + timedelta(days=5)), {"exhausted": "exhausted"}),
    ("held invoice", po(remaining=D("100"), waiting=(HELD,)),
     {"held": "exhausted", "remaining_pct": "critical"}),
    ("superseded and nothing waits: no longer needed",
     po(remaining=D("0"), superseded_by="4500000009"), {}),
    ("superseded but invoices still wait: still exhausted",
     po(remaining=D("0"), superseded_by="4500000009", waiting=(READY,)),
     {"exhausted": "exhausted"}),
    ("closed by the client and nothing waits", po(remaining=D("0"), open=False), {}),
    ("held on a PO the portal does not show: only the held rule",
     po(total=D("0"), remaining=D("0"), on_portal=False, waiting=(HELD,)),
     {"held": "exhausted"}),
    ("not on the portal and nothing held any more",
     po(total=D("0"), remaining=D("0"), on_portal=False, waiting=(READY,)), {}),
])
def test_rules(case, view, fired):
    outcome = evaluate(view, DEFAULT_RULES, TODAY)
    assert {f.rule: f.level for f in outcome.findings} == fired, case


def test_resolution_says_why_nothing_fires():
    assert "new PO 4500000009 loaded" in evaluate(
        po(remaining=D("0"), superseded_by="4500000009"), DEFAULT_RULES, TODAY).resolution
    assert "no longer needed" in evaluate(po(remaining=D("0"), open=False), DEFAULT_RULES,
                                          TODAY).resolution


def test_a_rule_switched_off_does_not_fire():
    rules = DEFAULT_RULES.model_copy(update={"remaining_pct": Threshold(), "exhausted": False})
    assert evaluate(po(remaining=D("0")), rules, TODAY).findings == ()
    assert evaluate(po(remaining=D("5000")), rules, TODAY).findings == ()


def test_thresholds_merge_global_portal_customer_po():
    settings = PoAlertSettings(
        portals={"demo-coupa": AlertScope(rules=RuleSettings(
            remaining_pct=Threshold(warning=50, critical=10)), recipients=["portal-team"])},
        customers={"0000100001": AlertScope(rules=RuleSettings.model_validate(
            {"remaining_pct": {"critical": 25}}))},
        pos={"demo-coupa/4500000001": AlertScope(recipients=["key-account"])})
    rules = settings.rules_for("demo-coupa", "0000100001", "4500000001")
    assert rules.remaining_pct == Threshold(warning=50, critical=25)
    assert rules.runout_days == DEFAULT_RULES.runout_days
    assert settings.rules_for("demo-ariba", None, "1").remaining_pct.warning == 20
    assert settings.recipients_for("demo-coupa", "0000100001", "4500000001") == ["key-account"]
    assert settings.recipients_for("demo-coupa", "0000100002", "4500000002") == ["portal-team"]
    assert settings.recipients_for("demo-ariba", None, "1") == ["outbox"]
    view = po(remaining=D("30000"), customer="0000100001")
    fired = evaluate(view, rules, TODAY).findings
    assert [(f.rule, f.level) for f in fired] == [("remaining_pct", "warning")]


KEY = ("demo-coupa", "4500000001")


def alert(rule: str, level: str, id: int = 1) -> OpenAlert:
    return OpenAlert(id, *KEY, rule, level)


@pytest.mark.parametrize(("case", "open_now", "view", "expect"), [
    ("new finding opens", [], po(remaining=D("19000")),
     {"opened": ["remaining_pct"]}),
    ("same level is kept, not reopened", [alert("remaining_pct", "warning")],
     po(remaining=D("19000")), {"kept": ["remaining_pct"]}),
    ("rising level escalates", [alert("remaining_pct", "warning")], po(remaining=D("5000")),
     {"escalated": ["remaining_pct"]}),
    ("falling level lowers", [alert("remaining_pct", "critical")], po(remaining=D("15000")),
     {"lowered": ["remaining_pct"]}),
    ("resolved closes", [alert("remaining_pct", "warning")], po(remaining=D("90000")),
     {"closed": ["remaining_pct"]}),
    ("exhausted, then topped up: exhausted closes, percent opens",
     [alert("exhausted", "exhausted")], po(remaining=D("15000")),
     {"closed": ["exhausted"], "opened": ["remaining_pct"]}),
])
def test_reconcile(case, open_now, view, expect):
    plan = reconcile(open_now, {KEY: evaluate(view, DEFAULT_RULES, TODAY)})
    got = {"opened": [f.rule for _, f in plan.opened],
           "kept": [a.rule for a, _ in plan.kept],
           "escalated": [a.rule for a, _ in plan.escalated],
           "lowered": [a.rule for a, _ in plan.lowered],
           "closed": [a.rule for a, _ in plan.closed]}
    assert {k: v for k, v in got.items() if v} == expect, case


def test_alerts_of_pos_not_evaluated_are_left_alone():
    other = OpenAlert(9, "demo-ariba", "X", "exhausted", "exhausted")
    plan = reconcile([other], {KEY: evaluate(po(), DEFAULT_RULES, TODAY)})
    assert plan.closed == []


def test_amount_needed_covers_waiting_invoices_beyond_what_is_left():
    view = replace(po(remaining=D("3000")), waiting=(HELD, READY))
    assert view.needed == D("7000")
    assert replace(view, remaining=D("-50")).needed == D("10000")
    assert replace(view, usable=False).needed == D("10000")  # closed or expired: all of it


def test_alert_about_an_expired_po_forecasts_no_run_out() -> None:
    from datetime import datetime, timezone

    from sync.po.alerts import snapshot
    from sync.po.messages import body

    expired = po(remaining=D("9000"), valid_to=TODAY - timedelta(days=1), usable=False,
                 forecast=steady("80000", "5000", 3, 1))  # usable: as the ledger builds it
    [finding] = evaluate(expired, DEFAULT_RULES, TODAY).findings
    text = body({"snapshot": snapshot(expired), "level": finding.level,
                 "summary": finding.summary, "id": 1, "rule": finding.rule,
                 "opened_at": datetime(2026, 11, 25, tzinfo=timezone.utc)})
    assert "expired on 2026-11-24" in text
    assert (TODAY + timedelta(days=3)).isoformat() not in text  # no run-out date ahead
    assert "Forecast run-out: none" in text
