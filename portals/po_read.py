"""Read the POs of each portal now (``arbridge po refresh``): log in, open the Orders page,
return what the portal shows. A portal that fails is reported, the others still read."""

from __future__ import annotations

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright

from config.errors import ArbridgeError
from config.portals import BrowserSettings
from portals.accounts import PortalAccount
from portals.browser import BrowserPool
from portals.driver import PortalPurchaseOrder
from portals.registry import make_driver


async def read_purchase_orders(accounts: dict[str, PortalAccount], browser: BrowserSettings
                               ) -> dict[str, list[PortalPurchaseOrder] | str]:
    """Portal name → its POs, or one line saying what went wrong."""
    found = await orders_of_each(accounts, browser)
    return {name: str(got).splitlines()[0] if isinstance(got, Exception) else got
            for name, got in found.items()}


async def orders_of_each(accounts: dict[str, PortalAccount], browser: BrowserSettings
                         ) -> dict[str, list[PortalPurchaseOrder] | Exception]:
    """Log in to each portal in turn and open its Orders page: portal name → its POs, or
    the error that stopped it (its class says what to do about it).
    ``po refresh`` and the daily health check both read the portals this way."""
    results: dict[str, list[PortalPurchaseOrder] | Exception] = {}
    async with async_playwright() as playwright:
        pool = BrowserPool(playwright, browser, recycle_after=1000)
        try:
            for name, account in accounts.items():
                context = await pool.context(None)
                try:
                    driver = make_driver(account, context)
                    await driver.login()
                    results[name] = await driver.purchase_orders()
                except (ArbridgeError, PlaywrightError) as error:
                    results[name] = error
                finally:
                    await pool.release(context)
        finally:
            await pool.close()
    return results
