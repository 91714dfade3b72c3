"""The session's small demo (``arbridge demo --json`` on the small book), run once for the
whole run and shared by the xdist workers: the command-line tests copy or read its folder,
and the concurrent-runs test compares what several demos at once print with it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from sync.locks import exclusive
from tests.workers.cli.test_output import arbridge

__all__ = ["SMALL_DEMO_LOOKBACK", "small_demo"]

SMALL_DEMO_LOOKBACK = {"ARBRIDGE_PORTAL_UPLOAD_LOOKBACK_DAYS": "45"}


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory
               ) -> tuple[Path, subprocess.CompletedProcess]:
    """A folder where ``arbridge demo --json`` ran on the small book (30 customers, 200
    billing documents), and what it printed. Left as the demo left it: a test works in a
    copy (:func:`copy_of`) or only reads it. It runs under a default login shell's umask
    (022), so the files it leaves show the modes arbridge sets, not the ones a strict umask
    would give anyway (``test_file_modes``). Uploads look back 45 days: the small book has
    few invoices in the default window, and the PO tests want some depleted and released."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):  # not under xdist (or -p no:xdist)
        folder = tmp_path_factory.mktemp("small-demo")
        return folder, _small_demo(folder)
    # One demo for the run, not one per worker: the workers' temporary folders share a parent
    # of this run's own; the first worker to get here runs it, the others wait and read it.
    shared = tmp_path_factory.getbasetemp().parent
    folder, record = shared / "small-demo", shared / "small-demo.json"
    with exclusive(folder, "the session's small demo", announce=False):
        if not record.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a demo that failed left
            folder.mkdir(mode=0o700)
            done = _small_demo(folder)
            record.write_text(json.dumps({"args": done.args, "returncode": done.returncode,
                                          "stdout": done.stdout, "stderr": done.stderr}))
    kept = json.loads(record.read_text())
    return folder, subprocess.CompletedProcess(kept["args"], kept["returncode"],
                                               kept["stdout"], kept["stderr"])


def _small_demo(folder: Path) -> subprocess.CompletedProcess:
    return arbridge(folder, "demo", "--json", umask=0o022, **SMALL_DEMO_LOOKBACK)
