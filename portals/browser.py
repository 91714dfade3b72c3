"""Chromium for the drivers: found on the system (or Playwright's own), launched headless with
the flags a locked-down server needs, and recycled after a number of uploads."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, Playwright

from config.portals import BrowserSettings

log = logging.getLogger(__name__)

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Chromium's old headless shell (Debian's chromium-headless-shell; what Playwright itself runs
# headless): no browser UI behind the page, about 30% less CPU per upload than the full
# browser run headless (bench/uploads.py: 396 against 556 ms of Chromium's CPU an upload).
HEADLESS_CANDIDATES = ("chromium-headless-shell",)
# Debian's /usr/bin/chromium-headless-shell is a shell script that runs this without `exec`,
# leaving a shell between Playwright and the browser: the binary itself is launched instead.
DEBIAN_WRAPPERS = {"/usr/bin/chromium-headless-shell": "/usr/lib/chromium/chromium-headless-shell"}
QUIET_FLAGS = ["--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-gpu", "--disable-quic",
               "--disable-dev-shm-usage"]


def find_chromium(settings: BrowserSettings) -> str | None:
    """The configured executable, else the first Chromium on PATH (headless: the headless
    shell if there is one), else None (Playwright's)."""
    if settings.executable:
        return settings.executable
    for name in (*HEADLESS_CANDIDATES, *CANDIDATES) if settings.headless else CANDIDATES:
        found = shutil.which(name)
        if found:
            binary = DEBIAN_WRAPPERS.get(found)
            return binary if binary and os.access(binary, os.X_OK) else found
    return None


def launch_args() -> list[str]:
    args = list(QUIET_FLAGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    return args


class BrowserPool:
    """Hands out browser contexts from one Chromium; after ``recycle_after`` uploads the next
    context comes from a fresh browser, and the old one closes when its last context does.

    Contexts start from the portal's saved ``storage_state`` so a login is reused."""

    def __init__(self, playwright: Playwright, settings: BrowserSettings, *,
                 recycle_after: int) -> None:
        self._playwright = playwright
        self._settings = settings
        self._recycle_after = recycle_after
        self._browser: Browser | None = None
        self._uploads = 0
        self._open: dict[Browser, int] = {}
        self._lock = asyncio.Lock()

    async def _launch(self) -> Browser:
        executable = find_chromium(self._settings)
        log.info("launching Chromium %s", executable or "(Playwright's own)")
        return await self._playwright.chromium.launch(
            executable_path=executable, headless=self._settings.headless, args=launch_args())

    async def context(self, storage_state: Path | None) -> BrowserContext:
        async with self._lock:
            if self._browser is None or self._uploads >= self._recycle_after:
                old, self._browser, self._uploads = self._browser, await self._launch(), 0
                if old is not None and self._open.get(old, 0) == 0:
                    await old.close()
            browser = self._browser
            self._open[browser] = self._open.get(browser, 0) + 1
        state = str(storage_state) if storage_state and storage_state.exists() else None
        return await browser.new_context(storage_state=state, accept_downloads=False)

    def count_upload(self) -> None:
        self._uploads += 1

    def should_renew(self, context: BrowserContext) -> bool:
        """True when the browser is due for recycling, or ``context`` belongs to a browser
        that already was: every slot then moves to the new browser at its next upload."""
        return self._uploads >= self._recycle_after or context.browser is not self._browser

    async def release(self, context: BrowserContext) -> None:
        browser = context.browser
        await context.close()
        async with self._lock:
            if browser is None:
                return
            self._open[browser] = self._open.get(browser, 1) - 1
            if browser is not self._browser and self._open[browser] <= 0:
                del self._open[browser]
                await browser.close()

    async def close(self) -> None:
        for browser in list(self._open) + ([self._browser] if self._browser else []):
            if browser.is_connected():
                await browser.close()
        self._open.clear()
        self._browser = None
