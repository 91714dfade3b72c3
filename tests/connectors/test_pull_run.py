"""The pull run as the ``sap_pull`` job and ``arbridge sap pull`` start it: the embedded SAP
is seeded once on first use, the progress display is open only around the pull, and a
missing store is refused before anything is seeded."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from config.errors import ConfigError
from connectors.pull_run import run_pull, simulator_needs_seed


def test_first_pull_seeds_the_embedded_sap_once_and_reports_progress(store, settings, capsys):
    seen: list[tuple[str, str, int]] = []
    opened: list[str] = []

    @contextmanager
    def display() -> Iterator[object]:
        opened.append("open")
        yield lambda entity, scope, counts: seen.append((entity, scope, counts.fetched))
        opened.append("closed")

    assert simulator_needs_seed(settings)
    result = run_pull(settings, full=False, progress=display)
    assert "seeding the embedded SAP simulator (first use): 40 customers, 300 billing " \
           "documents" in capsys.readouterr().err
    assert opened == ["open", "closed"]
    assert result.counts["customers"].inserted == 40
    assert {entity for entity, _, _ in seen} >= {"customers", "billing_documents"}

    again = run_pull(settings, full=False)  # seeded already: no notice, nothing new
    assert "seeding" not in capsys.readouterr().err
    assert again.counts["customers"].inserted == 0


def test_a_missing_store_is_refused_before_the_simulator_is_seeded(tmp_path):
    from config.settings import load_settings

    settings = load_settings(home=tmp_path / "typo")
    seeded: list[object] = []
    with pytest.raises(ConfigError, match="no store at .*arbridge init"):
        run_pull(settings, full=False, seed=seeded.append)
    assert seeded == []
