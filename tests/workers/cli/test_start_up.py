"""The ``arbridge`` command starts fast: its command modules import only what building the
command line needs (typer, rich) at the top, the rest inside the commands (workers/cli/app.py).
``arbridge --help`` and a usage error then cost a seventh of a second, not half a second."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("sqlalchemy", "pydantic_settings", "sync.store", "config.settings", "argon2")


def test_building_the_command_line_imports_no_store_and_no_settings():
    probe = ("import sys, workers.cli.app; "
             f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"imported at start-up: {done.stdout.strip()}"
