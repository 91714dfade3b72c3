"""Crash tests on the real brokers: three worker processes (Redis, then RabbitMQ) upload
invoices to the demo portal, which accepts duplicate invoice numbers, against PostgreSQL;
workers are killed with SIGKILL and restarted. Every invoice must be on the portal exactly
once, every upload must end in a final state, and every job sent must end done: none lost.

The kills are aimed rather than random: each waits for a worker holding an upload claim
mid-submission, once when the portal has already stored the invoice but not answered (the
take-over must find it there and not send it again) and once when the portal has not stored
it yet (the take-over must send it). Random kills every 2 to 7 s needed four kills and 200
invoices to be likely to land in those two places; aimed, two kills always do, and 30 invoices
keep all three workers busy through both kills and the take-overs (a larger
``ARBRIDGE_TEST_CRASH_INVOICES`` makes it a longer soak)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config.secrets import SecretBox
from config.settings import load_settings
from portals.demo.seed import DEMO_LOGIN, DEMO_PASSWORD, DEMO_TOTP_SECRET
from sync.audit_models import AuditEventRow
from sync.store import open_store
from sync.tables import table_of
from sync.uploads import queue as uploads
from sync.uploads.states import ON_PORTAL
from sync.work import claims, job_runs
from tests.conftest import service_unavailable
from tests.e2e.conftest import make_world
from tests.e2e.test_overlapping_runs import _bind_customer
from tests.integration.test_brokers import BROKERS
from workers import actors
from workers.broker import make_broker, use_broker

ARBRIDGE = str(Path(sys.executable).parent / "arbridge")
INVOICES = int(os.environ.get("ARBRIDGE_TEST_CRASH_INVOICES", "30"))
WORKERS = 3
# (portal fault held while aiming, its milliseconds, whether the portal has the invoice)
AIMS = (("slow_submit_ms", 5000, True),  # stored, the answer 5 s late
        ("slow_ms", 3000, False))          # every page slow: the form is being filled in
KILLS = len(AIMS)
LEASE_SECONDS = 4
FINAL = ON_PORTAL | {"held", "failed"}


@pytest.fixture(params=sorted(BROKERS))
def broker_url(request, monkeypatch):
    url = BROKERS[request.param]
    prefix = f"crash-{uuid.uuid4().hex[:8]}-"
    monkeypatch.setenv("ARBRIDGE_QUEUE_PREFIX", prefix)
    try:
        broker = make_broker(url)
        if request.param == "redis":
            broker.client.ping()
        else:
            broker.connection  # noqa: B018 - opens the AMQP connection now
    except Exception as exc:  # noqa: BLE001 - any failure means the service is down
        service_unavailable(f"{request.param} at {url}", exc)
    use_broker(broker, record=False)
    queues = list(broker.queues)
    broker.close()
    yield url
    cleaner = make_broker(url)  # a fresh connection: the test's may have idled out
    for queue in queues:
        if request.param == "rabbitmq":
            for name in (queue, f"{queue}.DQ", f"{queue}.XQ"):
                cleaner.channel.queue_delete(name)
        else:
            cleaner.declare_queue(queue)
            cleaner.flush(queue)
    cleaner.close()


def _config(world, workdir: Path) -> None:  # type: ignore[no-untyped-def]
    box = SecretBox.load(world.settings.home)
    (workdir / "arbridge.toml").write_text(
        f'[portals.demo-coupa]\nkind = "demo-coupa"\nurl = "{world.server.url}/coupa"\n'
        f'user = "{DEMO_LOGIN}"\npassword_encrypted = "{box.encrypt(DEMO_PASSWORD)}"\n'
        f'totp_secret_encrypted = "{box.encrypt(DEMO_TOTP_SECRET)}"\n'
        f'concurrency = {WORKERS}\ntimeout_seconds = 60\n'
        # only retries and take-overs are looked up: the claims alone must keep it exact
        'lookup_new_invoices = false\n'
        # the kills here are deploys, not a poisonous invoice: two kills may land on one
        # upload (it is taken over, then killed again), which would set it aside for a person
        f'crashes_before_set_aside = {KILLS + 1}\n')


def _worker(workdir: Path, env: dict[str, str], n: int) -> subprocess.Popen:
    log = open(workdir / f"worker-{n}.log", "ab")  # noqa: SIM115 - the child owns it
    return subprocess.Popen([ARBRIDGE, "jobs", "worker", "--queues", "browser",
                             "--browser-threads", "1"], cwd=workdir, env=env,
                            stdout=log, stderr=log, start_new_session=True)


def _aimed_victim(world, workers: list[subprocess.Popen], stored: bool,  # type: ignore[no-untyped-def]
                  within_s: float = 120) -> tuple[int, str]:
    """The worker holding an upload claim in ``submitting`` right now, on an invoice the
    portal has (``stored``) or has not yet stored; and that invoice."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        with world.store.engine.connect() as conn:
            held = claims.holders(conn, "upload", now=datetime.now(timezone.utc))
            submitting = {str(u.id): u.billing_document
                          for u in uploads.by_state(conn, "submitting")}
        pids = {w.pid: n for n, w in enumerate(workers)}
        for key, owner in held.items():
            pid = int(owner.split("/")[1])
            document = submitting.get(key)
            if pid in pids and document and (
                    world.state.invoice(str(int(document))) is not None) == stored:
                return pids[pid], document
        time.sleep(0.05)
    pytest.fail(f"no worker was submitting an invoice the portal had{'' if stored else ' not'}"
                " stored")


