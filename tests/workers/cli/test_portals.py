"""``arbridge portals check`` against the real demo portal: exit 0 when every portal logs in,
2 when a password is wrong (a person fixes the configuration), one line naming the portal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from config.secrets import SecretBox
from portals.demo.seed import DEMO_LOGIN, DEMO_PASSWORD
from workers.web_server import DemoServer

ARBRIDGE = str(Path(sys.executable).parent / "arbridge")


def _check(workdir: Path, url: str, password: str) -> subprocess.CompletedProcess:
    box = SecretBox.load(workdir / "var")
    (workdir / "arbridge.toml").write_text(
        f'[portals.acme-ariba]\nkind = "demo-ariba"\nurl = "{url}/ariba"\n'
        f'user = "{DEMO_LOGIN}"\npassword_encrypted = "{box.encrypt(password)}"\n'
        "timeout_seconds = 30\n")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ARBRIDGE_")}
    return subprocess.run([ARBRIDGE, "portals", "check"], cwd=workdir, env=environment,
                          capture_output=True, text=True, timeout=180)


def test_portal_check_is_0_when_fine_and_2_with_a_wrong_password(tmp_path):
    with DemoServer(tmp_path / "portal") as server:
        server.states["ariba"].add_account(DEMO_LOGIN, DEMO_PASSWORD, None)
        fine = _check(tmp_path, server.url, DEMO_PASSWORD)
        wrong = _check(tmp_path, server.url, "not-the-password")
    assert fine.returncode == 0, fine.stderr
    assert fine.stdout.strip() == "ok   acme-ariba" and fine.stderr == ""
    assert wrong.returncode == 2, wrong.stderr
    assert wrong.stdout.startswith("FAIL acme-ariba: ")
    lines = wrong.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: portal check failed for acme-ariba")
    assert "not-the-password" not in wrong.stdout + wrong.stderr
