"""``arbridge po`` and ``arbridge alerts``, run as a user would after ``arbridge demo``."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest

from tests.workers.test_cli import arbridge


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("po-demo")
    result = arbridge(home, "demo", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)["po"]
    assert report["tracked"] > 0 and report["released"] >= 1
    assert set(report["alerts"]) == {"warning", "critical", "exhausted"}
    return home


def test_po_list_shows_balances_forecasts_and_alerts(demo_home):
    result = arbridge(demo_home, "po", "list", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert {"total", "invoiced", "pending", "remaining", "currency", "valid_to", "mismatch",
            "forecast", "alerts"} <= set(rows[0])
    flagged = [r for r in rows if r["mismatch"]]
    assert flagged and "arbridge did not send" in flagged[0]["mismatch"]  # the hand-typed one
    assert any(r["alerts"] for r in rows)
    only = json.loads(arbridge(demo_home, "po", "list", "--portal", "demo-ariba",
                               "--json", "--history").stdout)
    assert only and {r["portal"] for r in only} == {"demo-ariba"}
    assert all(len(r["history"]) >= 1 for r in only)  # one point per read


def test_alerts_are_acknowledged_with_who(demo_home):
    open_alerts = json.loads(arbridge(demo_home, "alerts", "list", "--json").stdout)
    assert open_alerts and all(a["state"] == "open" for a in open_alerts)
    first = open_alerts[0]["id"]
    result = arbridge(demo_home, "alerts", "ack", str(first))
    assert result.returncode == 0, result.stderr
    acked = {a["id"]: a for a in json.loads(arbridge(demo_home, "alerts", "list",
                                                     "--json").stdout)}[first]
    assert acked["acknowledged_by"] == getpass.getuser() and acked["acknowledged_at"]
    everything = json.loads(arbridge(demo_home, "alerts", "list", "--all", "--json").stdout)
    assert any(a["state"] == "closed" and "loaded" in a["close_reason"] for a in everything)
    missing = arbridge(demo_home, "alerts", "ack", "99999")
    assert missing.returncode == 1 and "no alert 99999" in missing.stderr


def test_held_invoice_re_pointed_and_released_by_a_po_entered_by_hand(demo_home):
    held = json.loads(arbridge(demo_home, "portals", "queue", "--state", "held",
                               "--json").stdout)
    assert held, "the demo book has an invoice held on a closed PO"
    document, portal = held[0]["billing_document"], held[0]["portal"]
    assigned = arbridge(demo_home, "po", "assign", document, "PO-BY-HAND-1")
    assert assigned.returncode == 0, assigned.stderr
    added = arbridge(demo_home, "po", "add", portal, "PO-BY-HAND-1", "--total", "5000000",
                     "--currency", "ZAR", "--valid-to", "2099-12-31")
    assert added.returncode == 0, added.stderr
    assert "1 held invoice(s) released" in added.stderr
    queue = {r["billing_document"]: r for r in json.loads(
        arbridge(demo_home, "portals", "queue", "--json").stdout)}
    assert queue[document]["state"] == "ready" and queue[document]["po_number"] == "PO-BY-HAND-1"


def test_bad_po_input_is_one_line_naming_the_option_and_changes_nothing(demo_home):
    before = arbridge(demo_home, "po", "list", "--json").stdout
    bad_total = arbridge(demo_home, "po", "add", "demo-coupa", "X1", "--total", "lots",
                         "--currency", "ZAR")
    assert bad_total.returncode == 1 and "--total 'lots' is not an amount" in bad_total.stderr
    bad_date = arbridge(demo_home, "po", "add", "demo-coupa", "X1", "--total", "10",
                        "--currency", "ZAR", "--valid-to", "31/12/2027")
    assert bad_date.returncode == 1 and "--valid-to '31/12/2027' is not a date" in \
        bad_date.stderr
    no_portal = arbridge(demo_home, "po", "add", "acme", "X1", "--total", "10", "--currency",
                         "ZAR")
    assert no_portal.returncode == 1 and "unknown portal 'acme'" in no_portal.stderr
    unknown = arbridge(demo_home, "po", "assign", "123", "X1")
    assert unknown.returncode == 1 and "no upload for billing document 123" in unknown.stderr
    assert arbridge(demo_home, "po", "list", "--json").stdout == before
