"""``arbridge report …`` and ``collections …`` refuse bad input plainly: an unknown customer,
an Excel target in a folder that does not exist; their options say what they take."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from workers.cli.app import app
from workers.cli.sap import run_pull


@pytest.fixture
def home(settings, seeded_template: Path, monkeypatch):  # type: ignore[no-untyped-def]
    settings.simulator_path.write_bytes(seeded_template.read_bytes())
    monkeypatch.setenv("ARBRIDGE_HOME", str(settings.home))
    if settings.database_url:
        monkeypatch.setenv("ARBRIDGE_DATABASE_URL", settings.database_url)
    run_pull(settings, full=False, show_progress=False, create_store=True)
    return settings


def run(*args: str) -> tuple[int, str]:
    done = CliRunner().invoke(app, list(args))
    return done.exit_code, done.output


def test_the_ageing_of_an_unknown_customer_says_so(home) -> None:  # type: ignore[no-untyped-def]
    code, output = run("report", "ageing", "--customer", "999")
    assert code != 0
    assert "customer 0000000999 is not in the store" in output
