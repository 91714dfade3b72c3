"""The schedule: cron expressions from settings (``schedule``: job → cron) on APScheduler.

It only enqueues. A missed tick (the scheduler was down) is run once when it comes back
within the grace time, several missed ticks are coalesced into one, and a doubled tick (two
schedulers by mistake) does no harm: pulls are incremental and uploads are claimed.

Why APScheduler: a mature, widely used library with real cron triggers (time zone aware),
coalescing and misfire grace built in, and no tie to the broker; periodiq and
dramatiq-crontab are smaller projects, the latter bound to Redis.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from config.errors import ConfigError

log = logging.getLogger(__name__)
MISFIRE_GRACE_SECONDS = 15 * 60


def senders() -> dict[str, Callable[[], Any]]:
    """Job name (as in ``schedule`` and ``arbridge jobs send``) → what enqueues it."""
    from workers import actors

    return {"sap-pull": actors.sap_pull.send, "portal-upload": actors.portal_upload.send,
            "collections-run": actors.collections_run.send,
            "statements-daily": lambda: actors.report_statements.send("daily"),
            "statements-monthly": lambda: actors.report_statements.send("monthly"),
            "management-pack": actors.report_pack.send}


def triggers(schedule: dict[str, str], timezone: str | None = None) -> dict[str, CronTrigger]:
    """Parse the schedule; an unknown job or a bad cron expression is a configuration error
    naming the entry. An empty expression switches the job off."""
    known = senders()
    parsed: dict[str, CronTrigger] = {}
    for job, expression in schedule.items():
        if not expression.strip():
            continue
        if job not in known:
            log.warning("schedule: no job %r here yet (known: %s); skipped", job,
                        ", ".join(sorted(known)))
            continue
        try:
            parsed[job] = CronTrigger.from_crontab(expression, timezone=timezone)
        except ValueError as error:
            raise ConfigError(f"ARBRIDGE_SCHEDULE: {job} = {expression!r} is not a cron "
                              f"expression (minute hour day month weekday): {error}") from None
    return parsed


def _enqueue(job: str) -> None:
    message = senders()[job]()
    log.info("scheduled %s enqueued (%s)", job, message.message_id)


def install(scheduler: BaseScheduler, schedule: dict[str, str],
            timezone: str | None = None) -> list[str]:
    """Add one enqueue-only job per schedule entry; returns the job names scheduled."""
    for job, trigger in triggers(schedule, timezone).items():
        scheduler.add_job(_enqueue, trigger, args=[job], id=job, name=job,
                          coalesce=True, max_instances=1,
                          misfire_grace_time=MISFIRE_GRACE_SECONDS, replace_existing=True)
    return [j.id for j in scheduler.get_jobs()]
