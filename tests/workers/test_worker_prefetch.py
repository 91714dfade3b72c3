"""A browser worker holds no more portal runs than it has threads: a second run waiting in a
busy worker's prefetch buffer is a run an idle worker on another host could be doing."""

from __future__ import annotations

from workers.broker import make_broker, queue_names, use_broker
from workers.cli.worker import start_workers


def test_browser_workers_prefetch_one_message_per_thread():
    broker = use_broker(make_broker("stub"), record=False)
    workers = start_workers(broker, None, threads=4, browser_threads=2)
    try:
        browser = next(w for w in workers if w.consumer_whitelist == {queue_names()["browser"]})
        sap = next(w for w in workers if w is not browser)
        assert browser.queue_prefetch == 2
        assert sap.queue_prefetch == 8  # SAP work is light: dramatiq's default
    finally:
        for worker in workers:
            worker.stop()
        broker.close()
