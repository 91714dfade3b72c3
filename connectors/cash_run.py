"""One cash-application run: match open receipts, post approved allocations, run pending
journals. Used by ``arbridge allocate`` and the demo."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from config.settings import Settings
from connectors.cash import allocate
from connectors.journals import run_journals
from connectors.posting import post_allocations
from sap.client import SapClient
from sync.store import Store


def run_cash(settings: Settings, store: Store, client: SapClient | None,
             now: datetime | None = None) -> dict[str, Any]:
    given, now = now, now or datetime.now(timezone.utc)
    matched = allocate(store, settings.cash.policy, now=now)
    result: dict[str, Any] = {**matched, "posted": 0, "found": 0, "failed": 0, "deferred": 0,
                              "errors": [], "left": []}
    if client is None:
        return result
    summary = post_allocations(store, client, settings.cash, now=given)  # a moving clock
    result.update(posted=summary.posted, found=summary.found, failed=summary.failed,
                  deferred=summary.deferred, errors=summary.errors, left=summary.left)
    result["journals"] = run_journals(store, client, settings.cash, now=now)
    return result
