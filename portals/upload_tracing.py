"""Tracing and evidence helpers for upload runs: the browser context's Playwright trace
(with or without DOM snapshots), the redactor that keeps secrets out of evidence, and a
screenshot that never fails the upload."""

from __future__ import annotations

import logging

from playwright.async_api import BrowserContext
from playwright.async_api import Error as PlaywrightError

from config.settings import url_secrets
from portals.accounts import PortalAccount
from portals.drivers.base import PageDriver
from portals.evidence import EvidencePack
from portals.redact import Redactor

log = logging.getLogger(__name__)


class UploadTracing:
    """Mixed into the upload runner: ``_tracing`` maps a context to its recording mode."""

    _tracing: dict[int, bool]

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

    @staticmethod
    def _redactor(account: PortalAccount, driver: PageDriver) -> Redactor:
        redactor = Redactor([account.password, account.totp_secret,
                             *url_secrets(account.settings.url)])
        redactor.add_cookies(driver.cookie_values)
        return redactor

    @staticmethod
    async def _screenshot(driver: PageDriver, evidence: EvidencePack) -> None:
        try:
            await driver.screenshot(evidence.screenshot_path)
        except PlaywrightError:
            log.warning("no screenshot for %s", evidence.folder)
