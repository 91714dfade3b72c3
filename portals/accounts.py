"""Portal accounts with their secrets decrypted, ready for a driver. Never logged."""

from __future__ import annotations

from dataclasses import dataclass, field

from config.portals import PortalSettings
from config.secrets import SecretBox


@dataclass(frozen=True)
class PortalAccount:
    name: str
    settings: PortalSettings
    password: str = field(repr=False)
    totp_secret: str | None = field(default=None, repr=False)


def resolve(portals: dict[str, PortalSettings], box: SecretBox) -> dict[str, PortalAccount]:
    """Decrypt each portal's secrets; a token the key cannot open names its setting."""
    accounts = {}
    for name, portal in portals.items():
        password = box.decrypt(portal.password_encrypted,
                               setting=f"portals.{name}.password_encrypted")
        totp = None
        if portal.totp_secret_encrypted:
            totp = box.decrypt(portal.totp_secret_encrypted,
                               setting=f"portals.{name}.totp_secret_encrypted")
        accounts[name] = PortalAccount(name=name, settings=portal, password=password,
                                       totp_secret=totp)
    return accounts
