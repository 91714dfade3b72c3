"""A portal with ``kind = "cxml"`` goes through the upload runner like any other, without a
browser, counted in the same run summary."""

from __future__ import annotations

import asyncio

from config.portals import BrowserSettings
from config.secrets import SecretBox
from portals.accounts import resolve
from portals.demo.seed import demo_cxml_accounts
from portals.upload_run import UploadRunner
from tests.portals.cxml.conftest import NoPdfs, World


def test_upload_runner_sends_cxml_portals_over_http(coupa: World) -> None:
    coupa.add_po("PO-100", "50000.00")
    document = coupa.add_invoice(90000001, "PO-100", "1000.00")
    box = SecretBox.load(coupa.settings.home)
    settings = demo_cxml_accounts(coupa.server.url, box, attachments=False)
    seen: list[tuple[str, str, str]] = []
    runner = UploadRunner(store=coupa.store, accounts=resolve(
        {coupa.portal: settings[coupa.portal]}, box), browser=BrowserSettings(), pdfs=NoPdfs(),
        evidence_root=coupa.settings.evidence_path, session_root=coupa.settings.home / "s",
        on_upload=lambda *args: seen.append(args))
    summary = asyncio.run(runner.run())
    assert summary.portals[coupa.portal]["submitted"] == 1
    assert seen == [(coupa.portal, document, "submitted")]
    assert coupa.state.copies() == {"90000001": 1}
