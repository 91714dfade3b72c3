"""The evidence pack of one upload attempt: what was typed, what the portal showed, and on
failure a Playwright trace — enough for a person to see exactly what happened."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from playwright.async_api import BrowserContext

from portals.driver import InvoiceSubmission


class EvidencePack:
    def __init__(self, root: Path, portal: str, billing_document: str, attempt: int) -> None:
        self.folder = root / portal / billing_document / f"attempt-{attempt}"
        self.folder.mkdir(parents=True, exist_ok=True)

    def values(self, submission: InvoiceSubmission, pdf: Path | None) -> None:
        data = {k: str(v) for k, v in asdict(submission).items()}
        data["gross"] = str(submission.gross)
        data["attachment"] = str(pdf) if pdf else None
        (self.folder / "values.json").write_text(json.dumps(data, indent=2))

    def outcome(self, outcome: str, text: str) -> None:
        (self.folder / "result.txt").write_text(f"{outcome}: {text}\n")

    @property
    def screenshot_path(self) -> Path:
        return self.folder / "screenshot.png"

    async def keep_trace(self, context: BrowserContext) -> None:
        await context.tracing.stop_chunk(path=str(self.folder / "trace.zip"))

    @staticmethod
    async def drop_trace(context: BrowserContext) -> None:
        await context.tracing.stop_chunk()
