"""Kill the uploading worker at the worst moments; the next run must leave exactly one
invoice on the portal and none lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from config.secrets import SecretBox
from portals.demo.seed import DEMO_LOGIN, DEMO_PASSWORD, DEMO_TOTP_SECRET
from sync.audit_models import AuditEventRow
from sync.tables import table_of

ARBRIDGE = str(Path(sys.executable).parent / "arbridge")


def start_worker(world, workdir: Path) -> subprocess.Popen:
    box = SecretBox.load(world.settings.home)
    totp = (f'totp_secret_encrypted = "{box.encrypt(DEMO_TOTP_SECRET)}"\n'
            if world.portal == "demo-coupa" else "")
    flavour = "coupa" if world.portal == "demo-coupa" else "ariba"
    (workdir / "arbridge.toml").write_text(
        f'[portals.{world.portal}]\nkind = "{world.portal}"\n'
        f'url = "{world.server.url}/{flavour}"\nuser = "{DEMO_LOGIN}"\n'
        f'password_encrypted = "{box.encrypt(DEMO_PASSWORD)}"\n{totp}timeout_seconds = 60\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARBRIDGE_")}
    env["ARBRIDGE_HOME"] = str(world.settings.home)
    env["ARBRIDGE_CLAIM_LEASE_SECONDS"] = str(LEASE_SECONDS)
    return subprocess.Popen([ARBRIDGE, "portals", "upload"], cwd=workdir, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def kill(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGKILL)  # the worker and its browser, no clean-up
    worker.wait(timeout=10)


LEASE_SECONDS = 3  # the killed worker's lease on its upload


def taken_over(world) -> list[str]:  # type: ignore[no-untyped-def]
    table = table_of(AuditEventRow)
    with world.store.engine.connect() as conn:
        return list(conn.execute(select(table.c.entity_key).where(
            table.c.action == "claim taken over", table.c.entity == "claim:upload")).scalars())


def wait_for(condition, what: str, seconds: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_killed_after_the_portal_stored_the_invoice(world, tmp_path):
    world.add_po("4500000001", "50000.00")
    document = world.add_invoice(90000021, "4500000001")
    # stored, and the answer comes only after the worker is dead (not 60 s: the demo portal
    # would hold the test up to 10 s at its stop, waiting for that answer to be sent)
    world.state.set_fault("slow_submit_ms", 8_000)
    worker = start_worker(world, tmp_path)
    try:
        wait_for(lambda: world.state.invoice("90000021") is not None, "the portal to store it")
    finally:
        kill(worker)
    assert world.upload(document).state == "submitting"
    world.state.clear_faults()
    world.run()  # waits for the dead worker's lease to end, then takes its upload over
    assert taken_over(world) == [str(world.upload(document).id)]
    assert world.upload(document).state == "submitted"
    assert world.attempts(document)[-1]["outcome"] == "found"
    assert len(world.state.invoices()) == 1


def test_killed_before_the_portal_stored_the_invoice(coupa, tmp_path):
    """One kill while the form is being filled in serves two checks that each had a kill of
    their own: the attempt cut short is closed as interrupted and not counted against
    max_attempts (the recovery attempt meets a 500, and one real failure of two allowed
    leaves the upload ready), and a later run puts the invoice on the portal once."""
    coupa.add_po("4500000001", "50000.00")
    document = coupa.add_invoice(90000022, "4500000001")
    coupa.state.set_fault("slow_ms", 1500)
    worker = start_worker(coupa, tmp_path)

    def submitting() -> bool:
        found = coupa.find_upload(document)  # None until the worker queued it
        return found is not None and found.state == "submitting"
    try:
        wait_for(submitting, "the attempt to be recorded")
    finally:
        kill(worker)
    assert coupa.state.invoices() == []
    coupa.state.clear_faults()
    coupa.state.set_fault("fail_invoice_form", 1)  # the recovery attempt meets a 500
    coupa.run(max_attempts=2)
    upload = coupa.upload(document)
    assert upload.state == "ready", upload.reason  # one real failure of two allowed
    attempts = coupa.attempts(document)
    assert [a["outcome"] for a in attempts] == ["interrupted", "retry"]
    assert attempts[0]["finished_at"] is not None
    assert "did not have the invoice (not counted" in attempts[0]["detail"]
    coupa.run(clock=lambda: datetime.now(timezone.utc) + timedelta(hours=1),  # past backoff
              max_attempts=2)
    assert coupa.upload(document).state == "submitted"
    assert [a["outcome"] for a in coupa.attempts(document)] == ["interrupted", "retry",
                                                                "submitted"]
    assert len(coupa.state.invoices()) == 1
