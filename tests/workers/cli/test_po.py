"""``arbridge po`` and ``arbridge alerts``, run as a user would after ``arbridge demo``."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest

from tests.workers.cli import test_app as test_cli
from tests.workers.cli.conftest import copy_of
from tests.workers.conftest import SMALL_DEMO_LOOKBACK


def arbridge(cwd: Path, *args: str, **env: str):  # type: ignore[no-untyped-def]
    """As ``tests.workers.cli.test_app.arbridge``, with room for a demo on a busy machine."""
    import os
    import subprocess

    environment = {k: v for k, v in os.environ.items() if not k.startswith("ARBRIDGE_")}
    environment.update({"ARBRIDGE_SAP__SIMULATOR_CUSTOMERS": "30",
                        "ARBRIDGE_SAP__SIMULATOR_BILLING_DOCUMENTS": "200", **LOOKBACK, **env})
    return subprocess.run([test_cli.ARBRIDGE, *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=600)



LOOKBACK = SMALL_DEMO_LOOKBACK  # the small book's recent invoices, as its demo ran


@pytest.fixture(scope="module")
def demo_home(small_demo, tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    """A copy of the session's small demo (run with the 45-day look-back these commands
    need: ``LOOKBACK``), for this module's commands to change."""
    folder, result = small_demo
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)["po"]
    assert report["tracked"] > 0 and report["released"] >= 1
    assert set(report["alerts"]) == {"warning", "critical", "exhausted"}
    return copy_of(folder, tmp_path_factory.mktemp("po-demo") / "home")


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


def hold_a_new_invoice(home: Path) -> str:
    """A new billing document on a PO the portal does not have: the next upload run holds it
    (done here in the store, as the runner would, to keep the portal out of this test)."""
    from datetime import date, datetime, timezone
    from decimal import Decimal

    from config.portals import DEMO_PORTALS
    from config.settings import load_settings
    from sync.mirror.writes import BILLING_DOCUMENTS
    from sync.store import open_store
    from sync.txn import writing
    from sync.uploads import queue as uploads
    from sync.upsert import upsert

    store = open_store(load_settings(home=home / "var"), create=True)
    now = datetime.now(timezone.utc)
    with writing(store.engine) as conn:
        bound = conn.execute(BILLING_DOCUMENTS.table.select().where(
            BILLING_DOCUMENTS.table.c.number.in_(
                [u.billing_document for u in uploads.by_state(conn, "submitted")]))).first()
        row = {**bound._mapping, "number": "0099999901", "billing_date": date.today(),
               "net": Decimal("1000.00"), "tax": Decimal("150.00"), "gross": Decimal("1150.00"),
               "customer_po": "NOT-ON-PORTAL", "changed_at": now, "synced_at": now}
        upsert(conn, BILLING_DOCUMENTS.table, [row], BILLING_DOCUMENTS.keys)
        uploads.enqueue(conn, now=now, portals=list(DEMO_PORTALS))  # browser and cXML
        uploads.route_queued(conn, now=now, review_portals=set())
        upload = uploads.by_document(conn, "0099999901")
        uploads.transition(conn, upload.id, "held", now=now,
                           reason="PO NOT-ON-PORTAL is not on the portal")
    store.engine.dispose()
    return upload.portal


def test_held_invoice_re_pointed_and_released_by_a_po_entered_by_hand(demo_home):
    portal = hold_a_new_invoice(demo_home)
    assigned = arbridge(demo_home, "po", "assign", "99999901", "PO-BY-HAND-1")
    assert assigned.returncode == 0, assigned.stderr
    added = arbridge(demo_home, "po", "add", portal, "PO-BY-HAND-1", "--total", "5000000",
                     "--currency", "ZAR", "--valid-to", "2099-12-31")
    assert added.returncode == 0, added.stderr
    assert "1 held invoice(s) released" in added.stderr
    queue = {r["billing_document"]: r for r in json.loads(
        arbridge(demo_home, "portals", "queue", "--json").stdout)}
    assert queue["0099999901"]["state"] == "ready"
    assert queue["0099999901"]["po_number"] == "PO-BY-HAND-1"


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


def test_po_list_is_readable_at_80_columns_and_in_a_pipe(demo_home):
    from tests.workers.cli.test_output import on_a_terminal

    rows = json.loads(arbridge(demo_home, "po", "list", "--json").stdout)
    shown = on_a_terminal(demo_home, "po", "list")
    lines = [line for line in shown.replace("\r", "").splitlines() if line.strip()]
    assert lines and all(len(line) <= 80 for line in lines)
    assert "…" not in shown  # nothing cut short
    for row in rows:  # every PO with its client and whole balance
        assert f"{row['number']}  {row['portal']}" in shown
        assert f"{float(row['remaining']):,.2f} of {float(row['total']):,.2f}" in shown
    alerted = next(r for r in rows if r["alerts"])
    assert f"{alerted['alerts'][0]['level']}:{alerted['alerts'][0]['rule']}" in shown
    piped = arbridge(demo_home, "po", "list").stdout.splitlines()
    assert len(piped) == len(rows)
    fields = [line.split("\t") for line in piped]
    assert {len(f) for f in fields} == {12}
    assert [(f[0], f[1]) for f in fields] == [(r["portal"], r["number"]) for r in rows]
    wide = on_a_terminal(demo_home, "po", "list", columns=170)
    assert "remaining" in wide and "run-out" in wide
