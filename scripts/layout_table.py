"""The "Where things are" table of docs/architecture.md, generated from the package docstrings.

Every package of arbridge's product code (``config``, ``receivables``, ``sap``, ``sync``,
``connectors``, ``portals``, ``admin``, ``workers`` and every package inside them) gets one row:
its folder and the first paragraph of its ``__init__.py`` docstring, joined into one line.
Folders that hold no Python package (ABAP sources, fonts, templates, migrations, tests,
benchmarks) are described below, in ``OTHER_FOLDERS``, and listed only if they exist.

    python scripts/layout_table.py            # print the table
    python scripts/layout_table.py --check    # exit 1 if docs/architecture.md's table differs
    python scripts/layout_table.py --write    # rewrite the table in docs/architecture.md

The table sits between the ``<!-- layout-table:start -->`` and ``<!-- layout-table:end -->``
markers of docs/architecture.md; nothing outside them is touched.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
START = "<!-- layout-table:start -->"
END = "<!-- layout-table:end -->"

PACKAGES = ("config", "receivables", "sap", "sync", "connectors", "portals", "admin", "workers")

# Folders without a package docstring of their own: folder -> what lives there.
OTHER_FOLDERS = {
    "sap/abap": "The ABAP function modules arbridge ships for posting and correcting journals, "
                "with their installation steps (`sap/abap/README.md`).",
    "sync/migrations": "The store's Alembic migrations (SQLite and PostgreSQL).",
    "connectors/fonts": "The fonts rendered invoices use beyond Latin-1, with their licences.",
    "admin/templates": "The web app's Jinja2 templates.",
    "admin/static": "The web app's CSS and the vendored htmx, with its licence.",
    "tests": "The test suite, mirroring the folders above; `tests/e2e` drives a real browser, "
             "`tests/integration` real PostgreSQL, Redis and RabbitMQ.",
    "bench": "The benchmarks (see Benchmarks).",
    "scripts": "Tools for maintainers: this table (`layout_table.py`), the admin app's "
               "screenshots (`admin_screenshots.py`).",
    "docs": "This documentation site (MkDocs).",
}
SKIP = {"sync/migrations"}  # a package by necessity (Alembic), described in OTHER_FOLDERS


class LayoutError(Exception):
    """A package the table cannot describe (no docstring, unreadable file)."""


def _order(folder: str) -> tuple[int, tuple[str, ...]]:
    """Layers first, lowest first (config, receivables ... workers), each package before its
    sub-packages."""
    parts = tuple(folder.split("/"))
    return (PACKAGES.index(parts[0]) if parts[0] in PACKAGES else len(PACKAGES), parts)


def _packages(root: Path) -> list[Path]:
    found = []
    for top in PACKAGES:
        for init in (root / top).rglob("__init__.py"):
            folder = init.parent.relative_to(root).as_posix()
            if not any(folder == s or folder.startswith(s + "/") for s in SKIP):
                found.append(init)
    return found


def _markdown(text: str) -> str:
    """reST inline markup as Markdown: ``code`` and :role:`target` become `code`."""
    text = re.sub(r":[a-z]+:`~?([^`]+)`", r"`\1`", text)
    text = text.replace("``", "`")
    return text.replace("|", "\\|")


def summary(init: Path) -> str:
    """The first paragraph of a package's docstring, as one line of Markdown."""
    try:
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"), str(init)))
    except (OSError, SyntaxError) as exc:
        raise LayoutError(f"{init}: cannot read its docstring: {exc}") from exc
    if not doc or not doc.strip():
        raise LayoutError(f"{init}: no module docstring; its first paragraph is the package's "
                          "row in the layout table")
    first = doc.strip().split("\n\n", 1)[0]
    return _markdown(" ".join(line.strip() for line in first.splitlines()))


def table(root: Path = ROOT) -> str:
    """The layout table: one row per package (from its docstring), then the other folders."""
    described = {init.parent.relative_to(root).as_posix(): summary(init)
                 for init in _packages(root)}
    described |= {folder: text for folder, text in OTHER_FOLDERS.items()
                  if (root / folder).is_dir()}
    rows = ["| folder | what lives there |", "|---|---|"]
    rows += [f"| `{folder}/` | {described[folder]} |" for folder in sorted(described, key=_order)]
    return "\n".join(rows) + "\n"


def _split(doc_text: str, doc: Path) -> tuple[str, str, str]:
    if doc_text.count(START) != 1 or doc_text.count(END) != 1:
        raise LayoutError(f"{doc}: needs exactly one {START} and one {END} line")
    head, rest = doc_text.split(START, 1)
    body, tail = rest.split(END, 1)
    return head + START + "\n", body.lstrip("\n"), END + tail


def check(doc: Path = DOC, root: Path = ROOT) -> list[str]:
    """The differences between the doc's table and the generated one (empty when they agree)."""
    _, current, _ = _split(doc.read_text(encoding="utf-8"), doc)
    wanted = table(root)
    if current == wanted:
        return []
    return list(difflib.unified_diff(current.splitlines(), wanted.splitlines(),
                                     f"{doc.name} (as written)", "from the docstrings",
                                     lineterm=""))


def write(doc: Path = DOC, root: Path = ROOT) -> bool:
    """Rewrite the doc's table; True if it changed."""
    text = doc.read_text(encoding="utf-8")
    head, current, tail = _split(text, doc)
    wanted = table(root)
    if current == wanted:
        return False
    doc.write_text(head + wanted + tail, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 if the doc's table differs")
    mode.add_argument("--write", action="store_true", help="rewrite the doc's table")
    parser.add_argument("--doc", type=Path, default=DOC, help="the Markdown file with the table")
    args = parser.parse_args(argv)
    try:
        if args.check:
            diff = check(args.doc)
            if diff:
                print("\n".join(diff))
                print(f"error: the layout table in {args.doc} differs from the package "
                      "docstrings; run `python scripts/layout_table.py --write`", file=sys.stderr)
                return 1
            return 0
        if args.write:
            changed = write(args.doc)
            print(f"{args.doc}: {'table rewritten' if changed else 'already up to date'}")
            return 0
        print(table(), end="")
        return 0
    except LayoutError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
