"""The ``arbridge`` command line, run as a user would (a subprocess in a fresh folder: a
test that starts after a demo gets a copy of a folder where the session's small demo ran)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sap.simulator import SapSimulator
from tests.workers.cli.conftest import copy_of
from tests.workers.conftest import SMALL_DEMO_LOOKBACK

ARBRIDGE = str(Path(sys.executable).parent / "arbridge")


def arbridge(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ARBRIDGE_")}
    environment.update({"ARBRIDGE_SAP__SIMULATOR_CUSTOMERS": "30",
                        "ARBRIDGE_SAP__SIMULATOR_BILLING_DOCUMENTS": "200", **env})
    return subprocess.run([ARBRIDGE, *args], cwd=cwd,
                          env=environment, capture_output=True, text=True, timeout=120)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def after_demo(small_demo, tmp_path: Path) -> tuple[Path, subprocess.CompletedProcess]:  # type: ignore[no-untyped-def]
    """A folder of the test's own, as ``arbridge demo --json`` left it (a copy of the
    session's small demo folder), and what the demo printed."""
    folder, first = small_demo
    return copy_of(folder, tmp_path / "after-demo"), first


def test_demo_json_reports_store_counts_and_twice_adds_nothing(after_demo):
    workdir, first = after_demo
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["sap"] == {"customers": 30, "billing_documents": 200,
                             "open_items": report["sap"]["open_items"]}
    assert report["sap"]["open_items"] > 0
    assert set(report["reports"]) == {"ageing_total", "overdue", "credit_balances",
                                      "statements", "dso_countback"}
    outbox = workdir / "var" / "outbox" / "statements"
    sent = sorted(p.name for p in outbox.iterdir())
    assert report["reports"]["statements"] == len(sent) > 0
    collections = report["collections"]
    assert set(collections["reminders"]) == {"1", "2"}  # reminders at two levels
    assert collections["promises"] == {"kept": 1, "broken": 1, "open": 0}
    assert collections["disputes"]["open"] == collections["credit_note_requests"] == 1
    assert collections["notices_s129"] == 1 and collections["worklist"] > 0
    reminders = workdir / "var" / "outbox" / "collections"
    mailed = sorted(p.name for p in reminders.iterdir())
    second = arbridge(workdir, "demo", "--json", **SMALL_DEMO_LOOKBACK)  # as the first ran
    assert json.loads(second.stdout) == report
    assert sorted(p.name for p in reminders.iterdir()) == mailed  # no reminder twice
    assert sorted(p.name for p in outbox.iterdir()) == sent  # no statement sent twice
    assert (workdir / "var" / "arbridge.db").exists()


def test_status_json_shows_cursors_after_a_pull(after_demo):
    workdir, _ = after_demo
    status = json.loads(arbridge(workdir, "status", "--json").stdout)
    assert status["counts"]["billing_documents"] == 200
    assert {c["entity"] for c in status["cursors"]} == {"customers", "billing_documents",
                                                        "open_items", "cleared_items"}


