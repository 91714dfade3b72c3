"""Logs and metrics of the long-running processes: JSON lines with the job's ids and masked
personal data and secrets; Prometheus counters and queue depth on the metrics port."""

from __future__ import annotations

import io
import json
import logging
import socket
import urllib.request
from collections import Counter

from dramatiq.brokers.stub import StubBroker
from prometheus_client import REGISTRY

from config.settings import load_settings
from connectors.pull import PortalRules, pull
from sap.rfc.client import RfcSapClient
from sync.store import open_store
from workers import actors, logs, metrics
from workers.broker import queue_names, use_broker


def test_log_lines_are_json_with_job_ids_and_nothing_personal_or_secret(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    logs.configure(verbose=True, as_json=True)
    token = logs.job_context(job="portal_upload", message_id="m-1", portal="demo-coupa")
    try:
        logging.getLogger("arbridge.test").info(
            "upload 0090000001 for thandi.nkosi@karoo.co.za via postgresql://ar:S3cret@db/ar "
            "password=hunter2")
    finally:
        logs.JOB.reset(token)
        logging.getLogger().handlers.clear()
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert line["job"] == "portal_upload" and line["message_id"] == "m-1"
    assert line["portal"] == "demo-coupa" and line["level"] == "INFO"
    assert "0090000001" in line["message"]
    for secret in ("thandi.nkosi", "S3cret", "hunter2"):
        assert secret not in line["message"]


def test_metrics_port_serves_job_upload_and_queue_counts():
    broker = use_broker(StubBroker(), record=False)
    actors.portal_upload.send(home="/nowhere")  # waits in the queue: depth 1
    metrics.job_finished("portal_upload", "failed", 3.0)
    metrics.upload_outcome("demo-coupa", "0090000001", "submitted")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    metrics.serve(port, broker, queue_names().values())
    page = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    assert 'arbridge_jobs_total{actor="portal_upload",outcome="failed"}' in page
    assert 'arbridge_uploads_total{outcome="submitted",portal="demo-coupa"}' in page
    assert f'arbridge_queue_depth{{queue="{queue_names()["browser"]}"}} 1.0' in page


def _sap_calls(function: str, outcome: str = "ok") -> float:
    return REGISTRY.get_sample_value("arbridge_sap_call_seconds_count", {
        "adapter": "rfc", "function": function, "outcome": outcome}) or 0.0


def test_every_sap_call_of_a_pull_is_in_the_latency_histogram(simulator, tmp_path):
    """Each remote call the pull makes, counted by the SAP side, is one observation of
    ``arbridge_sap_call_seconds`` under its function; a call that fails counts as an error."""
    made: Counter[str] = Counter()

    def counting_connect(**params):  # type: ignore[no-untyped-def]
        connection = simulator.connect(**params)
        call = connection.call

        def counted(func_name, options=None, **kwargs):  # type: ignore[no-untyped-def]
            made[func_name] += 1
            return call(func_name, options, **kwargs)
        connection.call = counted
        return connection

    store = open_store(load_settings(home=tmp_path), create=True)
    client = RfcSapClient(factory=counting_connect, params={"user": "ARBRIDGE"}, page_size=50,
                          timeout_seconds=2, today=simulator.today)
    before = {f: _sap_calls(f) for f in ("RFC_READ_TABLE", "BAPI_AR_ACC_GETOPENITEMS")}
    pull(store, client, source="simulator", company_codes=["1000"],
         rules=PortalRules(groups={}, bindings={}))
    assert made["RFC_READ_TABLE"] > 10 and made["BAPI_AR_ACC_GETOPENITEMS"] > 0
    for function, was in before.items():
        assert _sap_calls(function) - was == made[function]
    simulator.faults.fail_next(1, "RFC_PING")
    errors = _sap_calls("RFC_PING", "error")
    client.ping()  # retried by the adapter: one failed call, one that answered
    assert _sap_calls("RFC_PING", "error") == errors + 1
    page = urllib.request.urlopen(f"http://127.0.0.1:{_serve()}/metrics",
                                  timeout=10).read().decode()
    assert 'arbridge_sap_call_seconds_bucket{adapter="rfc",function="RFC_READ_TABLE"' in page
    client.close()


def _serve() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    metrics.serve(port)
    return port
