"""Start-up checks of settings that parse but cannot work: a customer or group bound to a
portal that is not configured (its invoices would never be queued, silently), or a working
folder arbridge cannot write. Each raises :class:`ConfigError` naming the setting."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from config.errors import ConfigError
from config.portals import DEMO_PORTALS
from config.settings import Settings


def configured_portals(settings: Settings) -> tuple[str, ...]:
    """The portal names uploads can go to: ``[portals.NAME]``, or the demo portal's two
    flavours when none is configured (the embedded defaults)."""
    return tuple(settings.portals) if settings.portals else DEMO_PORTALS


def check_bindings(settings: Settings) -> None:
    """Every binding and group must name a configured portal."""
    known = configured_portals(settings)
    listed = ", ".join(known)
    for customer, portal in settings.portal_bindings.items():
        if portal not in known:
            raise ConfigError(f"ARBRIDGE_PORTAL_BINDINGS binds customer {customer} to portal "
                              f"{portal!r}, which is not configured (configured: {listed})")
    for group, portal in settings.portal_customer_groups.items():
        if portal not in known:
            raise ConfigError(f"ARBRIDGE_PORTAL_CUSTOMER_GROUPS maps customer group {group} to "
                              f"portal {portal!r}, which is not configured (configured: "
                              f"{listed})")


def check_portal_name(settings: Settings, portal: str | None,
                      also: tuple[str, ...] = ()) -> None:
    """``--portal P`` must name a configured portal (or one in ``also``, e.g. in the store)."""
    known = configured_portals(settings)
    if portal is not None and portal not in known and portal not in also:
        raise ConfigError(f"--portal {portal}: no such portal (configured: "
                          f"{', '.join(known)})")


def check_home(settings: Settings) -> None:
    """``ARBRIDGE_HOME`` must be a folder arbridge can create and write in."""
    home = settings.home
    try:
        home.mkdir(parents=True, exist_ok=True)
        if not os.access(home, os.W_OK | os.X_OK):
            raise PermissionError
        with tempfile.TemporaryFile(dir=home):
            pass
    except OSError as exc:
        reason = exc.strerror or "permission denied"
        raise ConfigError(f"ARBRIDGE_HOME {_shown(home)} is not a folder arbridge can write in "
                          f"({reason})") from exc


def _shown(path: Path) -> str:
    try:
        return str(path.resolve())
    except OSError:
        return str(path)
