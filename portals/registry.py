"""Portal kinds and their drivers. Adding a portal = one driver class + one line here."""

from __future__ import annotations

from config.errors import ConfigError
from portals.demo_ariba import AribaDemoDriver
from portals.demo_coupa import CoupaDemoDriver
from portals.page_driver import PageDriver

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
