"""The portal_upload job on dramatiq (in-process broker, real Chromium and demo portal): the
run is recorded, an unreachable portal is retried and ends as a visible failed job with its
error, a refused login is not retried, and no Results-middleware warning is logged."""

from __future__ import annotations

import json
import logging
import socket

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker

from config.secrets import SecretBox
from portals.demo.seed import demo_accounts
from sync.work import job_runs
from workers import actors
from workers.broker import use_broker


@pytest.fixture
def broker():
    made = use_broker(StubBroker())
    made.emit_after("process_boot")
    yield made
    made.close()


def configure(world, monkeypatch, url: str, password: str | None = None) -> None:  # type: ignore[no-untyped-def]
    box = SecretBox.load(world.settings.home)
    account = demo_accounts(url, box)[world.portal].model_dump()
    account["timeout_seconds"] = 5
    if password:
        account["password_encrypted"] = box.encrypt(password)
    monkeypatch.setenv("ARBRIDGE_PORTALS", json.dumps({world.portal: account}))
    monkeypatch.setenv("ARBRIDGE_PORTAL_BINDINGS", "{}")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free now: nothing listens there


def run_jobs(broker) -> None:  # type: ignore[no-untyped-def]
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=100)
    worker.start()
    try:
        broker.join(actors.portal_upload.queue_name, timeout=120_000, fail_fast=False)
    finally:
        worker.stop()


def recorded(world) -> list[dict]:  # type: ignore[no-untyped-def]
    with world.store.engine.connect() as conn:
        return job_runs.recent(conn)


def test_upload_job_puts_the_invoice_on_the_portal_and_is_recorded(coupa, broker, monkeypatch,
                                                                   caplog):
    configure(coupa, monkeypatch, coupa.server.url)
    coupa.add_po("4500000001", "50000.00")
    document = coupa.add_invoice(90000301, "4500000001")
    caplog.set_level(logging.WARNING)
    actors.portal_upload.send(home=str(coupa.settings.home))
    run_jobs(broker)
    assert coupa.upload(document).state == "submitted"
    [run] = recorded(coupa)
    assert run["actor"] == "portal_upload" and run["outcome"] == "done"
    assert run["seconds"] is not None and run["error"] is None
    assert "Results middleware" not in caplog.text


def test_unreachable_portal_is_retried_then_left_as_a_visible_failed_job(coupa, broker,
                                                                        monkeypatch):
    configure(coupa, monkeypatch, f"http://127.0.0.1:{closed_port()}")
    coupa.add_po("4500000001", "50000.00")
    document = coupa.add_invoice(90000302, "4500000001")
    actors.portal_upload.send_with_options(kwargs={"home": str(coupa.settings.home)},
                                           max_retries=1, min_backoff=50, max_backoff=50)
    run_jobs(broker)
    runs = recorded(coupa)
    assert [r["outcome"] for r in runs] == ["failed", "retry"]
    assert "PortalUnavailable" in runs[0]["error"] and "demo-coupa" in runs[0]["error"]
    assert coupa.upload(document).state == "ready"  # kept for the next run, not lost


def test_refused_login_fails_the_job_without_retries(coupa, broker, monkeypatch):
    configure(coupa, monkeypatch, coupa.server.url, password="wrong-password")
    coupa.add_po("4500000001", "50000.00")
    coupa.add_invoice(90000303, "4500000001")
    actors.portal_upload.send(home=str(coupa.settings.home))
    run_jobs(broker)
    [run] = recorded(coupa)
    assert run["outcome"] == "failed" and "PortalLoginFailed" in run["error"]
