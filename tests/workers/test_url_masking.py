"""Passwords inside URLs (user-info or query) never reach the screen: not in
``status --json``, not in connection errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.redaction import redact_text, redact_url

ARBRIDGE = str(Path(sys.executable).parent / "arbridge")
SECRET = "s3cret-Query-Pw"


def arbridge(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ARBRIDGE_")}
    environment.update(env)
    return subprocess.run([ARBRIDGE, *args], cwd=cwd, env=environment, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize(("url", "shown"), [
    (f"postgresql://app:{SECRET}@db.example.com/ar", "postgresql://app:***@db.example.com/ar"),
    (f"postgresql://app@db/ar?sslmode=require&password={SECRET}",
     "postgresql://app@db/ar?sslmode=require&password=***"),
    (f"postgresql://db/ar?PASSWORD={SECRET}&user=app", "postgresql://db/ar?PASSWORD=***&user=app"),
    (f"redis://:{SECRET}@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
    ("sqlite:////var/lib/arbridge/arbridge.db", "sqlite:////var/lib/arbridge/arbridge.db"),
])
def test_passwords_are_masked_wherever_they_sit_in_a_url(url, shown):
    assert redact_url(url) == shown
    if SECRET in url:
        assert SECRET not in redact_text(f"could not connect with {SECRET}", url)


def test_status_json_masks_a_query_password(tmp_path, postgres_url):
    result = arbridge(tmp_path, "status", "--json",
                      ARBRIDGE_DATABASE_URL=f"{postgres_url}&password={SECRET}")
    assert result.returncode == 0, result.stderr
    assert SECRET not in result.stdout + result.stderr
    assert json.loads(result.stdout)["store"].endswith("&password=***")


def test_connection_error_masks_passwords_in_the_url(tmp_path):
    url = f"postgresql://app:{SECRET}@127.0.0.1:9/ar?password={SECRET}x&connect_timeout=2"
    result = arbridge(tmp_path, "status", "--json", ARBRIDGE_DATABASE_URL=url)
    assert result.returncode != 0
    assert "store at" in result.stderr  # not reachable: exit 3 (workers/cli/failures.py)
    assert SECRET not in result.stdout + result.stderr
