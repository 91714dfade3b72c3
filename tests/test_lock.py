"""Reproducible installs: every dependency is pinned with hashes in requirements.lock, and
the environment `make install` built holds exactly the locked versions."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", re.MULTILINE)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked() -> dict[str, str]:
    text = (ROOT / "requirements.lock").read_text()
    return {canonical(name): pinned for name, pinned in PIN.findall(text)}


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["test"]
    return {canonical(re.split(r"[\[<>=!~; ]", r, maxsplit=1)[0]) for r in requirements}


def test_every_declared_dependency_is_pinned_with_hashes():
    pins = locked()
    missing = declared() - set(pins)
    assert not missing, f"not in requirements.lock (run `make lock`): {sorted(missing)}"
    blocks = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / "requirements.lock").read_text())
    unhashed = [b.split("==")[0] for b in blocks if "==" in b and "--hash=sha256:" not in b]
    assert unhashed == []


def test_the_lock_names_no_machine_local_index():
    text = (ROOT / "requirements.lock").read_text()
    assert "--find-links" not in text and "--extra-index-url" not in text


def test_make_installs_the_locked_versions():
    wrong = {}
    for name, pinned in locked().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = None
        if installed != pinned:
            wrong[name] = (pinned, installed)
    assert wrong == {}, "installed versions differ from requirements.lock (run `make install`)"


def test_makefile_installs_from_the_lock_and_can_refresh_it():
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r $(LOCK)" in makefile
    assert re.search(r"^lock:", makefile, re.MULTILINE)
