"""Upload runs as the command line, the jobs and the demo start them: settings → accounts,
PDF source and runner (``portals.upload_run``), then the PO follow-up
(``portals.po_actions.after_run``). Metrics are the caller's callbacks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from config.portals import PortalSettings
from config.settings import Settings
from portals.configured import portal_settings
from sync.store import Store, open_store

if TYPE_CHECKING:  # Playwright and cryptography load only when uploads run (start-up time)
    from portals.upload_run import RunSummary, UploadRunner


def make_runner(settings: Settings, store: Store, portals: dict[str, PortalSettings],
                on_upload: Any = None, *,
                on_timing: Callable[[str, float], None] | None = None) -> UploadRunner:
    from config.secrets import SecretBox
    from connectors.pdfs import pdf_source
    from portals.accounts import resolve
    from portals.breaker import LayoutBreaker
    from portals.po_actions import po_hook
    from portals.upload_run import UploadRunner

    accounts = resolve(portals, SecretBox.load(settings.home))
    billed_from = None
    if settings.portal_upload_lookback_days is not None:
        billed_from = date.today() - timedelta(days=settings.portal_upload_lookback_days)
    review = {name for name, p in portals.items() if p.review_required}
    return UploadRunner(store=store, accounts=accounts, browser=settings.browser,
                        pdfs=pdf_source(settings), evidence_root=settings.evidence_path,
                        session_root=settings.home / "sessions", billed_from=billed_from,
                        on_upload=on_upload,
                        lease=timedelta(seconds=settings.claim_lease_seconds),
                        on_timing=on_timing,
                        contexts_per_run=settings.portal_contexts_per_run,
                        on_po_read=po_hook(settings, store, review),
                        breaker=LayoutBreaker(settings.portal_layout_failures_to_stop),
                        on_portal_stopped=portal_stopped_hook(settings, store))


def portal_stopped_hook(settings: Settings, store: Store) -> Callable[[str, str], None]:
    """A portal's run stopped because its pages changed: audited, and one message to the
    outbox per portal and day (however many runs meet the changed page that day)."""
    def told(portal: str, message: str) -> None:
        from datetime import datetime, timezone

        from config.po_alerts import OUTBOX
        from connectors.notify import Notifier
        from sync import audit
        from sync.txn import writing

        now = datetime.now(timezone.utc)
        with writing(store.engine) as conn:
            audit.record(conn, [audit.event(action="portal run stopped", entity="portal",
                                            key=portal, detail={"reason": message},
                                            actor=audit.SYSTEM_ACTOR, at=now)])
            Notifier(settings.po_alerts, settings.outbox_path, store.engine).send(
                OUTBOX, f"arbridge stopped uploading to {portal}: its pages changed", message,
                key=f"portal-stopped:{portal}:{now.date().isoformat()}", now=now, conn=conn)
    return told


def run_uploads(settings: Settings, *, portal: str | None = None, demo_url: str | None = None,
                on_upload: Any = None,
                on_timing: Callable[[str, float], None] | None = None) -> RunSummary:
    """Queue new invoices, upload every ready one (to ``portal`` only, if given), then let the
    PO ledger, rules and alerts follow."""
    from portals.po_actions import after_run

    store = open_store(settings)
    runner = make_runner(settings, store, portal_settings(settings, demo_url), on_upload,
                         on_timing=on_timing)
    summary = asyncio.run(runner.run(portal=portal))
    after_run(settings, store)
    return summary
