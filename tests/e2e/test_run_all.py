"""``arbridge run --once``: the embedded all-in-one (in-process broker, SQLite) pulls from
the SAP simulator and uploads to the demo portal, and records both job runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from config.secrets import SecretBox
from config.settings import load_settings
from portals.demo.seed import demo_accounts
from sap.simulator import SapSimulator
from sync.store import open_store
from sync.uploads import queue as uploads
from sync.uploads.states import ON_PORTAL
from sync.work import job_runs

ARBRIDGE = str(Path(sys.executable).parent / "arbridge")


def test_run_once_pulls_then_uploads_and_records_both_jobs(tmp_path, server):
    home = tmp_path / "home"
    settings = load_settings(home=home)
    SapSimulator(settings.simulator_path).seed(customers=30, documents=200)
    accounts = {name: account.model_dump() for name, account in
                demo_accounts(server.url, SecretBox.load(home)).items()}
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARBRIDGE_")}
    env.update(ARBRIDGE_HOME=str(home), ARBRIDGE_PORTALS=json.dumps(accounts),
               ARBRIDGE_PORTAL_UPLOAD_LOOKBACK_DAYS="30")  # some invoices of bound customers
    init = subprocess.run([ARBRIDGE, "init"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)
    assert init.returncode == 0, init.stderr
    done = subprocess.run([ARBRIDGE, "run", "--once"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    store = open_store(settings)
    with store.engine.connect() as conn:
        runs = job_runs.recent(conn)
        states = {u.state for u in uploads.by_state(conn)}
    assert [(r["actor"], r["outcome"]) for r in runs] == [("portal_upload", "done"),
                                                          ("sap_pull", "done")]
    assert store.counts()["billing_documents"] == 200
    assert states and states <= ON_PORTAL | {"held"}
    listed = subprocess.run([ARBRIDGE, "jobs", "list", "--json"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert [(r["actor"], r["outcome"]) for r in json.loads(listed.stdout)] == [
        ("portal_upload", "done"), ("sap_pull", "done")]
    first_line = done.stderr.splitlines()[0]
    assert json.loads(first_line)["level"] in ("INFO", "WARNING")  # JSON logs on a pipe
