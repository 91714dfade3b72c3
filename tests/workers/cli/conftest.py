"""Fixtures for the command-line tests: the small demo, run once per session (shared by the
xdist workers of one run) in a folder that tests never change but copy; a home with the
seeded SAP simulator pulled into its store, for commands that read the store (:func:`home`,
:func:`run`)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from config.settings import Settings
from sync.locks import exclusive
from tests.workers.cli.test_output import arbridge
from workers.cli.app import app
from workers.cli.sap import run_pull

SMALL_DEMO_LOOKBACK = {"ARBRIDGE_PORTAL_UPLOAD_LOOKBACK_DAYS": "45"}


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory, worker_id: str
               ) -> tuple[Path, subprocess.CompletedProcess]:
    """A folder where ``arbridge demo --json`` ran on the small book (30 customers, 200
    billing documents), and what it printed. Left as the demo left it: a test works in a
    copy (:func:`copy_of`) or only reads it. It runs under a default login shell's umask
    (022), so the files it leaves show the modes arbridge sets, not the ones a strict umask
    would give anyway (``test_file_modes``). Uploads look back 45 days: the small book has
    few invoices in the default window, and the PO tests want some depleted and released."""
    if worker_id == "master":  # not under xdist
        folder = tmp_path_factory.mktemp("small-demo")
        return folder, _small_demo(folder)
    # One demo for the run, not one per worker: the workers' temporary folders share a parent
    # of this run's own; the first worker to get here runs it, the others wait and read it.
    shared = tmp_path_factory.getbasetemp().parent
    folder, record = shared / "small-demo", shared / "small-demo.json"
    with exclusive(folder, "the session's small demo", announce=False):
        if not record.exists():
            folder.mkdir(mode=0o700)
            done = _small_demo(folder)
            record.write_text(json.dumps({"args": done.args, "returncode": done.returncode,
                                          "stdout": done.stdout, "stderr": done.stderr}))
    kept = json.loads(record.read_text())
    return folder, subprocess.CompletedProcess(kept["args"], kept["returncode"],
                                               kept["stdout"], kept["stderr"])


def _small_demo(folder: Path) -> subprocess.CompletedProcess:
    return arbridge(folder, "demo", "--json", umask=0o022, **SMALL_DEMO_LOOKBACK)


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
