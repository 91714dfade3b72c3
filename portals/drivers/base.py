"""What every Playwright driver shares: navigation that classifies failures, session-expiry
recovery with the login done outside any recording, and lookups that turn a missing element
into a clear 'the page changed' error."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from playwright.async_api import BrowserContext, Locator, Page, Response
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from config.redaction import redact_text, redact_url
from portals.driver import InvoiceSubmission, PortalInvoice, SubmitResult
from portals.errors import (
    PortalLayoutChanged,
    PortalLoginFailed,
    PortalPageNotFound,
    PortalRejected,
    PortalUnavailable,
    PortalUncertain,
)
from sync.files import private_dir, write_private

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
        self.cookie_values: set[str] = set()  # every session cookie this driver has held

    def __repr__(self) -> str:  # never show the password
        return f"{type(self).__name__}(url={self.base!r}, user={self.user!r})"

    # -- to implement -------------------------------------------------------------------------
    def is_login_page(self, url: str) -> bool:
        raise NotImplementedError

    async def login(self) -> None:
        raise NotImplementedError

    # -- helpers ------------------------------------------------------------------------------
    @staticmethod
    def segment(value: str) -> str:
        """``value`` encoded as one URL path segment or query value (``/``, ``?``, ``#``,
        ``&`` and spaces included), so a PO such as ``PO 12/2026`` stays one segment."""
        return quote(value, safe="")

    async def page(self) -> Page:
        if self._page is None or self._page.is_closed():
            self.cookie_values.update(c["value"] for c in await self.context.cookies())
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
            raise PortalUnavailable(
                f"{self.kind} at {redact_url(self.base)} not reachable: "
                f"{redact_text(str(exc).splitlines()[0], self.base)}") from exc
        self.check_response(response, path)
        if not expect_login and self.is_login_page(page.url):
            raise SessionExpired(path)
        return page

    def check_response(self, response: Response | None, path: str) -> None:
        """5xx is retriable; 404 means the address we built names nothing on the portal (a
        reference it does not know, or one we encoded wrongly) — not a changed page."""
        if response is not None and response.status >= 500:
            raise PortalUnavailable(f"{self.kind} answered {response.status} on {path}")
        if response is not None and response.status == 404:
            raise PortalPageNotFound(f"{self.kind} has no page at {path} (404): the reference "
                                     "in it is not known to the portal; check it")

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
                await self.sign_in()
        return await action()

    async def sign_in(self) -> None:
        """Log in in a browser context of its own that is never traced, then give its session
        cookies to this driver's context: the login's pages, typed password, TOTP code and
        network stay out of every recording and evidence file."""
        browser = self.context.browser
        if browser is None:  # a persistent context has no sibling: log in where we are
            await self.login()
            return
        private = await browser.new_context(accept_downloads=False)
        work_context, work_page = self.context, self._page
        self.context, self._page = private, None
        try:
            await self.login()
            cookies = await private.cookies()
        finally:
            self.context, self._page = work_context, work_page
            await private.close()
        self.cookie_values.update(c["value"] for c in cookies)
        await self.context.add_cookies(cookies)  # type: ignore[arg-type]

    async def logged_in(self, page: Page, error_selector: str) -> None:
        """After the login form is sent: still on a login page is a refusal, raised with the
        text of the portal's error box; otherwise the session is kept for the next run."""
        await page.wait_for_load_state("domcontentloaded")
        if self.is_login_page(page.url):
            error = page.locator(error_selector)
            text = (await error.first.text_content()) if await error.count() else "no reason"
            raise PortalLoginFailed(f"{self.kind} refused the login of {self.user}: {text}")
        await self.save_session()

    # -- submitting ---------------------------------------------------------------------------
    async def submit_invoice(self, invoice: InvoiceSubmission, pdf: Path) -> SubmitResult:
        """Fill and send the invoice; if the session expired on the way, log in again and
        look the invoice up before sending it a second time."""
        try:
            return await self.fill_and_send(invoice, pdf)
        except SessionExpired:
            await self.sign_in()
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
        """Keep the session for the next run (owner-only: it holds live cookies)."""
        if self._state_path is not None:
            state = await self.context.storage_state()
            write_private(self._state_path, json.dumps(state))

    async def screenshot(self, path: Path, *, full_page: bool = True) -> None:
        """PNG of the page (owner-only); the visible part is enough after a success (the
        portal's confirmation is at the top), the whole page is kept after a failure."""
        page = await self.page()
        private_dir(path.parent)
        write_private(path, await page.screenshot(full_page=full_page))

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
