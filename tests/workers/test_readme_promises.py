"""The documentation's promises are true: the configuration page's table is one table that
documents every setting there is (and none that is not), the CLI reference's exit-code table is
the one the CLI uses, and the getting-started page's JSON example has the form ``--json``
prints."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import BaseModel

from config.checks import OTHER_VARIABLES
from config.settings import Settings
from workers import broker
from workers.cli import failures, jobs
from workers.cli.output import print_json

DOCS = Path(__file__).resolve().parents[2] / "docs"
CONFIGURATION = (DOCS / "configuration.md").read_text(encoding="utf-8")
CLI = (DOCS / "cli.md").read_text(encoding="utf-8")
GETTING_STARTED = (DOCS / "getting-started.md").read_text(encoding="utf-8")
READ_OUTSIDE_SETTINGS = set(OTHER_VARIABLES) | {jobs.BROKER_TIMEOUT_ENV, broker.BROKER_ENV,
                                                broker.PREFIX_ENV, broker.HEARTBEAT_ENV}


def _tables(text: str) -> list[list[str]]:
    """Each markdown table as its rows, split wherever a non-table line (a blank) comes."""
    tables: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return tables


def _documented() -> set[str]:
    tables = [t for t in _tables(CONFIGURATION) if t[0].startswith("| setting")]
    assert len(tables) == 1, "the configuration table is split"
    names: set[str] = set()
    for row in tables[0][2:]:
        first = row.split("|")[1]
        full = re.findall(r"`(ARBRIDGE_[A-Z0-9_]+?)`", first)
        names.update(full)
        prefix = full[0].rsplit("__", 1)[0] if full and "__" in full[0] else None
        names.update(f"{prefix}{short}" for short in re.findall(r"`(__[A-Z0-9_]+)`", first)
                     if prefix)
    return names


def _settings_names(model: type[BaseModel], prefix: str = "ARBRIDGE_") -> set[str]:
    names = set()
    for name, field in model.model_fields.items():
        env = f"{prefix}{name.upper()}"
        nested = field.annotation
        if isinstance(nested, type) and issubclass(nested, BaseModel):
            names |= _settings_names(nested, env + "__")
        else:
            names.add(env)
    return names


def test_the_configuration_table_documents_every_setting_and_no_other():
    documented = _documented()
    real = _settings_names(Settings) | READ_OUTSIDE_SETTINGS
    assert real - documented == set(), "settings missing from docs/configuration.md"
    assert documented - real == set(), "docs/configuration.md documents settings that do not exist"


def test_the_exit_code_table_is_the_one_the_cli_uses():
    table = next(t for t in _tables(CLI) if t[0].startswith("| code"))
    codes = {int(re.search(r"`(\d+)`", row).group(1)) for row in table[2:]}
    assert codes == {failures.EXIT_OK, failures.EXIT_FAILED, failures.EXIT_CONFIG,
                     failures.EXIT_UNAVAILABLE, failures.EXIT_INTERRUPTED,
                     failures.EXIT_PIPE_CLOSED}


def test_the_json_example_has_the_form_json_prints(capsys):
    block = re.search(r"```json\n(.*?)```", GETTING_STARTED, re.DOTALL).group(1)
    example = json.loads(block)
    assert set(example) == {"sap", "portals", "po", "bank", "allocations", "journals"}
    print_json(example)
    assert capsys.readouterr().out == block
