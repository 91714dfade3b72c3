"""Portal kinds and their drivers. Adding a portal = one driver class + one line here."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import BrowserContext

from config.errors import ConfigError
from portals.accounts import PortalAccount
from portals.drivers.base import PageDriver
from portals.drivers.demo_ariba import AribaDemoDriver
from portals.drivers.demo_coupa import CoupaDemoDriver

DRIVERS: dict[str, type[PageDriver]] = {
    CoupaDemoDriver.kind: CoupaDemoDriver,
    AribaDemoDriver.kind: AribaDemoDriver,
}


def driver_class(kind: str) -> type[PageDriver]:
    try:
        return DRIVERS[kind]
    except KeyError:
        raise ConfigError(f"no driver for portal kind {kind!r}; known kinds: "
                          f"{', '.join(sorted(DRIVERS))}") from None


def make_driver(account: PortalAccount, context: BrowserContext,
                state_path: Path | None = None) -> PageDriver:
    """The driver for ``account``'s portal kind, in ``context``, with its decrypted secrets."""
    return driver_class(account.settings.kind)(
        context=context, url=account.settings.url, user=account.settings.user,
        password=account.password, totp_secret=account.totp_secret,
        timeout_seconds=account.settings.timeout_seconds, state_path=state_path)