def _states(store) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        return {s: n for s, n in uploads.counts(conn).items() if n}


def _done_messages(store) -> set[str]:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        return {r["message_id"] for r in job_runs.recent(conn, limit=1000, outcome="done")}


def test_killed_workers_leave_every_invoice_on_the_portal_exactly_once(
        broker_url, tmp_path, server, postgres_url):
    world = make_world(tmp_path, server, "demo-coupa")
    world.settings = load_settings(home=tmp_path / "home", database_url=postgres_url)
    world.store = open_store(world.settings, create=True)
    _bind_customer(world)
    world.add_po("4500000001", "99000000.00")
    world.state.set_fault("accept_duplicates", 1)
    for n in range(INVOICES):
        world.add_invoice(91000000 + n, "4500000001", net="100.00")
    _config(world, tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARBRIDGE_")}
    env.update(ARBRIDGE_HOME=str(world.settings.home), ARBRIDGE_BROKER_URL=broker_url,
               ARBRIDGE_DATABASE_URL=postgres_url,
               ARBRIDGE_QUEUE_PREFIX=os.environ["ARBRIDGE_QUEUE_PREFIX"],
               ARBRIDGE_CLAIM_LEASE_SECONDS=str(LEASE_SECONDS),
               ARBRIDGE_BROKER_HEARTBEAT_SECONDS="3",
               ARBRIDGE_PORTAL_CONTEXTS_PER_RUN="1")  # each worker works: kills hit work
    home = str(world.settings.home)
    sender = use_broker(make_broker(broker_url), record=False)
    sent = {actors.portal_upload.send(home=home).message_id for _ in range(WORKERS)}
    sender.close()
    workers = [_worker(tmp_path, env, n) for n in range(WORKERS)]
    kills = 0
    aimed_at: dict[bool, str] = {}
    deadline = time.monotonic() + 600
    try:
        for fault, milliseconds, stored in AIMS:
            world.state.set_fault(fault, milliseconds)
            victim, document = _aimed_victim(world, workers, stored)
            aimed_at[stored] = document
            os.killpg(workers[victim].pid, signal.SIGKILL)  # the worker and its Chromium
            workers[victim].wait(timeout=10)
            world.state.set_fault(fault, 0)  # the other faults stay: duplicates accepted
            kills += 1
            workers[victim] = _worker(tmp_path, env, victim)
        while time.monotonic() < deadline:
            if sent <= _done_messages(world.store):
                break
            time.sleep(1)
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
    copies = world.state.copies()
    assert len(copies) == INVOICES
    assert [n for n, c in copies.items() if c != 1] == []
    states = _states(world.store)
    assert set(states) <= FINAL, states
    assert states.get("submitted") == INVOICES
    assert sent <= _done_messages(world.store), "a job was lost"
    table = table_of(AuditEventRow)
    with world.store.engine.connect() as conn:
        takeovers = conn.execute(select(func.count()).where(
            table.c.action == "claim taken over")).scalar()
    assert kills == KILLS and takeovers >= KILLS
    with world.store.engine.connect() as conn:
        found = uploads.attempts_of(conn, uploads.by_document(conn, aimed_at[True]).id)
    assert "found" in [a["outcome"] for a in found], found  # looked up, not sent again
