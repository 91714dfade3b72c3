"""The suite never touches a home it did not create (issue 18, item 9). An operator who uses
arbridge has ``ARBRIDGE_HOME`` (and perhaps ``ARBRIDGE_DATABASE_URL`` and ``ARBRIDGE_CONFIG``)
set in the shell that runs ``make test``: here a pytest run of a CLI test that writes to its
store (it adds a user) is started in such a shell, whose home is a real, initialised one. The
test must pass and that home must be byte for byte as it was: no file added, changed or
removed (an SQLite store merely opened would leave its ``-wal`` beside it)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARBRIDGE = str(Path(sys.executable).parent / "arbridge")
WRITER = ("tests/workers/cli/test_users_and_serve.py::"
          "test_users_add_reads_the_password_from_stdin_and_stores_only_its_hash")


def snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file under ``folder``: its mode and a digest of its bytes."""
    return {str(path.relative_to(folder)): (path.stat().st_mode,
                                             hashlib.sha256(path.read_bytes()).hexdigest())
            for path in sorted(folder.rglob("*")) if path.is_file()}


def test_a_test_run_leaves_the_home_set_in_the_shell_untouched(tmp_path: Path) -> None:
    shell = {k: v for k, v in os.environ.items() if not k.startswith("ARBRIDGE_")}
    home = tmp_path / "operators-home"
    made = subprocess.run([ARBRIDGE, "init"], cwd=tmp_path, capture_output=True, text=True,
                          env={**shell, "ARBRIDGE_HOME": str(home)}, timeout=120)
    assert made.returncode == 0, made.stderr
    config = home / "arbridge.toml"
    config.write_text("[admin]\nport = 0\n")  # a run that read this would stop at once
    before = snapshot(home)
    assert "arbridge.db" in before
    shell.update(ARBRIDGE_HOME=str(home), ARBRIDGE_CONFIG=str(config),
                 ARBRIDGE_DATABASE_URL=f"sqlite:///{home / 'arbridge.db'}")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "-p", "no:xdist", WRITER], cwd=ROOT, env=shell,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "1 passed" in run.stdout
    assert snapshot(home) == before
