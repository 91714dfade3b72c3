"""The upload run: puts every ready invoice on its portal exactly once.

For each portal with work: one login, one read of the PO balances (stored), then up to
``concurrency`` browser contexts take uploads from a queue; each upload is one attempt
(``portals.upload_attempt``).

Technical failures go back to ``ready`` with backoff; business failures go to a person.
Whatever goes wrong with one invoice (its data, its PDF, a bug) fails or retries that invoice
and the run carries on; an invoice under which a run died twice is set aside for a person.
Evidence never holds a secret: logins happen outside the recording and every file is
scanned before it is kept.

Any number of runs may work the same portal at once (workers on several hosts, a scheduled run
that outlasts its interval, an administrator's command): a browser context needs one of the
portal's ``concurrency`` slots and an upload needs its claim (``sync.work.claims``), both with a
lease the run renews while it lives. An upload is worked only while its claim is held and only
if, once claimed, it is still due; its result is recorded only if the claim is still ours.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from playwright.async_api import BrowserContext, async_playwright
from playwright.async_api import Error as PlaywrightError

from config.errors import ArbridgeError
from config.portals import BrowserSettings
from portals.accounts import PortalAccount
from portals.breaker import LayoutBreaker
from portals.browser import BrowserPool
from portals.driver import PortalPurchaseOrder
from portals.drivers.base import PageDriver
from portals.errors import PortalLayoutChanged, PortalLoginFailed, PortalUnavailable
from portals.evidence import save_trace, scrub
from portals.registry import make_driver
from portals.run_summary import OUTCOMES, RunSummary
from portals.upload_attempt import InOrder, UploadAttempts
from sync.files import private_dir
from sync.po import reservations as po_reservations
from sync.store import Store
from sync.txn import writing
from sync.uploads import claims as upload_claims
from sync.uploads import queue as uploads
from sync.uploads.holds import PoBalance
from sync.uploads.states import TRANSITIONS
from sync.work import claims

__all__ = ["InOrder", "OUTCOMES", "RunSummary", "UploadRunner"]

log = logging.getLogger(__name__)
STATUS_REFRESH_LIMIT = 200


def _now() -> datetime:
    return datetime.now(timezone.utc)


class UploadRunner(UploadAttempts):
    def __init__(self, *, store: Store, accounts: dict[str, PortalAccount],
                 browser: BrowserSettings, pdfs: object, evidence_root: Path,
                 session_root: Path, clock: Callable[[], datetime] = _now,
                 billed_from: date | None = None,
                 on_upload: Callable[[str, str, str], None] | None = None,
                 owner: claims.Owner | None = None,
                 lease: timedelta = claims.DEFAULT_LEASE,
                 on_timing: Callable[[str, float], None] | None = None,
                 contexts_per_run: int | None = None,
                 on_po_read: Callable[[str, list[PortalPurchaseOrder]], int] | None = None,
                 breaker: LayoutBreaker | None = None,
                 on_portal_stopped: Callable[[str, str], None] | None = None
                 ) -> None:
        self.store = store
        self.accounts = accounts
        self.browser = browser
        self.pdfs = pdfs
        self.evidence_root = evidence_root
        self.session_root = session_root
        self.clock = clock
        self.on_upload = on_upload
        self.billed_from = billed_from
        self.summary = RunSummary()
        self.owner = owner or claims.Owner.here()
        self.lease = lease
        self.on_timing = on_timing  # (portal, seconds) of each upload worked, for metrics
        self.contexts_per_run = contexts_per_run  # at most this many of a portal's slots
        self.on_po_read = on_po_read  # PO ledger, hold-and-release, alerts; returns released
        self._released: dict[str, int] = {}
        self.breaker = breaker or LayoutBreaker()  # N "page changed" in a row stop a portal
        self.on_portal_stopped = on_portal_stopped  # (portal, message): told once per run
        self._claims: dict[int, claims.Claim] = {}
        self._waiting: dict[int, int] = {}  # per queue: uploads held by other runs
        self._tracing: dict[int, bool] = {}  # per context: recording with DOM snapshots?
        self._read_started: dict[str, datetime] = {}  # per portal: when its POs were read
        self._read_finished: dict[str, datetime] = {}

    # -- entry points -------------------------------------------------------------------------
    def prepare(self) -> int:
        """Queue new invoices of bound customers and route them to review or ready."""
        now = self.clock()
        with writing(self.store.engine) as conn:
            queued = uploads.enqueue(
                conn, now=now, portals=self.accounts, billed_from=self.billed_from,
                credit_memo_portals=[n for n, a in self.accounts.items()
                                     if a.settings.channel == "cxml"])
            review = {n for n, a in self.accounts.items() if a.settings.review_required}
            uploads.route_queued(conn, now=now, review_portals=review)
        return queued

    async def run(self, portal: str | None = None, limit: int | None = None) -> RunSummary:
        self.prepare()
        renewer = asyncio.create_task(self._renew_leases())
        try:
            async with async_playwright() as playwright:
                chosen = [a for n, a in self.accounts.items() if portal is None or n == portal]
                await asyncio.gather(*(self._guarded_portal(playwright, a, limit)
                                       for a in chosen))
        finally:
            renewer.cancel()
        return self.summary

    async def _renew_leases(self) -> None:
        """Keep this run's claims (slots and uploads) alive: renewed every third of a lease."""
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            try:
                upload_claims.renew(self.store.engine, self.owner, now=self.clock(),
                                    lease=self.lease)
            except Exception as error:  # noqa: BLE001 - the next renewal tries again
                log.warning("could not renew the claims of run %s: %s", self.owner, error)

    async def _guarded_portal(self, playwright, account: PortalAccount,  # type: ignore[no-untyped-def]
                              limit: int | None) -> None:
        """One portal's run; a portal that is down or refuses the login does not stop others."""
        try:
            if account.settings.channel == "cxml":  # no browser: portals.cxml_uploads
                from portals.cxml_uploads import run_for

                await run_for(self, account, limit)
                return
            await self._run_portal(playwright, account, limit)
        except (PortalLoginFailed, PortalUnavailable, PortalLayoutChanged) as error:
            log.error("portal %s: %s", account.name, error)
            self.summary.errors[account.name] = str(error)
            self.summary.failures[account.name] = error

    # -- one portal ---------------------------------------------------------------------------
    def _driver(self, account: PortalAccount, context: BrowserContext) -> PageDriver:
        return make_driver(account, context, self.session_root / f"{account.name}.json")

    async def _run_portal(self, playwright, account: PortalAccount, limit: int | None) -> None:  # type: ignore[no-untyped-def]
        with self.store.engine.connect() as conn:
            work = uploads.due(conn, account.name, self.clock())
            waiting = uploads.awaiting_client(conn, account.name, STATUS_REFRESH_LIMIT)
            held = bool(self.on_po_read) and bool(uploads.by_state(conn, "held", account.name,
                                                                    limit=1))
        if limit is not None:
            work = work[:limit]
        if not work and not waiting and not held:
            return
        self.summary.portals.setdefault(account.name, {o: 0 for o in OUTCOMES})
        limit_slots = account.settings.concurrency
        wanted = min(limit_slots, len(work), self.contexts_per_run or limit_slots)
        slots = await self._take_slots(account.name, max(1, wanted), limit_slots)
        if not slots:
            log.info("portal %s: all %d browser slots are taken by other runs; they work the "
                     "queue", account.name, limit_slots)
            return
        pool = BrowserPool(playwright, self.browser, recycle_after=account.settings.recycle_after)
        state_path = self.session_root / f"{account.name}.json"
        try:
            context = await pool.context(state_path)
            driver = self._driver(account, context)
            balances = await self._read_balances_with_evidence(account, driver, context)
            if self._released.get(account.name):
                with self.store.engine.connect() as conn:
                    work = uploads.due(conn, account.name, self.clock())[:limit]
            await self._refresh_statuses(driver, waiting)
            if not work:
                await pool.release(context)
                return
            queue: asyncio.Queue = asyncio.Queue()
            for position, upload in enumerate(work):
                queue.put_nowait((position, upload, False))
            in_order = InOrder(len(work))
            contexts = [context] + [await pool.context(state_path)
                                    for _ in range(len(slots) - 1)]
            await asyncio.gather(*(self._slot(account, pool, c, queue, balances, in_order)
                                   for c in contexts))
        finally:
            await pool.close()
            for slot in slots:
                upload_claims.release(self.store.engine, slot, now=self.clock())

    async def _take_slots(self, portal: str, wanted: int, limit: int) -> list[claims.Claim]:
        """Browser slots on ``portal``; if all are taken, wait up to one lease for one to
        free up (its holder may have died). Still none: the holders are alive and working."""
        deadline = asyncio.get_running_loop().time() + self.lease.total_seconds() + 1
        while True:
            slots = upload_claims.take_slots(self.store.engine, portal, self.owner,
                                             wanted=wanted, limit=limit, now=self.clock(),
                                             lease=self.lease)
            if slots or asyncio.get_running_loop().time() > deadline:
                return slots
            await asyncio.sleep(min(1.0, self.lease.total_seconds() / 4))

    async def _refresh_statuses(self, driver: PageDriver,
                                waiting: list[uploads.Upload]) -> None:
        """Follow invoices on the portal: approved, paid, disputed or rejected by the client
        (with the client's reason). A portal that fails here does not stop the uploads."""
        for upload in waiting:
            try:
                found = await driver.find_invoice(upload.invoice_number)
            except (ArbridgeError, PlaywrightError) as error:
                log.warning("status refresh on %s stopped: %s", upload.portal, error)
                return
            if found is None or found.state == upload.state:
                continue
            if found.state not in TRANSITIONS.get(upload.state, frozenset()):
                continue
            with writing(self.store.engine) as conn:
                uploads.transition(conn, upload.id, found.state, now=self.clock(),
                                   reason=found.reason or None)
            self.summary.count(upload.portal, "status")
            if self.on_upload:
                self.on_upload(upload.portal, upload.billing_document, found.state)

    async def _read_balances_with_evidence(self, account: PortalAccount, driver: PageDriver,
                                           context: BrowserContext) -> dict[str, PoBalance]:
        """Log in and read the PO balances; if the portal fails here, keep a screenshot and a
        trace under ``evidence/<portal>/_portal/<time>/`` and name it in the error."""
        await context.tracing.start(screenshots=False, snapshots=True)
        try:
            balances = await self._read_balances(account.name, driver)
        except (PortalLayoutChanged, PortalUnavailable, PortalLoginFailed) as error:
            folder = private_dir(self.evidence_root / account.name / "_portal" /
                                 self.clock().strftime("%Y%m%dT%H%M%S"))
            redactor = self._redactor(account, driver)
            try:
                await driver.screenshot(folder / "screenshot.png")
                await save_trace(context, folder, redactor, chunk=False)
                await scrub(folder, context, redactor)
            except PlaywrightError:
                log.warning("no evidence for the %s failure", account.name)
            raise type(error)(f"{error} (evidence: {folder})") from error
        await context.tracing.stop()
        return balances

    async def _read_balances(self, portal: str, driver: PageDriver) -> dict[str, PoBalance]:
        with self.store.engine.connect() as conn:  # what the portal counts is as of now
            self._read_started[portal] = po_reservations.store_now(conn)
        orders = await driver.purchase_orders()
        with writing(self.store.engine) as conn:
            self._read_finished[portal] = po_reservations.store_now(conn)
            uploads.save_purchase_orders(conn, portal, [
                {"number": o.number, "total": o.total, "invoiced": o.invoiced,
                 "remaining": o.remaining, "currency": o.currency, "open": o.open,
                 "valid_to": o.valid_to} for o in orders], self.clock())
        if self.on_po_read is not None:
            self._released[portal] = await asyncio.to_thread(self.on_po_read, portal, orders)
        return {o.number: PoBalance(o.number, o.remaining, o.currency, o.open, o.valid_to)
                for o in orders}

    async def _slot(self, account: PortalAccount, pool: BrowserPool, context: BrowserContext,
                    queue: asyncio.Queue, balances: dict[str, PoBalance],
                    in_order: InOrder) -> None:
        driver = self._driver(account, context)
        await self._trace(context, snapshots=self.browser.trace_snapshots)
        try:
            while True:
                item = await self._next(queue)
                if item is None:
                    break
                if self.breaker.is_open(account.name):  # the rest stays queued, unclaimed
                    in_order.done(item[0])
                    continue
                position, listed, asked = item
                try:
                    taken = upload_claims.claim_upload(self.store.engine, listed.id, self.owner,
                                                       now=self.clock(), lease=self.lease)
                    if isinstance(taken, datetime):  # another run holds it: ask again once
                        if not asked:         # its lease has ended (it may have died)
                            self._ask_later(queue, (position, listed, True), taken)
                        continue
                    if taken is None:  # finished by another run meanwhile
                        continue
                    claim, upload = taken
                    self._claims[upload.id] = claim
                    started = time.monotonic()
                    try:
                        await self._upload(account, driver, context, upload, balances,
                                           in_order, position)
                        if self.on_timing:
                            self.on_timing(account.name, time.monotonic() - started)
                    finally:
                        del self._claims[upload.id]
                        upload_claims.release(self.store.engine, claim, now=self.clock())
                finally:
                    in_order.done(position)
                pool.count_upload()
                if pool.should_renew(context):
                    await self._stop_trace(context)
                    await pool.release(context)
                    context = await pool.context(self.session_root / f"{account.name}.json")
                    driver = self._driver(account, context)
                    await self._trace(context, snapshots=self.browser.trace_snapshots)
        finally:
            try:
                await self._stop_trace(context)
            except PlaywrightError:
                pass
            await pool.release(context)

    async def _next(self, queue: asyncio.Queue) -> tuple | None:
        """The next upload to try; waits while uploads held by other runs are due to be
        asked about again. None when there is nothing left."""
        while queue.empty():
            if not self._waiting.get(id(queue)):
                return None
            await asyncio.sleep(0.2)
        return queue.get_nowait()

    def _ask_later(self, queue: asyncio.Queue, item: tuple, lease_end: datetime) -> None:
        delay = min(max((lease_end - self.clock()).total_seconds() + 0.5, 0.0),
                    self.lease.total_seconds() + 1)
        self._waiting[id(queue)] = self._waiting.get(id(queue), 0) + 1

        def again() -> None:
            self._waiting[id(queue)] -= 1
            queue.put_nowait(item)

        asyncio.get_running_loop().call_later(delay, again)
