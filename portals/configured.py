"""The portals this installation uploads to: the configured ones, or on the embedded
defaults the bundled demo portal's two flavours (in the browser and over cXML)."""

from __future__ import annotations

from config.portals import PortalSettings
from config.settings import Settings

DEMO_PORT = 8765  # ``arbridge portals demo-server``'s usual port (portals.demo.server)


def portal_settings(settings: Settings, demo_url: str | None = None) -> dict[str, PortalSettings]:
    """The configured portals; on the embedded defaults (no portals configured), the two demo
    flavours (browser and cXML) at ``demo_url`` (default: ``arbridge portals demo-server`` on its
    usual port)."""
    if settings.portals:
        return dict(settings.portals)
    from config.secrets import SecretBox
    from portals.demo.seed import demo_accounts, demo_cxml_accounts

    url = demo_url or f"http://127.0.0.1:{DEMO_PORT}"
    box = SecretBox.load(settings.home)
    return {**demo_accounts(url, box), **demo_cxml_accounts(url, box)}
