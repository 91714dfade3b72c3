"""The demo's figures quoted in docs/demo.md are what ``arbridge demo --json`` prints on a
fresh home, with the default book (issue 18, item 7); and the receipts it counts as
unallocated and proposed are those ``arbridge bank unallocated`` lists."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from tests.workers.cli.test_output import arbridge

DOC = Path(__file__).resolve().parents[3] / "docs" / "demo.md"
ROW = re.compile(r"^\| `([A-Za-z0-9_.]+)` \| ([\d,.]+) \|", re.MULTILINE)
DEFAULT_BOOK = {"ARBRIDGE_SAP__SIMULATOR_CUSTOMERS": "500",
                "ARBRIDGE_SAP__SIMULATOR_BILLING_DOCUMENTS": "3000"}


def quoted() -> dict[str, Decimal]:
    """JSON path → the figure the page quotes (counts, days, and amounts as their text)."""
    return {path: Decimal(value.replace(",", "")) for path, value in ROW.findall(DOC.read_text())}


def test_docs_quote_the_figures_of_every_section():
    assert {p.split(".")[0] for p in quoted()} == {"sap", "portals", "po", "bank",
                                                   "allocations", "journals", "reports",
                                                   "collections"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    home = tmp_path_factory.mktemp("demo-figures")
    result = arbridge(home, "demo", "--json", **DEFAULT_BOOK)
    assert result.returncode == 0, result.stderr
    return home, json.loads(result.stdout)


def test_the_demo_prints_the_figures_docs_demo_md_quotes(demo):
    _, printed = demo
    moved = {}
    for path, value in quoted().items():
        found: object = printed
        for part in path.split("."):
            found = found[part]  # type: ignore[index]
        if Decimal(str(found)) != value:
            moved[path] = (value, found)
    assert moved == {}, f"docs/demo.md quotes (quoted, printed): {moved}"


def test_bank_unallocated_lists_what_the_demo_counts(demo):
    home, printed = demo
    listed = json.loads(arbridge(home, "bank", "unallocated", "--json", **DEFAULT_BOOK).stdout)
    states = [row["state"] for row in listed]
    assert states.count("open") == printed["allocations"]["unallocated"]
    assert states.count("proposed") == printed["allocations"]["proposed"]
    piped = arbridge(home, "bank", "unallocated", **DEFAULT_BOOK)
    assert piped.stdout.count("\tunallocated\t") == printed["allocations"]["unallocated"]
