"""The daily portal health check: log in and open the Orders page of every portal, so an
expired password or a changed page is found before billing day."""

from __future__ import annotations

from config.portals import BrowserSettings
from portals.accounts import PortalAccount
from portals.errors import PortalLayoutChanged
from portals.po_read import orders_of_each


async def check_portals(accounts: dict[str, PortalAccount],
                        browser: BrowserSettings) -> dict[str, str | None]:
    """Portal name → None if fine, else what is wrong (one line)."""
    found = await check_portals_detailed(accounts, browser)
    return {name: None if error is None else str(error).splitlines()[0]
            for name, error in found.items()}


async def check_portals_detailed(accounts: dict[str, PortalAccount], browser: BrowserSettings
                                 ) -> dict[str, Exception | None]:
    """Portal name → None if fine, else the error (its class says what to do about it)."""
    found = await orders_of_each(accounts, browser)
    return {name: got if isinstance(got, Exception) else
            None if got is not None else PortalLayoutChanged("no Orders page")
            for name, got in found.items()}
