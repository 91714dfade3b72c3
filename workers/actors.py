"""The jobs, as dramatiq actors. Thin: each calls one use case (``connectors.pull_run``,
``portals.upload_jobs``), and carries ids and small JSON values only (a portal name, a home
folder), never objects or file bytes.

Queues per kind of work: ``sap`` (pulls, the daily collections run; later postings),
``browser`` (portal runs: each holds a Chromium, so its workers run few threads) and
``reports`` (statements and the management pack). A portal's ``concurrency`` is shared by
every worker through claims on its browser slots (``sync.uploads.claims``), on any broker.

Two retry loops (see CONVENTIONS): tenacity inside one remote call; dramatiq around the job,
for technical failures only — business, configuration and input errors go to a person and
are never retried (``throws``). A job that used up its retries stays visible as ``failed``
with its error in ``arbridge jobs list``.
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
QUEUES = {"sap_pull": "sap", "portal_upload": "browser", "collections_run": "sap",
          "report_statements": "reports", "report_pack": "reports"}


def _settings(home: str | None):  # type: ignore[no-untyped-def]
    return load_settings(home=home) if home else load_settings()


@dramatiq.actor(queue_name=QUEUES["sap_pull"], max_retries=JOB_RETRIES,
                min_backoff=MIN_BACKOFF_MS, max_backoff=MAX_BACKOFF_MS, throws=NOT_RETRIED)
def sap_pull(full: bool = False, home: str | None = None) -> None:
    """Pull customers, billing documents and open items from SAP."""
    from connectors.pull_run import run_pull

    result = run_pull(_settings(home), full=full)
    log.info("sap_pull done: %s", result.as_dict()["entities"])


@dramatiq.actor(queue_name=QUEUES["portal_upload"], max_retries=JOB_RETRIES,
                min_backoff=MIN_BACKOFF_MS, max_backoff=MAX_BACKOFF_MS, throws=NOT_RETRIED)
def portal_upload(portal: str | None = None, home: str | None = None) -> None:
    """Queue new invoices and upload every ready one to its portal (or to ``portal`` only).

    A portal that stopped the run makes the job fail after the other portals' uploads are
    kept: unreachable (retried by dramatiq later), login refused or page changed (not
    retried: a person must fix the account or the driver; the failed job shows why).
    """
    from portals.errors import PortalUnavailable
    from portals.upload_jobs import run_uploads
    from workers import metrics

    summary = run_uploads(_settings(home), portal=portal, on_upload=metrics.counting_uploads(),
                          on_timing=metrics.upload_seconds)
    log.info("portal_upload done: %s", summary.portals)
    if summary.failures:
        retriable = {n: e for n, e in summary.failures.items()
                     if isinstance(e, PortalUnavailable)}
        name, error = sorted((retriable or summary.failures).items())[0]
        raise type(error)(f"portal {name}: {error}")


@dramatiq.actor(queue_name=QUEUES["collections_run"], max_retries=JOB_RETRIES,
                min_backoff=MIN_BACKOFF_MS, max_backoff=MAX_BACKOFF_MS, throws=NOT_RETRIED)
def collections_run(home: str | None = None) -> None:
    """The daily collections run (``arbridge collections run``), claimed per day: a second
    message the same day, or a second worker, records and sends nothing twice."""
    from datetime import datetime, timezone

    from connectors.collections.run import run_today

    report = run_today(_settings(home), now=datetime.now(timezone.utc))
    log.info("collections_run %s: recorded %s, sent %s, held elsewhere %s", report.as_of,
             report.recorded, report.sent, report.held_by_another_run)


@dramatiq.actor(queue_name=QUEUES["report_statements"], max_retries=JOB_RETRIES,
                min_backoff=MIN_BACKOFF_MS, max_backoff=MAX_BACKOFF_MS, throws=NOT_RETRIED)
def report_statements(schedule: str = "daily", home: str | None = None) -> None:
    """Send the customer statements of ``schedule`` (daily: as at the ledger's today;
    monthly: as at the last month-end), each once per customer, schedule and period."""
    from datetime import datetime, timezone

    from connectors.reports.scheduled import scheduled_statements

    if schedule not in ("daily", "monthly"):
        raise InputError(f"statements schedule {schedule!r}: daily or monthly")
    result = scheduled_statements(_settings(home), schedule,  # type: ignore[arg-type]
                                  now=datetime.now(timezone.utc))
    log.info("report_statements done: %s", result.as_dict())


@dramatiq.actor(queue_name=QUEUES["report_pack"], max_retries=JOB_RETRIES,
                min_backoff=MIN_BACKOFF_MS, max_backoff=MAX_BACKOFF_MS, throws=NOT_RETRIED)
def report_pack(home: str | None = None) -> None:
    """E-mail last month's management pack to ``reports.pack_to``, once per month."""
    from datetime import datetime, timezone

    from connectors.reports.scheduled import mail_management_pack

    result = mail_management_pack(_settings(home), now=datetime.now(timezone.utc))
    log.info("report_pack done: %s", result.as_dict())
    if result.state == "failed":
        raise RuntimeError(f"management pack {result.month}: {result.detail}")


ACTORS = [sap_pull, portal_upload, collections_run, report_statements, report_pack]
