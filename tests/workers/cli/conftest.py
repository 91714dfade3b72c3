"""Fixtures for the command-line tests: a copy of a folder (the session's small demo is
``tests/workers/conftest.py``'s); a home with the seeded SAP simulator pulled into its store,
for commands that read the store (:func:`home`, :func:`run`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from config.settings import Settings
from workers.cli.app import app
from workers.cli.sap import run_pull


def copy_of(folder: Path, target: Path) -> Path:
    """``target``, a copy of ``folder`` (its store, simulator, outbox and secrets, modes
    kept)."""
    shutil.copytree(folder, target, symlinks=True)
    return target


@pytest.fixture
def home(settings: Settings, seeded_template: Path,
         monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The test's settings as ``ARBRIDGE_HOME`` (and database) of the command line, with the
    seeded simulator pulled into a fresh store."""
    settings.simulator_path.write_bytes(seeded_template.read_bytes())
    monkeypatch.setenv("ARBRIDGE_HOME", str(settings.home))
    if settings.database_url:
        monkeypatch.setenv("ARBRIDGE_DATABASE_URL", settings.database_url)
    run_pull(settings, full=False, show_progress=False, create_store=True)
    return settings


def run(*args: str) -> tuple[int, str]:
    """``arbridge ARGS…`` in process: its exit code and what it printed."""
    done = CliRunner().invoke(app, list(args))
    return done.exit_code, done.output
