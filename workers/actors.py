"""The jobs, as dramatiq actors. Thin: each calls one connector or runner.

Two retry loops (see CONVENTIONS): tenacity inside one remote call; dramatiq around the job,
for technical failures only (``throws`` lists what goes to a person instead). Messages carry
small JSON values, never objects.
"""

from __future__ import annotations

import logging

import dramatiq
from dramatiq.brokers.stub import StubBroker

from config.errors import BusinessError, ConfigError, InputError
from config.settings import load_settings

log = logging.getLogger(__name__)

dramatiq.set_broker(StubBroker())  # replaced by workers.broker.use_broker at start-up

NOT_RETRIED = (BusinessError, ConfigError, InputError)
JOB_RETRIES = 5
MIN_BACKOFF_MS = 30_000
MAX_BACKOFF_MS = 30 * 60_000


def _settings(home: str | None):  # type: ignore[no-untyped-def]
    return load_settings(home=home) if home else load_settings()


@dramatiq.actor(queue_name="sap", max_retries=JOB_RETRIES, min_backoff=MIN_BACKOFF_MS,
                max_backoff=MAX_BACKOFF_MS, throws=NOT_RETRIED)
def sap_pull(full: bool = False, home: str | None = None) -> dict:
    """Pull customers, billing documents and open items from SAP."""
    from workers.cli.sap import run_pull

    result = run_pull(_settings(home), full=full, show_progress=False)
    log.info("sap_pull done: %s", result.as_dict()["entities"])
    return result.as_dict()


@dramatiq.actor(queue_name="portals", max_retries=JOB_RETRIES, min_backoff=MIN_BACKOFF_MS,
                max_backoff=MAX_BACKOFF_MS, throws=NOT_RETRIED)
def portal_upload(portal: str | None = None, home: str | None = None) -> dict:
    """Queue new invoices and upload every ready one to its portal."""
    from workers.uploads import run_uploads

    summary = run_uploads(_settings(home), portal=portal)
    return summary.as_dict()


ACTORS = [sap_pull, portal_upload]
