"""docs/architecture.md's "Where things are" table is the one the package docstrings make:
a package added, moved or re-described without regenerating the table fails here."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "layout_table.py"
DOC = ROOT / "docs" / "architecture.md"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=60, check=False)


def test_the_architecture_table_is_the_one_the_docstrings_make():
    result = _run("--check")
    assert result.returncode == 0, (
        "docs/architecture.md's layout table differs from the package docstrings; run "
        f"`python scripts/layout_table.py --write`\n{result.stdout}{result.stderr}")


def test_every_package_has_its_row_with_its_docstring():
    table = _run().stdout
    for init in sorted(ROOT.glob("sync/*/__init__.py")):
        if init.parent.name == "migrations":
            continue
        folder = f"| `sync/{init.parent.name}/` |"
        assert folder in table, f"no row for {init.parent}"
    row = next(line for line in table.splitlines() if line.startswith("| `sap/rfc/` |"))
    assert "RFC adapter" in row  # the first words of sap/rfc/__init__.py's docstring


def test_a_doctored_table_fails_the_check_naming_the_row(tmp_path):
    doc = tmp_path / "architecture.md"
    shutil.copy(DOC, doc)
    text = doc.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `sync/cash/` |"))
    doc.write_text(text.replace(row, "| `sync/cash/` | Something else. |"), encoding="utf-8")

    result = _run("--check", "--doc", str(doc))

    assert result.returncode == 1
    assert "-| `sync/cash/` | Something else. |" in result.stdout
    assert f"+{row}" in result.stdout
    assert "layout_table.py --write" in result.stderr


def test_write_regenerates_only_between_the_markers(tmp_path):
    doc = tmp_path / "architecture.md"
    text = DOC.read_text(encoding="utf-8")
    start, end = "<!-- layout-table:start -->\n", "<!-- layout-table:end -->"
    head, rest = text.split(start)
    _, tail = rest.split(end)
    doc.write_text(head + start + "| stale | table |\n" + end + tail, encoding="utf-8")

    assert _run("--write", "--doc", str(doc)).returncode == 0

    assert doc.read_text(encoding="utf-8") == text
    assert _run("--check", "--doc", str(doc)).returncode == 0
