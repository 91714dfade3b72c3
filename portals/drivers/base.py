"""What every Playwright driver shares: navigation that classifies failures, session-expiry
recovery, and lookups that turn a missing element into a clear 'the page changed' error."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar

from playwright.async_api import BrowserContext, Locator, Page, Response
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from portals.driver import InvoiceSubmission, PortalInvoice, SubmitResult
from portals.errors import (
    PortalLayoutChanged,
    PortalRejected,
    PortalUnavailable,
    PortalUncertain,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
RELOGINS = 2


class SessionExpired(Exception):
    """The portal sent us back to its login page mid-flow."""


class PageDriver:
    """Base for one portal kind. Subclasses set ``kind`` and implement the PortalDriver
    methods, using ``goto``/``find``/``with_session``."""

    kind = "page"

    def __init__(self, *, context: BrowserContext, url: str, user: str, password: str,
                 totp_secret: str | None = None, timeout_seconds: float = 15.0,
                 state_path: Path | None = None) -> None:
        self.context = context
        self.base = url.rstrip("/")
        self.user = user
        self._password = password
        self._totp_secret = totp_secret
        self.timeout_ms = timeout_seconds * 1000
        self._state_path = state_path
        self._page: Page | None = None

    def __repr__(self) -> str:  # never show the password
        return f"{type(self).__name__}(url={self.base!r}, user={self.user!r})"

    # -- to implement -------------------------------------------------------------------------
    def is_login_page(self, url: str) -> bool:
        raise NotImplementedError

    async def login(self) -> None:
        raise NotImplementedError

    # -- helpers ------------------------------------------------------------------------------
    async def page(self) -> Page:
        if self._page is None or self._page.is_closed():
            self._page = await self.context.new_page()
            self._page.set_default_timeout(self.timeout_ms)
        return self._page

    async def goto(self, path: str, *, expect_login: bool = False) -> Page:
        """Open ``path``; 5xx or a page too slow is retriable; the login page means the
        session expired (raised as :class:`SessionExpired` unless a login was expected)."""
        page = await self.page()
        url = self.base + path
        try:
            response = await page.goto(url, wait_until="domcontentloaded")
        except PlaywrightTimeoutError as exc:
            raise PortalUnavailable(f"{self.kind}: {path} did not load within "
                                    f"{self.timeout_ms / 1000:.0f}s") from exc
        except PlaywrightError as exc:
            raise PortalUnavailable(f"{self.kind} at {self.base} not reachable: "
                                    f"{str(exc).splitlines()[0]}") from exc
        self.check_response(response, path)
        if not expect_login and self.is_login_page(page.url):
            raise SessionExpired(path)
        return page

    def check_response(self, response: Response | None, path: str) -> None:
        if response is not None and response.status >= 500:
            raise PortalUnavailable(f"{self.kind} answered {response.status} on {path}")

    async def find(self, locator: Locator, what: str, *, visible: bool = True) -> Locator:
        """Wait for ``locator`` (visible, or only present for containers that may be empty);
        if it never shows, the page is not the one the driver knows."""
        try:
            await locator.first.wait_for(state="visible" if visible else "attached")
        except PlaywrightTimeoutError as exc:
            page = await self.page()
            raise PortalLayoutChanged(
                f"{self.kind}: {what} not found on {page.url.split('?')[0]} — the portal's "
                "page has changed and the driver needs updating") from exc
        return locator.first

    async def with_session(self, action: Callable[[], Awaitable[T]]) -> T:
        """Run ``action``; if the session expired on the way, log in again and rerun it (a
        fresh session can expire too, so up to ``RELOGINS`` times)."""
        for _ in range(RELOGINS):
            try:
                return await action()
            except SessionExpired as expired:
                log.info("%s session expired at %s; logging in again", self.kind, expired)
                await self.login()
        return await action()

    # -- submitting ---------------------------------------------------------------------------
    async def submit_invoice(self, invoice: InvoiceSubmission, pdf: Path) -> SubmitResult:
        """Fill and send the invoice; if the session expired on the way, log in again and
        look the invoice up before sending it a second time."""
        try:
            return await self.fill_and_send(invoice, pdf)
        except SessionExpired:
            await self.login()
            existing = await self.find_invoice(invoice.number)
            if existing is not None:
                return SubmitResult(existing, "found on the portal after logging in again")
            return await self.fill_and_send(invoice, pdf)

    async def fill_and_send(self, invoice: InvoiceSubmission, pdf: Path) -> SubmitResult:
        raise NotImplementedError

    async def find_invoice(self, number: str) -> PortalInvoice | None:
        raise NotImplementedError

    async def send(self, page: Page, button: Locator, invoice: InvoiceSubmission, *,
                   post_path: str, error_selector: str,
                   listed: Callable[[Page, str], Awaitable[PortalInvoice | None]]
                   ) -> PortalInvoice:
        """Click the final submit and classify what comes back: no answer or a 5xx is
        uncertain (the runner looks it up), the login page means the session expired, the
        portal's error box is a rejection, and the invoice must then be listed."""
        try:
            async with page.expect_response(
                    lambda r: r.request.method == "POST" and post_path in r.url) as posted:
                await button.click()
            response = await posted.value
        except PlaywrightTimeoutError as exc:
            raise PortalUncertain(f"{self.kind}: no answer after submitting invoice "
                                  f"{invoice.number}") from exc
        if response.status >= 500:
            raise PortalUncertain(f"{self.kind} answered {response.status} to invoice "
                                  f"{invoice.number}; it may have been stored")
        await page.wait_for_load_state("domcontentloaded")
        if self.is_login_page(page.url):
            raise SessionExpired("submit")
        error = page.locator(error_selector)
        if await error.count():
            raise PortalRejected(f"{self.kind} rejected invoice {invoice.number}: "
                                 f"{(await error.first.text_content() or '').strip()}")
        found = await listed(page, invoice.number)
        if found is None:
            raise PortalUncertain(f"{self.kind}: invoice {invoice.number} not listed after "
                                  "submitting")
        return found

    async def save_session(self) -> None:
        if self._state_path is not None:
            self._state_path.parent.mkdir(parents=True, exist_ok=True)
            await self.context.storage_state(path=str(self._state_path))

    async def screenshot(self, path: Path) -> None:
        page = await self.page()
        path.parent.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(path), full_page=True)

    @property
    def password(self) -> str:
        return self._password

    @property
    def totp_secret(self) -> str | None:
        return self._totp_secret


def money(text: str, what: str) -> Decimal:
    cleaned = "".join(c for c in text if c.isdigit() or c in ".-")
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:
        raise PortalLayoutChanged(f"{what} is not an amount: {text!r}") from exc
