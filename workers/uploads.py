"""Wiring for portal uploads, shared by the CLI and the job actors: settings → accounts,
PDF source and runner. No business logic here."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from config.errors import ConfigError
from config.portals import PortalSettings
from config.settings import Settings
from sync.store import Store, open_store
from sync.uploads import queue as uploads
from sync.uploads.states import STATE_GROUPS, STATES, grouped
from workers import metrics

if TYPE_CHECKING:  # Playwright and cryptography load only when uploads run (start-up time)
    from portals.runner import RunSummary, UploadRunner

DEMO_PORT = 8765  # ``arbridge portals demo-server``'s usual port (portals.demo.server)


def portal_settings(settings: Settings, demo_url: str | None = None) -> dict[str, PortalSettings]:
    """The configured portals; on the embedded defaults (no portals configured), the two demo
    flavours at ``demo_url`` (default: ``arbridge portals demo-server`` on its usual port)."""
    if settings.portals:
        return dict(settings.portals)
    from config.secrets import SecretBox
    from portals.demo.seed import demo_accounts

    url = demo_url or f"http://127.0.0.1:{DEMO_PORT}"
    return demo_accounts(url, SecretBox.load(settings.home))


def make_runner(settings: Settings, store: Store, portals: dict[str, PortalSettings],
                on_upload: Any = None) -> UploadRunner:
    from config.secrets import SecretBox
    from connectors.pdfs import pdf_source
    from portals.accounts import resolve
    from portals.breaker import LayoutBreaker
    from portals.runner import UploadRunner

    accounts = resolve(portals, SecretBox.load(settings.home))
    billed_from = None
    if settings.portal_upload_lookback_days is not None:
        billed_from = date.today() - timedelta(days=settings.portal_upload_lookback_days)
    from workers.po import po_hook

    review = {name for name, p in portals.items() if p.review_required}
    return UploadRunner(store=store, accounts=accounts, browser=settings.browser,
                        pdfs=pdf_source(settings), evidence_root=settings.evidence_path,
                        session_root=settings.home / "sessions", billed_from=billed_from,
                        on_upload=on_upload,
                        lease=timedelta(seconds=settings.claim_lease_seconds),
                        on_timing=metrics.upload_seconds,
                        contexts_per_run=settings.portal_contexts_per_run,
                        on_po_read=po_hook(settings, store, review),
                        breaker=LayoutBreaker(settings.portal_layout_failures_to_stop),
                        on_portal_stopped=portal_stopped_hook(settings, store))


def portal_stopped_hook(settings: Settings, store: Store) -> Any:
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
                on_upload: Any = None) -> RunSummary:
    store = open_store(settings)

    def counted(portal_name: str, document: str, outcome: str) -> None:
        metrics.upload_outcome(portal_name, document, outcome)
        if on_upload:
            on_upload(portal_name, document, outcome)

    runner = make_runner(settings, store, portal_settings(settings, demo_url), counted)
    summary = asyncio.run(runner.run(portal=portal))
    from workers.po import after_run

    after_run(settings, store)
    return summary


def queue_counts(store: Store) -> dict[str, int]:
    """The ``portals`` section of ``arbridge demo --json``: waiting (queued, ready or being
    submitted), on the portal (submitted and later portal statuses), held, in review, failed."""
    with store.engine.connect() as conn:
        by_state = uploads.counts(conn)
    return grouped(by_state)


def states_of(name: str) -> tuple[str, ...]:
    """The states a ``--state`` value stands for: a group (as ``status`` counts them) or one
    state; a group wins over the state of the same name. :class:`ConfigError` if neither."""
    if name in STATE_GROUPS:
        return STATE_GROUPS[name]
    if name in STATES:
        return (name,)
    raise ConfigError(f"--state {name}: not a state; use a group ({', '.join(STATE_GROUPS)}) "
                      f"or a state ({', '.join(s for s in STATES if s not in STATE_GROUPS)})")


def queue_rows(store: Store, state: str | tuple[str, ...] | None, portal: str | None
               ) -> list[dict[str, Any]]:
    """The uploads in ``state`` (one state, or several), of ``portal``, in queue order."""
    wanted = (state,) if isinstance(state, str) else state
    with store.engine.connect() as conn:
        rows = uploads.rows(conn, None, portal)
    return [r for r in rows if wanted is None or r["state"] in wanted]
