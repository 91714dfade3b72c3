"""The upload runner: puts every ready invoice on its portal exactly once.

For each portal with work: one login, one read of the PO balances (stored), then up to
``concurrency`` browser contexts take uploads from a queue. Each upload:

1. enters ``submitting`` with an attempt recorded — committed before the portal is touched;
2. is looked up on the portal by invoice number (after a crash this finds what was sent);
3. is checked against its PO as read, less what every run's in-flight uploads hold on it
   (``sync.po.reservations``), and its amount reserved (held if it does not fit: a person
   must get a new PO);
4. is submitted with its PDF; the evidence pack keeps values, screenshot and, on failure,
   the Playwright trace.

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
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from playwright.async_api import BrowserContext, async_playwright
from playwright.async_api import Error as PlaywrightError

from config.errors import ArbridgeError, InputError
from config.portals import BrowserSettings
from config.settings import url_secrets
from connectors.pdf_checks import PdfNotReady
from portals.accounts import PortalAccount
from portals.browser import BrowserPool
from portals.driver import PortalInvoice, PortalPurchaseOrder
from portals.errors import (
    PortalLayoutChanged,
    PortalLoginFailed,
    PortalPageNotFound,
    PortalRejected,
    PortalUnavailable,
    PortalUncertain,
)
from portals.evidence import EvidencePack, save_trace, scrub
from portals.preparing import prepare
from portals.drivers.base import PageDriver
from portals.redact import Redactor
from portals.registry import make_driver
from sync.uploads import attempts as attempt_rules
from sync.work import claims
from sync.po import reservations as po_reservations
from sync.uploads import claims as upload_claims, queue as uploads
from sync.uploads.amounts import amount_hold_reason
from sync.files import private_dir
from sync.uploads.holds import PoBalance
from sync.store import Store
from sync.txn import writing
from sync.uploads.states import TRANSITIONS

log = logging.getLogger(__name__)
OUTCOMES = ("submitted", "found", "held", "failed", "retry", "waiting", "status")
PDF_WAIT = timedelta(minutes=15)  # a PDF not there yet is looked for again after this
STATUS_REFRESH_LIMIT = 200


@dataclass
class RunSummary:
    portals: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    failures: dict[str, ArbridgeError] = field(default_factory=dict)  # why a portal stopped

    def count(self, portal: str, outcome: str) -> None:
        tally = self.portals.setdefault(portal, {o: 0 for o in OUTCOMES})
        tally[outcome] += 1

    def as_dict(self) -> dict:
        return {"portals": self.portals, "errors": self.errors}


class InOrder:
    """Lets uploads check their PO in queue order while the rest runs concurrently, so a PO
    with room for one more invoice takes the earliest one, whatever the timing."""

    def __init__(self, count: int) -> None:
        self._done = [asyncio.Event() for _ in range(count)]

    async def wait_turn(self, position: int) -> None:
        if position > 0:
            await self._done[position - 1].wait()

    def done(self, position: int) -> None:
        self._done[position].set()


def _now() -> datetime:
    return datetime.now(timezone.utc)


class UploadRunner:
    def __init__(self, *, store: Store, accounts: dict[str, PortalAccount],
                 browser: BrowserSettings, pdfs: object, evidence_root: Path,
                 session_root: Path, clock: Callable[[], datetime] = _now,
                 billed_from: date | None = None,
                 on_upload: Callable[[str, str, str], None] | None = None,
                 owner: claims.Owner | None = None,
                 lease: timedelta = claims.DEFAULT_LEASE,
                 on_timing: Callable[[str, float], None] | None = None,
                 contexts_per_run: int | None = None,
                 on_po_read: Callable[[str, list[PortalPurchaseOrder]], int] | None = None
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
            queued = uploads.enqueue(conn, now=now, portals=self.accounts,
                                     billed_from=self.billed_from)
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
                from portals.cxml_uploads import run_for  # noqa: PLC0415 - only when used

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

    async def _trace(self, context: BrowserContext, *, snapshots: bool) -> None:
        """Record the context's trace with or without DOM snapshots, restarting the recording
        if it runs in the other mode. Snapshots cost the browser about as much CPU as the
        rest of an upload, and a successful upload's trace is dropped anyway, so by default
        only the attempt after one that failed on the portal records them (the next failure
        gets the full picture; a crash, a hold or a wait for the PDF is no such failure); a
        first failure keeps a trace of actions and network (the pages' HTML included) beside
        its screenshot."""
        current = self._tracing.get(id(context))
        if current == snapshots:
            return
        if current is not None:
            await self._stop_trace(context)
        await context.tracing.start(screenshots=False, snapshots=snapshots)
        self._tracing[id(context)] = snapshots

    async def _stop_trace(self, context: BrowserContext) -> None:
        self._tracing.pop(id(context), None)
        await context.tracing.stop()

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

    # -- one upload ---------------------------------------------------------------------------
    @staticmethod
    def _redactor(account: PortalAccount, driver: PageDriver) -> Redactor:
        redactor = Redactor([account.password, account.totp_secret,
                             *url_secrets(account.settings.url)])
        redactor.add_cookies(driver.cookie_values)
        return redactor

    def _crash_limit(self, portal: str) -> int:
        account = self.accounts.get(portal)
        return (account.settings.crashes_before_set_aside if account
                else attempt_rules.CRASHES_BEFORE_SET_ASIDE)

    def _set_aside_if_poison(self, upload: uploads.Upload) -> bool:
        """An invoice under which a run died twice is set aside for a person (never retried
        forever); True if it was."""
        now = self.clock()
        try:
            with writing(self.store.engine) as conn:
                self._fence(conn, upload)
                crashed = attempt_rules.crashes(conn, upload.id)
                if crashed < self._crash_limit(upload.portal):
                    return False
                attempt_rules.set_aside_orphans(conn, upload.id, now=now)
                po_reservations.drop(conn, upload.id)
                uploads.transition(conn, upload.id, "failed", now=now, reason=(
                    f"set aside for a person: a run stopped {crashed} times while uploading "
                    f"invoice {upload.invoice_number}; check whether it is on the portal and "
                    f"what is unusual about it, then: arbridge portals retry "
                    f"{upload.billing_document}"))
        except claims.ClaimLost as error:  # another run has it now: leave it to that run
            log.warning("upload %s: %s", upload.billing_document, error)
            return True
        log.error("upload %s to %s set aside after %d interrupted runs",
                  upload.billing_document, upload.portal, crashed)
        self.summary.count(upload.portal, "failed")
        if self.on_upload:
            self.on_upload(upload.portal, upload.billing_document, "failed")
        return True

    def _close_interrupted(self, upload: uploads.Upload, attempt_id: int, *,
                           on_portal: bool) -> None:
        with writing(self.store.engine) as conn:
            self._fence(conn, upload)
            attempt_rules.close_interrupted(conn, upload.id, current=attempt_id,
                                            now=self.clock(), on_portal=on_portal)

    async def _upload(self, account: PortalAccount, driver: PageDriver,
                      context: BrowserContext, upload: uploads.Upload,
                      balances: dict[str, PoBalance], in_order: InOrder,
                      position: int) -> None:
        if upload.state == "submitting" and self._set_aside_if_poison(upload):
            return
        with writing(self.store.engine) as conn:
            self._fence(conn, upload)
            attempt_id = uploads.begin_attempt(conn, upload, now=self.clock())
            attempt = uploads.get(conn, upload.id).attempts
            sent_before = upload.state == "submitting" or attempt_rules.may_have_reached_portal(
                conn, upload.id, besides=attempt_id)
            failed_before = attempt_rules.previous_failed(conn, upload.id, besides=attempt_id)
        evidence = EvidencePack(self.evidence_root, account.name, upload.billing_document,
                                attempt)
        await self._trace(context, snapshots=self.browser.trace_snapshots or failed_before)
        await context.tracing.start_chunk()
        keep_trace = True
        try:
            found = None
            if self._must_look_up(account, upload, sent_before=sent_before):
                found = await driver.find_invoice(upload.invoice_number)
                self._close_interrupted(upload, attempt_id, on_portal=found is not None)
            if found is not None:
                outcome, detail = self._already_there(upload, found)
                keep_trace = outcome != "found"
                self._finish(upload, attempt_id, evidence, outcome, detail)
                return
            reason = amount_hold_reason(net=upload.net, tax=upload.tax, currency=upload.currency)
            if reason:
                keep_trace = False
                self._finish(upload, attempt_id, evidence, "held", reason)
                return
            await in_order.wait_turn(position)
            reason = self._fits(upload, balances)
            if reason and self._landed_while_read(upload):  # counted twice, maybe: read again
                balances.update(await self._read_balances(account.name, driver))
                reason = self._fits(upload, balances)
            in_order.done(position)
            if reason:
                keep_trace = False
                self._finish(upload, attempt_id, evidence, "held", reason)
                return
            submission, pdf = prepare(self.store, self.pdfs, upload)
            evidence.values(submission, pdf)
            result = await driver.submit_invoice(submission, pdf)
            await driver.screenshot(evidence.screenshot_path, full_page=False)
            keep_trace = False
            self._finish(upload, attempt_id, evidence, "submitted", result.confirmation)
        except PortalUncertain as error:
            found = await self._look_again(driver, upload)
            if found is not None:
                keep_trace = False
                self._finish(upload, attempt_id, evidence, "submitted",
                             f"{error}; found on the portal afterwards")
            else:
                await self._screenshot(driver, evidence)
                self._finish(upload, attempt_id, evidence, "retry", str(error), account=account)
        except PdfNotReady as error:
            keep_trace = False
            self._finish(upload, attempt_id, evidence, "waiting", str(error))
        except (PortalRejected, PortalPageNotFound) as error:
            await self._screenshot(driver, evidence)
            self._finish(upload, attempt_id, evidence, "failed", str(error))
        except PortalLayoutChanged as error:
            await self._screenshot(driver, evidence)
            self._finish(upload, attempt_id, evidence, "failed", str(error))
        except InputError as error:
            self._finish(upload, attempt_id, evidence, "failed", str(error))
        except PortalLoginFailed as error:
            self._finish(upload, attempt_id, evidence, "retry", str(error), account=account)
            raise
        except (PortalUnavailable, PlaywrightError, ArbridgeError) as error:
            await self._screenshot(driver, evidence)
            self._finish(upload, attempt_id, evidence, "retry", str(error).splitlines()[0],
                         account=account)
        except Exception as error:  # noqa: BLE001 - a bug with one invoice must not stop the run
            log.exception("upload %s to %s", upload.billing_document, upload.portal)
            await self._screenshot(driver, evidence)
            self._finish(upload, attempt_id, evidence, "retry",
                         f"unexpected error: {type(error).__name__}: {error}", account=account)
        finally:  # the PO reservation is settled or dropped with the outcome (_record)
            try:
                await evidence.seal(context, self._redactor(account, driver), keep=keep_trace)
            except PlaywrightError:
                log.warning("could not save the trace of %s", upload.billing_document)

    def _must_look_up(self, account: PortalAccount, upload: uploads.Upload, *,
                      sent_before: bool) -> bool:
        """Look the invoice up before submitting unless the claim proves arbridge never sent
        it — held by this run from the start (not taken over), and no earlier attempt that
        may have reached the portal's submit (each attempt is recorded under the claim before
        the portal is touched; held and waiting-for-PDF ones end before the submit) — and the
        portal is not marked as one where people also key invoices in by hand."""
        claim = self._claims.get(upload.id)
        proven_new = not sent_before and claim is not None and not claim.taken_over_from
        return not (proven_new and not account.settings.lookup_new_invoices)

    def _fits(self, upload: uploads.Upload, balances: dict[str, PoBalance]) -> str | None:
        """Check the PO as read, less what other uploads of any run hold on it, and if it
        fits reserve the amount in the store, under the upload's claim (no await between)."""
        with writing(self.store.engine) as conn:
            self._fence(conn, upload)
            return po_reservations.reserve(
                conn, upload, balances.get(upload.po_number or ""),
                read_started=self._read_started[upload.portal], owner_run=self.owner.run,
                today=self.clock().date())

    def _landed_while_read(self, upload: uploads.Upload) -> bool:
        if not upload.po_number or upload.portal not in self._read_finished:
            return False
        with self.store.engine.connect() as conn:
            return po_reservations.landed_while_read(
                conn, upload.portal, upload.po_number,
                read_started=self._read_started[upload.portal],
                read_finished=self._read_finished[upload.portal])

    @staticmethod
    def _already_there(upload: uploads.Upload, found: PortalInvoice) -> tuple[str, str]:
        if found.po_number == (upload.po_number or "") and found.gross == upload.gross:
            return "found", f"already on the portal ({found.state}); not submitted again"
        return "failed", (f"invoice number {upload.invoice_number} is already on the portal "
                          f"against PO {found.po_number} for {found.gross}: a different "
                          "invoice? A person must check")

    async def _look_again(self, driver: PageDriver, upload: uploads.Upload
                          ) -> PortalInvoice | None:
        try:
            return await driver.find_invoice(upload.invoice_number)
        except (ArbridgeError, PlaywrightError):
            return None

    @staticmethod
    async def _screenshot(driver: PageDriver, evidence: EvidencePack) -> None:
        try:
            await driver.screenshot(evidence.screenshot_path)
        except PlaywrightError:
            log.warning("no screenshot for %s", evidence.folder)

    def _finish(self, upload: uploads.Upload, attempt_id: int, evidence: EvidencePack,
                outcome: str, detail: str, account: PortalAccount | None = None) -> None:
        now = self.clock()
        evidence.outcome(outcome, detail)
        try:
            self._record(upload, attempt_id, evidence, outcome, detail, account, now)
        except claims.ClaimLost as error:
            log.warning("upload %s: %s", upload.billing_document, error)
            return

    def _fence(self, conn, upload: uploads.Upload) -> None:  # type: ignore[no-untyped-def]
        """First write of a transaction about ``upload``: is the claim still ours?"""
        claim = self._claims.get(upload.id)
        if claim is not None:
            claims.confirm(conn, claim, now=self.clock(), lease=self.lease)

    def _record(self, upload: uploads.Upload, attempt_id: int, evidence: EvidencePack,
                outcome: str, detail: str, account: PortalAccount | None,
                now: datetime) -> None:
        with writing(self.store.engine) as conn:
            self._fence(conn, upload)
            if outcome in ("submitted", "found"):
                po_reservations.settle(conn, upload.id)
            else:
                po_reservations.drop(conn, upload.id)
            if outcome in ("submitted", "found"):
                uploads.transition(conn, upload.id, "submitted", now=now, reason=None)
            elif outcome == "held":
                uploads.transition(conn, upload.id, "held", now=now, reason=detail)
            elif outcome == "failed":
                uploads.transition(conn, upload.id, "failed", now=now, reason=detail)
            elif outcome == "waiting":  # not counted against max_attempts
                uploads.transition(conn, upload.id, "ready", now=now, reason=detail,
                                   next_attempt_at=now + PDF_WAIT)
            else:
                max_attempts = account.settings.max_attempts if account else 5
                state = uploads.retry_later(conn, upload, now=now, reason=detail,
                                            max_attempts=max_attempts)
                outcome = "failed" if state == "failed" else "retry"
            uploads.finish_attempt(conn, attempt_id, now=now, outcome=outcome, detail=detail,
                                   evidence=str(evidence.folder))
        self.summary.count(upload.portal, outcome)
        log.info("upload %s to %s: %s (%s)", upload.billing_document, upload.portal, outcome,
                 detail)
        if self.on_upload:
            self.on_upload(upload.portal, upload.billing_document, outcome)
