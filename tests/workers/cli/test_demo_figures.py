"""The demo's figures quoted in docs/demo.md are what ``arbridge demo --json`` prints on a
fresh home, with the default book (issue 18, item 7), on the day the page names; and the
receipts it counts as unallocated and proposed are those ``arbridge bank unallocated`` lists.

Some figures depend on the calendar (the invoices billed in the last seven days are the ones
uploaded; PO forecasts count business days; the count-back DSO walks back whole months), so
the demo runs with its clock set to that day by libfaketime (Debian's ``faketime``; ``make
test`` and ``.ci/run`` install it): the check holds on any day, not only on the day the page
was written."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tests.workers.cli.test_output import ARBRIDGE, _env, arbridge

DOC = Path(__file__).resolve().parents[3] / "docs" / "demo.md"
ROW = re.compile(r"^\| `([A-Za-z0-9_.]+)` \| ([\d,.]+) \|", re.MULTILINE)
TAKEN_ON = re.compile(r"taken from a run on\s+(\d{1,2}\s+[A-Z][a-z]+\s+\d{4})")
DEFAULT_BOOK = {"ARBRIDGE_SAP__SIMULATOR_CUSTOMERS": "500",
                "ARBRIDGE_SAP__SIMULATOR_BILLING_DOCUMENTS": "3000"}


def quoted() -> dict[str, Decimal]:
    """JSON path → the figure the page quotes (counts, days, and amounts as their text)."""
    return {path: Decimal(value.replace(",", "")) for path, value in ROW.findall(DOC.read_text())}


def test_docs_quote_the_figures_of_every_section():
    assert {p.split(".")[0] for p in quoted()} == {"sap", "portals", "po", "bank",
                                                   "allocations", "journals", "reports",
                                                   "collections"}


def taken_on() -> datetime:
    """The day docs/demo.md says its figures were taken on, at noon in Johannesburg."""
    found = TAKEN_ON.search(DOC.read_text())
    assert found, f"{DOC}: no 'taken from a run on <day> <Month> <year>' sentence"
    day = datetime.strptime(" ".join(found.group(1).split()), "%d %B %Y")
    return day.replace(hour=10)  # UTC


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    faketime = shutil.which("faketime")
    assert faketime, "faketime is missing: apt-get install faketime (make test installs it)"
    home = tmp_path_factory.mktemp("demo-figures")
    clock = f"@{taken_on():%Y-%m-%d %H:%M:%S}"  # starts there and runs on
    result = subprocess.run([faketime, "-f", clock, ARBRIDGE, "demo", "--json"], cwd=home,
                            env={**_env(**DEFAULT_BOOK), "TZ": "UTC"}, capture_output=True,
                            text=True, timeout=600)
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
