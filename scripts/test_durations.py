"""Write ``tests/durations.json`` (seconds per test module) from a JUnit XML report, for the
suite's heaviest-first order (tests/conftest.py). Run after a whole-suite run that wrote one:

    make test PYTEST_ARGS=--junitxml=/tmp/junit.xml
    .venv/bin/python scripts/test_durations.py /tmp/junit.xml

The figures only order the modules; they need refreshing when a module's weight changes a lot,
not on every change (a module missing from the file runs after the known ones)."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "tests" / "durations.json"


def module_seconds(report: Path) -> dict[str, float]:
    seconds: Counter[str] = Counter()
    for case in ET.parse(report).getroot().iter("testcase"):
        module = case.get("classname", "")
        parts = module.split(".")
        # classname is dotted: the module path, then any class; keep the .py file's part
        while parts and not Path(*parts).with_suffix(".py").exists():
            parts.pop()
        if parts:
            seconds["/".join(parts) + ".py"] += float(case.get("time", "0"))
    return {name: round(value, 1) for name, value in sorted(seconds.items())}


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit("usage: scripts/test_durations.py JUNIT.xml")
    figures = module_seconds(Path(sys.argv[1]))
    if not figures:
        raise SystemExit(f"{sys.argv[1]}: no test cases of this checkout in the report")
    TARGET.write_text(json.dumps(figures, indent=0, sort_keys=True) + "\n")
    print(f"{TARGET}: {len(figures)} modules, {sum(figures.values()):.0f} s in all")


if __name__ == "__main__":
    main()
