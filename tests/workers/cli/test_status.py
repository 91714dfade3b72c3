"""A mistyped store path: only ``arbridge init`` (and the demo) create a store; every other
command says, in one line and with exit 2, that there is no store at that path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ARBRIDGE = str(Path(sys.executable).parent / "arbridge")


def arbridge(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ARBRIDGE_")}
    environment.update({"ARBRIDGE_SAP__SIMULATOR_CUSTOMERS": "10",
                        "ARBRIDGE_SAP__SIMULATOR_BILLING_DOCUMENTS": "20", **env})
    return subprocess.run([ARBRIDGE, *args], cwd=cwd, env=environment, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("args", [("status",), ("portals", "queue"), ("po", "list"),
                                  ("bank", "unallocated"), ("alerts", "list"),
                                  ("sap", "pull"), ("users", "list"), ("serve",),
                                  ("run", "--once")])
def test_command_on_a_missing_store_says_run_init_and_creates_nothing(tmp_path, args):
    result = arbridge(tmp_path, *args)
    store = tmp_path / "var" / "arbridge.db"
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(store) in lines[0] and "arbridge init" in lines[0]
    assert "ARBRIDGE_HOME" in lines[0]
    assert not store.exists()


def test_mistyped_database_url_is_named_and_not_created(tmp_path):
    (tmp_path / "stores").mkdir()
    result = arbridge(tmp_path, "status", ARBRIDGE_DATABASE_URL="sqlite:///stores/arbrige.db")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "stores/arbrige.db" in line and "ARBRIDGE_DATABASE_URL" in line
    assert "arbridge init" in line
    assert list((tmp_path / "stores").iterdir()) == []


def test_init_creates_the_store_the_other_commands_then_use(tmp_path):
    assert arbridge(tmp_path, "init").returncode == 0
    status = arbridge(tmp_path, "status")
    assert status.returncode == 0, status.stderr
    assert (tmp_path / "var" / "arbridge.db").exists()
