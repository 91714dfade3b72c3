"""Every file of the repository that the README or a documentation page names is there: a
module that moved without its documentation being told fails here, naming the page and path."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
TOP = ("config", "receivables", "sap", "sync", "connectors", "portals", "admin", "workers",
       "bench", "scripts", "tests", "docs")
# A path in backticks or a link: a top folder, then folders, then a file with an extension.
TOPS = "|".join(TOP)
PATH = re.compile(r"(?<![\w/.<-])((?:" + TOPS
                  + r")/(?:[\w.-]+/)*[\w.-]+\.(?:py|md|txt|abap|png|json|js)\b)")


def _named(page: Path) -> set[str]:
    return set(PATH.findall(page.read_text(encoding="utf-8")))


def test_every_named_file_exists():
    missing = [f"{page.relative_to(ROOT)}: {path}" for page in PAGES
               for path in sorted(_named(page)) if not (ROOT / path).exists()]
    assert missing == [], "pages name files that are not there:\n" + "\n".join(missing)


def test_the_check_sees_the_paths_the_pages_name():
    named = set().union(*(_named(page) for page in PAGES))
    assert {"sync/work/claims.py", "scripts/admin_screenshots.py",
            "docs/screenshots/dashboard.png"} <= named
