"""After ``arbridge demo`` every file under ARBRIDGE_HOME is owner-only (POPIA: the store holds
customer contact details, sessions hold live cookies, evidence shows invoices)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

ARBRIDGE = str(Path(sys.executable).parent / "arbridge")


def test_demo_leaves_only_owner_only_files_and_folders(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARBRIDGE_")}
    env.update(ARBRIDGE_SAP__SIMULATOR_CUSTOMERS="30",
               ARBRIDGE_SAP__SIMULATOR_BILLING_DOCUMENTS="200",
               ARBRIDGE_PORTAL_UPLOAD_LOOKBACK_DAYS="45")  # a small book has few recent invoices
    result = subprocess.run([ARBRIDGE, "demo", "--json"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300,
                            preexec_fn=lambda: os.umask(0o022))  # a default login shell's umask
    assert result.returncode == 0, result.stderr
    home = tmp_path / "var"
    kinds = {p.relative_to(home).parts[0] for p in home.rglob("*")}
    assert {"arbridge.db", "sessions", "pdfs", "secret.key"} <= kinds
    readable = [f"{p} {stat.S_IMODE(p.stat().st_mode):o}" for p in [home, *home.rglob("*")]
                if not p.is_symlink() and stat.S_IMODE(p.stat().st_mode) & 0o077]
    assert readable == []
