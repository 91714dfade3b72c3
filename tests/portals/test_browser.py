"""Which Chromium arbridge drives (``portals.browser.find_chromium``): the configured one,
else headless the headless shell when the system has it (less CPU an upload), else the full
browser; a visible browser is always the full one."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.portals import BrowserSettings
from portals.browser import find_chromium


def _on_path(folder: Path, *names: str) -> None:
    for name in names:
        program = folder / name
        program.write_text("#!/bin/sh\n")
        program.chmod(0o755)


@pytest.fixture
def path_of(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PATH", str(tmp_path))
    return tmp_path


def test_headless_prefers_the_headless_shell(path_of: Path) -> None:
    _on_path(path_of, "chromium", "chromium-headless-shell")
    assert find_chromium(BrowserSettings()) == str(path_of / "chromium-headless-shell")
    assert find_chromium(BrowserSettings(headless=False)) == str(path_of / "chromium")


def test_without_the_shell_the_full_browser_runs_headless(path_of: Path) -> None:
    _on_path(path_of, "chromium")
    assert find_chromium(BrowserSettings()) == str(path_of / "chromium")


def test_the_configured_executable_wins(path_of: Path) -> None:
    _on_path(path_of, "chromium-headless-shell")
    assert find_chromium(BrowserSettings(executable="/opt/chrome/chrome")) == "/opt/chrome/chrome"
