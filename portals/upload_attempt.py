"""One upload attempt, under its claim: the protocol that puts one invoice on its portal
exactly once.

1. the attempt is recorded and the upload enters ``submitting`` — committed before the portal
   is touched;
2. the invoice is looked up on the portal by number (after a crash this finds what was sent);
3. it is checked against its PO as read, less what every run's in-flight uploads hold on it
   (``sync.po.reservations``), in queue order, and its amount reserved (held if it does not
   fit: a person must get a new PO);
4. it is submitted with its PDF; the evidence pack keeps values, screenshot and, on failure,
   the Playwright trace.

The outcome is recorded through ``sync.uploads.outcomes`` only if the claim is still ours.
An invoice under which a run died twice is set aside for a person.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from playwright.async_api import BrowserContext
from playwright.async_api import Error as PlaywrightError

from config.errors import ArbridgeError, InputError
from config.portals import BrowserSettings
from connectors.pdf_checks import PdfNotReady
from portals.accounts import PortalAccount
from portals.breaker import LayoutBreaker
from portals.driver import PortalInvoice
from portals.drivers.base import PageDriver
from portals.errors import (
    PortalLayoutChanged,
    PortalLoginFailed,
    PortalPageNotFound,
    PortalRejected,
    PortalUnavailable,
    PortalUncertain,
)
from portals.evidence import EvidencePack
from portals.preparing import prepare
from portals.run_summary import RunSummary
from portals.upload_tracing import UploadTracing
from sync.po import reservations as po_reservations
from sync.store import Store
from sync.txn import writing
from sync.uploads import attempts as attempt_rules
from sync.uploads import queue as uploads
from sync.uploads.amounts import amount_hold_reason
from sync.uploads.holds import PoBalance
from sync.uploads.outcomes import DEFAULT_MAX_ATTEMPTS, recorded_outcome, store_change
from sync.work import claims

log = logging.getLogger(__name__)


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


class UploadAttempts(UploadTracing):
    """Mixed into the upload runner (``portals.upload_run``), which sets these attributes."""

    store: Store
    accounts: dict[str, PortalAccount]
    browser: BrowserSettings
    pdfs: object
    evidence_root: Path
    clock: Callable[[], datetime]
    on_upload: Callable[[str, str, str], None] | None
    summary: RunSummary
    breaker: LayoutBreaker
    on_portal_stopped: Callable[[str, str], None] | None
    lease: timedelta
    owner: claims.Owner
    _claims: dict[int, claims.Claim]
    _read_started: dict[str, datetime]
    _read_finished: dict[str, datetime]

    async def _read_balances(self, portal: str, driver: PageDriver) -> dict[str, PoBalance]:
        raise NotImplementedError  # the run reads them (portals.upload_run)

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
            self._finish(upload, attempt_id, evidence, "failed", str(error),
                         layout_changed=True)
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

    def _finish(self, upload: uploads.Upload, attempt_id: int, evidence: EvidencePack,
                outcome: str, detail: str, account: PortalAccount | None = None,
                layout_changed: bool = False) -> None:
        now = self.clock()
        evidence.outcome(outcome, detail)
        if not layout_changed:
            self.breaker.succeeded(upload.portal)
        elif self.breaker.layout_changed(upload.portal, upload.billing_document):
            self._stop_portal(upload.portal)
        try:
            self._record(upload, attempt_id, evidence, outcome, detail, account, now)
        except claims.ClaimLost as error:
            log.warning("upload %s: %s", upload.billing_document, error)
            return

    def _stop_portal(self, portal: str) -> None:
        """The breaker opened: said once, in the run's summary, the log and the hook."""
        message = self.breaker.message(portal)
        log.error("%s", message)
        self.summary.errors[portal] = message
        self.summary.failures[portal] = PortalLayoutChanged(message)
        if self.on_portal_stopped:
            self.on_portal_stopped(portal, message)

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
            change = store_change(outcome, detail, now=now)
            if change.reservation == "settle":
                po_reservations.settle(conn, upload.id)
            else:
                po_reservations.drop(conn, upload.id)
            state_after = None
            if change.retry:
                max_attempts = (account.settings.max_attempts if account
                                else DEFAULT_MAX_ATTEMPTS)
                state_after = uploads.retry_later(conn, upload, now=now, reason=detail,
                                                  max_attempts=max_attempts)
            elif change.state is None:  # store_change sets a state for every non-retry
                raise AssertionError(f"no state for outcome {outcome}")
            elif change.next_attempt_at is not None:
                uploads.transition(conn, upload.id, change.state, now=now,
                                   reason=change.reason, next_attempt_at=change.next_attempt_at)
            else:
                uploads.transition(conn, upload.id, change.state, now=now,
                                   reason=change.reason)
            outcome = recorded_outcome(outcome, change, state_after)
            uploads.finish_attempt(conn, attempt_id, now=now, outcome=outcome, detail=detail,
                                   evidence=evidence.stored)
        self.summary.count(upload.portal, outcome)
        log.info("upload %s to %s: %s (%s)", upload.billing_document, upload.portal, outcome,
                 detail)
        if self.on_upload:
            self.on_upload(upload.portal, upload.billing_document, outcome)