def test_sap_pull_json_summarises_what_changed(after_demo):
    workdir, _ = after_demo
    SapSimulator(workdir / "var" / "sap-simulator.db").change_billing_document("0090000005",
                                                                              cancel=True)
    result = arbridge(workdir, "sap", "pull", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["entities"]["billing_documents"]["updated"] == 1


def test_wrong_sap_password_is_one_line_exit_2_and_changes_nothing(workdir):
    simulator = SapSimulator(workdir / "var" / "sap-simulator.db")
    simulator.seed(customers=5, documents=10)
    simulator.set_logon("ARBRIDGE", "right")
    assert arbridge(workdir, "init").returncode == 0
    result = arbridge(workdir, "sap", "pull", ARBRIDGE_SAP__USER="ARBRIDGE",
                      ARBRIDGE_SAP__PASSWD="wrong-secret")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "logon" in lines[0] and "refused" in lines[0]
    assert "wrong-secret" not in result.stderr
    counts = json.loads(arbridge(workdir, "status", "--json").stdout)["counts"]
    assert set(counts.values()) == {0}


def test_unreachable_sap_is_one_line_exit_3(workdir):
    assert arbridge(workdir, "init").returncode == 0
    result = arbridge(workdir, "sap", "pull", ARBRIDGE_SAP__KIND="odata",
                      ARBRIDGE_SAP__BASE_URL="http://127.0.0.1:9",
                      ARBRIDGE_SAP__TIMEOUT_SECONDS="1")
    assert result.returncode == 3
    assert result.stderr.strip().splitlines() == [
        "error: SAP OData at http://127.0.0.1:9 not reachable: ConnectionError"]


def test_rfc_without_pyrfc_says_how_to_install_it(workdir):
    assert arbridge(workdir, "init").returncode == 0
    result = arbridge(workdir, "sap", "pull", ARBRIDGE_SAP__KIND="rfc",
                      ARBRIDGE_SAP__ASHOST="sap.example.com")
    assert result.returncode == 2
    assert "pip install 'arbridge[rfc]'" in result.stderr


def test_secrets_encrypt_gives_a_token_the_portals_can_use(workdir):
    from config.secrets import SecretBox

    result = subprocess.run([ARBRIDGE, "secrets", "encrypt"], input="portal-Passw0rd\n",
                            cwd=workdir, capture_output=True, text=True, timeout=60,
                            env={k: v for k, v in os.environ.items()
                                 if not k.startswith("ARBRIDGE_")})
    token = result.stdout.strip()
    assert result.returncode == 0 and "portal-Passw0rd" not in result.stdout
    assert SecretBox.load(workdir / "var").decrypt(token, setting="t") == "portal-Passw0rd"


def _one_upload_in_review(workdir):  # type: ignore[no-untyped-def]
    """The store of ``workdir`` with one upload (billing document 0090000001) in review."""
    from datetime import date, datetime, timezone
    from decimal import Decimal

    from config.settings import load_settings
    from sync.mirror.writes import BILLING_DOCUMENTS, CUSTOMERS
    from sync.store import open_store
    from sync.uploads import queue as uploads
    from sync.upsert import upsert

    now = datetime.now(timezone.utc)
    store = open_store(load_settings(home=workdir / "var"), create=True)
    with store.engine.begin() as conn:
        upsert(conn, CUSTOMERS.table, [{
            "company_code": "1000", "number": "0000000001", "name": "Client", "vat_number": None,
            "payment_terms": None, "email": None, "phone": None, "city": None, "country": "ZA",
            "customer_group": None, "portal": "demo-coupa", "synced_at": now}], CUSTOMERS.keys)
        upsert(conn, BILLING_DOCUMENTS.table, [{
            "number": "0090000001", "doc_type": "F2", "company_code": "1000",
            "sold_to": "0000000001", "payer": "0000000001", "billing_date": date.today(),
            "net": Decimal("1"), "tax": Decimal("0"), "gross": Decimal("1"), "currency": "ZAR",
            "customer_po": "PO1", "accounting_document": None, "fiscal_year": 2026,
            "cancelled": False, "changed_at": now, "synced_at": now}], BILLING_DOCUMENTS.keys)
        uploads.enqueue(conn, now=now, portals=["demo-coupa"])
        uploads.route_queued(conn, now=now, review_portals={"demo-coupa"})
    return store


def test_approve_moves_an_upload_from_review_to_ready_and_audits_who(workdir):
    from sqlalchemy import select

    from sync.audit_models import AuditEventRow
    from sync.uploads import queue as uploads

    store = _one_upload_in_review(workdir)
    refused = arbridge(workdir, "portals", "retry", "90000001")
    assert refused.returncode != 0 and "only failed or held or rejected" in refused.stderr
    approved = arbridge(workdir, "portals", "approve", "90000001")
    assert approved.returncode == 0, approved.stderr
    with store.engine.connect() as conn:
        assert uploads.by_state(conn)[0].state == "ready"
        actors = conn.execute(select(AuditEventRow.actor).where(
            AuditEventRow.action == "upload ready")).scalars().all()
    assert actors and actors[-1] != "arbridge"


def test_approve_and_retry_leave_an_upload_a_worker_holds_alone(workdir):
    """As in the web app: a person's action waits until the upload run lets go of it."""
    from datetime import datetime, timedelta, timezone

    from sync.uploads import queue as uploads
    from sync.uploads.claims import UPLOAD
    from sync.work import claims

    store = _one_upload_in_review(workdir)
    now = datetime.now(timezone.utc)
    with store.engine.begin() as conn:
        [upload] = uploads.by_state(conn)
        held = claims.take(conn, UPLOAD, str(upload.id), claims.Owner.here(), now=now,
                           lease=timedelta(minutes=5))
    approved = arbridge(workdir, "portals", "approve", "90000001")
    assert approved.returncode == 1
    [line] = approved.stderr.strip().splitlines()
    assert "0090000001 is being worked on by an upload run right now" in line
    with store.engine.begin() as conn:
        uploads.transition(conn, upload.id, "held", now=now, reason="PO exhausted",
                           actor="test", next_attempt_at=None)
    retried = arbridge(workdir, "portals", "retry", "--state", "held")
    assert retried.returncode == 1
    assert "0 held uploads -> ready" in retried.stdout
    assert "being worked on by an upload run" in retried.stderr
    with store.engine.begin() as conn:
        assert uploads.get(conn, upload.id).state == "held"
        claims.release(conn, held, now=now)
    assert arbridge(workdir, "portals", "retry", "90000001").returncode == 0
    with store.engine.connect() as conn:
        assert uploads.get(conn, upload.id).state == "ready"
