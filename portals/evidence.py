"""The evidence pack of one upload attempt: what was typed, what the portal showed, and on
failure a Playwright trace — enough for a person to see exactly what happened.

What it never holds: the portal password, the TOTP seed or session cookie values. The login
happens outside the recording, and every file is scanned for those secrets (inside the trace's
zip members too) before it is kept. Files are owner-only (0600 in 0700 folders).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from pathlib import Path

from playwright.async_api import BrowserContext
from playwright.async_api import Error as PlaywrightError

from portals.driver import InvoiceSubmission
from portals.redact import Redactor
from sync.files import private_dir, private_file, write_private

log = logging.getLogger(__name__)
TRACE = "trace.zip"


class EvidencePack:
    def __init__(self, root: Path, portal: str, billing_document: str, attempt: int) -> None:
        self.root = root
        self.folder = private_dir(root / portal / billing_document / f"attempt-{attempt}")

    @property
    def stored(self) -> str:
        """The folder as the store keeps it: relative to ``ARBRIDGE_HOME`` (the evidence
        root's parent), so the pack is found whatever folder the web app runs from and
        after the home is moved or restored."""
        return stored_path(self.root, self.folder)

    def values(self, submission: InvoiceSubmission, pdf: Path | None) -> None:
        data = {k: str(v) for k, v in asdict(submission).items()}
        data["gross"] = str(submission.gross)
        data["attachment"] = str(pdf) if pdf else None
        write_private(self.folder / "values.json", json.dumps(data, indent=2))

    def outcome(self, outcome: str, text: str) -> None:
        write_private(self.folder / "result.txt", f"{outcome}: {text}\n")

    @property
    def screenshot_path(self) -> Path:
        return self.folder / "screenshot.png"

    async def keep_trace(self, context: BrowserContext, redactor: Redactor) -> None:
        await save_trace(context, self.folder, redactor, chunk=True)

    async def seal(self, context: BrowserContext, redactor: Redactor, *, keep: bool) -> None:
        """End the attempt's trace chunk (kept or dropped), then scan the whole pack — even
        when the browser failed on the way."""
        try:
            if keep:
                await self.keep_trace(context, redactor)
            else:
                await context.tracing.stop_chunk()
        finally:
            await scrub(self.folder, context, redactor)

    @staticmethod
    async def drop_trace(context: BrowserContext) -> None:
        await context.tracing.stop_chunk()


def stored_path(evidence_root: Path, folder: Path) -> str:
    """``folder`` relative to the home (``evidence/<portal>/<document>/attempt-N``)."""
    return folder.relative_to(evidence_root.parent).as_posix()


async def scrub(folder: Path, context: BrowserContext, redactor: Redactor) -> int:
    """Redact every secret from the files in ``folder``, the context's current cookies
    included (if the browser can still say what they are)."""
    try:
        redactor.add_cookies(c["value"] for c in await context.cookies())
    except PlaywrightError:
        log.warning("cookies of a failed browser unknown; evidence %s scanned without them",
                    folder)
    return redactor.scrub_folder(folder)


async def save_trace(context: BrowserContext, folder: Path, redactor: Redactor, *,
                     chunk: bool) -> Path:
    """Write the trace under a temporary name, redact it, and only then keep it as
    ``trace.zip`` (owner-only)."""
    private_dir(folder)
    partial = folder / f".{TRACE}.partial"
    if chunk:
        await context.tracing.stop_chunk(path=str(partial))
    else:
        await context.tracing.stop(path=str(partial))
    private_file(partial)
    redactor.add_cookies(c["value"] for c in await context.cookies())
    redactor.scrub_file(partial)
    final = folder / TRACE
    partial.replace(final)
    return final
