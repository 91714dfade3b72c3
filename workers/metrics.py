"""Prometheus metrics of a worker (prometheus-client), served on ``--metrics-port``.

Jobs run, failed and retried; uploads by outcome; claims taken over (a worker died or froze
holding work); queue depth per queue; portal upload latency; SAP call latency by adapter and
function (every RFC function module and OData entity set call, as ``sap.call_timing`` reports
it — listened to from the moment this module is imported).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from prometheus_client import REGISTRY, Counter, Gauge, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from sap import call_timing

log = logging.getLogger(__name__)

JOBS = Counter("arbridge_jobs_total", "Job runs by actor and outcome (done, retry, failed)",
               ["actor", "outcome"])
JOBS_RUNNING = Gauge("arbridge_jobs_running", "Job runs in progress", ["actor"])
JOB_SECONDS = Histogram("arbridge_job_seconds", "Duration of one job run", ["actor"],
                        buckets=(1, 5, 15, 60, 300, 900, 1800, 3600, float("inf")))
UPLOADS = Counter("arbridge_uploads_total", "Portal uploads by outcome",
                  ["portal", "outcome"])
UPLOAD_SECONDS = Histogram("arbridge_portal_upload_seconds",
                           "One invoice upload on a portal (lookup, form, submit, evidence)",
                           ["portal"], buckets=(0.5, 1, 2, 4, 8, 15, 30, 60, float("inf")))
SAP_CALL_SECONDS = Histogram("arbridge_sap_call_seconds",
                             "One remote call to SAP (RFC function module or OData request), "
                             "each retry on its own; outcome error: the call raised",
                             ["adapter", "function", "outcome"],
                             buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60,
                                      float("inf")))
CLAIMS_TAKEN_OVER = Counter("arbridge_claims_taken_over_total",
                            "Claims taken over after their owner's lease ran out", ["kind"])


def job_started(actor: str) -> None:
    JOBS_RUNNING.labels(actor).inc()


def job_finished(actor: str, outcome: str, seconds: float) -> None:
    JOBS_RUNNING.labels(actor).dec()
    JOBS.labels(actor, outcome).inc()
    JOB_SECONDS.labels(actor).observe(seconds)


def upload_outcome(portal: str, _document: str, outcome: str) -> None:
    UPLOADS.labels(portal, outcome).inc()


def upload_seconds(portal: str, seconds: float) -> None:
    UPLOAD_SECONDS.labels(portal).observe(seconds)


def counting_uploads(on_upload: Callable[[str, str, str], None] | None = None
                     ) -> Callable[[str, str, str], None]:
    """An upload run's ``on_upload`` that counts each outcome, then calls ``on_upload``."""
    def counted(portal: str, document: str, outcome: str) -> None:
        upload_outcome(portal, document, outcome)
        if on_upload:
            on_upload(portal, document, outcome)

    return counted


def sap_call(adapter: str, function: str, seconds: float, outcome: str) -> None:
    SAP_CALL_SECONDS.labels(adapter, function, outcome).observe(seconds)


call_timing.listen(sap_call)


def claim_taken_over(kind: str) -> None:
    CLAIMS_TAKEN_OVER.labels(kind).inc()


class QueueDepth(Collector):
    """Messages waiting per queue, read from the broker when Prometheus scrapes."""

    def __init__(self, depth: Callable[[], dict[str, int]]) -> None:
        self.depth = depth

    def collect(self) -> Iterable[GaugeMetricFamily]:
        family = GaugeMetricFamily("arbridge_queue_depth", "Messages waiting in a queue",
                                   labels=["queue"])
        try:
            for queue, count in self.depth().items():
                family.add_metric([queue], count)
        except Exception as error:  # noqa: BLE001 - a scrape must not fail on the broker
            log.warning("queue depth unavailable: %s", error)
        yield family


def queue_depth(broker: object, queues: Iterable[str]) -> dict[str, int]:
    """Waiting messages per queue on Redis or RabbitMQ (the stub broker: in memory)."""
    names = list(queues)
    kind = type(broker).__name__
    if kind == "RedisBroker":
        client, namespace = broker.client, broker.namespace  # type: ignore[attr-defined]
        return {q: int(client.llen(f"{namespace}:{q}")) for q in names}
    if kind == "RabbitmqBroker":
        return {q: int(broker.get_queue_message_counts(q)[0])  # type: ignore[attr-defined]
                for q in names}
    return {q: broker.queues[q].qsize() for q in names  # type: ignore[attr-defined]
            if q in broker.queues}  # type: ignore[attr-defined]


def serve(port: int, broker: object | None = None, queues: Iterable[str] = ()) -> None:
    """Expose the metrics on ``port`` (all interfaces), with queue depth if a broker is given."""
    if broker is not None:
        names = list(queues)
        REGISTRY.register(QueueDepth(lambda: queue_depth(broker, names)))
    start_http_server(port)
    log.info("metrics on port %d", port)
