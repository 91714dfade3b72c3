"""Fixtures for end-to-end tests: the demo portal on loopback, a store with invoices of a
customer bound to it, and a runner driving real Chromium."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.portals import BrowserSettings
from config.secrets import SecretBox
from config.settings import Settings
from connectors.pdfs import RenderSource
from portals.accounts import resolve
from portals.browser import find_chromium
from portals.demo.seed import DEMO_LOGIN, DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_accounts
from portals.upload_run import RunSummary, UploadRunner
from tests.portals.demo_world import DemoWorld, add_customer, new_world
from workers.web_server import DemoServer

FLAVOUR = {"demo-coupa": "coupa", "demo-ariba": "ariba"}
PAGE_WAIT_S = 15  # how long the driver waits for a page or a field in these tests
# A changed page is found out only when the driver's wait for a field it knows runs out, so a
# test that changes the portal's layout waits that long for every failure: those tests wait
# 8 s (the demo portal's pages come in well under a second on a quiet machine; 5 s was too
# short for a page to load on a loaded one, which then failed as "did not load"), not
# PAGE_WAIT_S.
LAYOUT_CHANGE_WAIT_S = 8


@pytest.fixture(scope="session", autouse=True)
def chromium_available() -> None:
    if find_chromium(BrowserSettings()) is None:
        message = ("no Chromium found (install Debian's chromium, or set "
                   "ARBRIDGE_BROWSER__EXECUTABLE)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[DemoServer]:
    with DemoServer(tmp_path / "portal") as running:
        running.states["coupa"].add_account(DEMO_LOGIN, DEMO_PASSWORD, DEMO_TOTP_SECRET)
        running.states["ariba"].add_account(DEMO_LOGIN, DEMO_PASSWORD)
        yield running


class World(DemoWorld):
    """One test's world: settings, store, demo portal, and the portal under test."""

    STATES = FLAVOUR

    def add_customer(self, number: str, name: str) -> str:
        """Another customer bound to the portal under test."""
        add_customer(self.store, self.portal, number, name)
        return number

    def accounts(self, **overrides: object) -> dict:
        portals = demo_accounts(self.server.url, SecretBox.load(self.settings.home))
        chosen = portals[self.portal].model_copy(update={"timeout_seconds": PAGE_WAIT_S,
                                                              **overrides})
        return {self.portal: chosen}

    def run(self, clock=None, pdfs=None, **overrides: object) -> RunSummary:  # type: ignore[no-untyped-def]
        extra = {"clock": clock} if clock else {}
        runner = UploadRunner(
            store=self.store, accounts=resolve(self.accounts(**overrides),
                                               SecretBox.load(self.settings.home)),
            browser=BrowserSettings(), pdfs=pdfs or RenderSource(self.settings.home / "pdfs"),
            evidence_root=self.settings.evidence_path,
            session_root=self.settings.home / "sessions", **extra)
        return asyncio.run(runner.run())

    def evidence(self, document: str) -> list[Path]:
        """Each attempt's evidence folder, oldest first. The store keeps it relative to the
        home (``evidence/<portal>/<document>/attempt-N``), never to the test's folder."""
        return [evidence_folder(self.settings, a["evidence"]) for a in self.attempts(document)]


def evidence_folder(settings: Settings, stored: str) -> Path:
    """The folder of a stored evidence path, checked to be in the form the store promises."""
    relative = Path(stored)
    assert not relative.is_absolute() and relative.parts[0] == "evidence", \
        f"evidence stored as {stored!r}, not relative to the home"
    return settings.home / relative


def make_world(tmp_path: Path, server: DemoServer, portal: str) -> World:
    return new_world(World, tmp_path, server, portal)


@pytest.fixture(params=["demo-coupa", "demo-ariba"])
def world(request: pytest.FixtureRequest, tmp_path: Path, server: DemoServer) -> World:
    return make_world(tmp_path, server, request.param)


@pytest.fixture
def coupa(tmp_path: Path, server: DemoServer) -> World:
    return make_world(tmp_path, server, "demo-coupa")
