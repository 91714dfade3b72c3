"""The jobs through real brokers: Redis and RabbitMQ (both on 127.0.0.1). A worker consumes a
SAP pull message and the store fills. Each test's queues carry a prefix of their own, so tests
running in parallel (pytest-xdist, or another checkout's suite on the same services) never
take each other's messages."""

from __future__ import annotations

import os
import uuid

import dramatiq
import pytest

from sap.simulator import SapSimulator
from tests.conftest import service_unavailable
from workers import actors
from workers.broker import make_broker, queue_names, use_broker

BROKERS = {
    "redis": os.environ.get("ARBRIDGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
    "rabbitmq": os.environ.get("ARBRIDGE_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"),
}


@pytest.fixture(params=sorted(BROKERS))
def broker(request, monkeypatch):
    url = BROKERS[request.param]
    monkeypatch.setenv("ARBRIDGE_QUEUE_PREFIX", f"test-{uuid.uuid4().hex[:12]}-")
    try:
        made = make_broker(url)
        if request.param == "redis":
            made.client.ping()
            made.namespace = f"arbridge-test-{uuid.uuid4().hex[:8]}"
        else:
            made.connection  # noqa: B018 - opens the AMQP connection now
    except Exception as exc:  # noqa: BLE001 - any failure means the service is down
        service_unavailable(f"{request.param} at {url}", exc)
    use_broker(made)
    for queue in queue_names().values():
        made.declare_queue(queue)
        made.flush(queue)
    yield made
    made.flush_all()
    if request.param == "rabbitmq":  # RabbitMQ keeps declared queues: leave none behind
        for queue in list(made.queues):
            for name in (queue, f"{queue}.DQ", f"{queue}.XQ"):
                made.channel.queue_delete(name)
    made.close()


def test_worker_runs_a_sap_pull_sent_through_the_broker(broker, tmp_path):
    from config.settings import load_settings
    from sync.store import open_store

    SapSimulator(tmp_path / "sap-simulator.db").seed(customers=10, documents=40)
    open_store(load_settings(home=tmp_path), create=True).engine.dispose()  # arbridge init
    actors.sap_pull.send(home=str(tmp_path))
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=100)
    worker.start()
    try:
        broker.join(queue_names()["sap"], timeout=60_000)
    finally:
        worker.stop()
    counts = open_store(load_settings(home=tmp_path)).counts()
    assert counts["customers"] == 10 and counts["billing_documents"] == 40
