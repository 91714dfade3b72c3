"""Fixtures for the command-line tests: the small demo, run once per session (per xdist
worker) in a folder that tests never change but copy."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.workers.cli.test_output import arbridge


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory
               ) -> tuple[Path, subprocess.CompletedProcess]:
    """A folder where ``arbridge demo --json`` ran on the small book (30 customers, 200
    billing documents), and what it printed. Left as the demo left it: a test works in a
    copy (:func:`copy_of`)."""
    folder = tmp_path_factory.mktemp("small-demo")
    return folder, arbridge(folder, "demo", "--json")


def copy_of(folder: Path, target: Path) -> Path:
    """``target``, a copy of ``folder`` (its store, simulator, outbox and secrets, modes
    kept)."""
    shutil.copytree(folder, target, symlinks=True)
    return target
