"""The daily portal health check: log in and open the Orders page of every portal, so an
expired password or a changed page is found before billing day."""

from __future__ import annotations

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright

from config.errors import ArbridgeError
from config.portals import BrowserSettings
from portals.accounts import PortalAccount
from portals.browser import BrowserPool
from portals.errors import PortalLayoutChanged
from portals.registry import make_driver


async def check_portals(accounts: dict[str, PortalAccount],
                        browser: BrowserSettings) -> dict[str, str | None]:
    """Portal name → None if fine, else what is wrong (one line)."""
    found = await check_portals_detailed(accounts, browser)
    return {name: None if error is None else str(error).splitlines()[0]
            for name, error in found.items()}


async def check_portals_detailed(accounts: dict[str, PortalAccount], browser: BrowserSettings
                                 ) -> dict[str, Exception | None]:
    """Portal name → None if fine, else the error (its class says what to do about it)."""
    results: dict[str, Exception | None] = {}
    async with async_playwright() as playwright:
        pool = BrowserPool(playwright, browser, recycle_after=1000)
        try:
            for name, account in accounts.items():
                context = await pool.context(None)
                try:
                    driver = make_driver(account, context)
                    await driver.login()
                    orders = await driver.purchase_orders()
                    results[name] = None if orders is not None else \
                        PortalLayoutChanged("no Orders page")
                except (ArbridgeError, PlaywrightError) as error:
                    results[name] = error
                finally:
                    await pool.release(context)
        finally:
            await pool.close()
    return results
