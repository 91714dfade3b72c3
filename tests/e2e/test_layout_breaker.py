"""A changed invoice form stops the portal's run after three failures, in real Chromium
(issue 18, item 8): the first failures keep their evidence, the rest stay queued, said once."""

from __future__ import annotations

import asyncio

from config.portals import BrowserSettings
from config.secrets import SecretBox
from connectors.pdfs import RenderSource
from portals.accounts import resolve
from portals.breaker import LayoutBreaker
from portals.upload_run import UploadRunner
from tests.e2e.conftest import LAYOUT_CHANGE_WAIT_S


def test_three_page_changes_in_a_row_stop_the_portal_and_leave_the_rest_queued(world):
    world.add_po("4500000001", "500000.00")
    documents = [world.add_invoice(90000100 + i, "4500000001") for i in range(8)]
    world.state.set_fault("layout", "v2-form")
    told: list[tuple[str, str]] = []
    runner = UploadRunner(
        store=world.store, accounts=resolve(world.accounts(concurrency=1,
                                                           timeout_seconds=LAYOUT_CHANGE_WAIT_S),
                                            SecretBox.load(world.settings.home)),
        browser=BrowserSettings(), pdfs=RenderSource(world.settings.home / "pdfs"),
        evidence_root=world.settings.evidence_path,
        session_root=world.settings.home / "sessions", breaker=LayoutBreaker(3),
        on_portal_stopped=lambda portal, message: told.append((portal, message)))
    summary = asyncio.run(runner.run())
    states = [world.upload(d).state for d in documents]
    assert states.count("failed") == 3 and states.count("ready") == 5
    assert summary.portals[world.portal]["failed"] == 3
    assert len(told) == 1 and told[0][0] == world.portal
    assert "3 invoices in a row" in summary.errors[world.portal]
    for document in documents[:3]:
        folder = world.evidence(document)[0]
        assert (folder / "screenshot.png").stat().st_size > 0
    for document in documents[3:]:
        assert world.attempts(document) == []
    assert world.state.invoices() == []
