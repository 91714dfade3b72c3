"""Owner-only files: the store is created 0600, and the start-up check (``arbridge init`` and the
long-running commands) tightens whatever under ARBRIDGE_HOME another user could read (and says
so); a one-shot command does not walk the home's thousands of evidence files."""

from __future__ import annotations

import logging
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from config.settings import load_settings
from sync.store import open_store, start_up


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """Files created as with a default login shell (0644 files, 0755 folders)."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_new_sqlite_store_and_its_wal_are_owner_only(tmp_path, permissive_umask):
    store = open_store(load_settings(home=tmp_path / "home"), create=True)
    with store.engine.begin() as conn:
        conn.execute(text("CREATE TABLE probe (x INTEGER)"))
        conn.execute(text("INSERT INTO probe VALUES (1)"))
        wal = tmp_path / "home" / "arbridge.db-wal"
        assert wal.exists() and mode(wal) == 0o600
    store.engine.dispose()
    assert mode(tmp_path / "home" / "arbridge.db") == 0o600
    assert mode(tmp_path / "home") == 0o700


def test_startup_check_makes_what_others_could_read_owner_only_and_warns(
        tmp_path, permissive_umask, caplog):
    home = tmp_path / "home"
    loose = [home / "arbridge.db", home / "sessions" / "demo-coupa.json",
             home / "evidence" / "demo-coupa" / "0090000001" / "attempt-1" / "trace.zip",
             home / "pdfs" / "0090000001.pdf"]
    for path in loose:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
        os.chmod(path, 0o644)
    with caplog.at_level(logging.WARNING, logger="sync.files"):
        start_up(load_settings(home=home))
    assert [mode(p) for p in loose] == [0o600] * len(loose)
    folders = [p for p in home.rglob("*") if p.is_dir()] + [home]
    assert {mode(f) for f in folders} == {0o700}
    assert "readable by other users; now owner-only" in caplog.text


def test_opening_the_store_leaves_the_walk_to_start_up(tmp_path, permissive_umask):
    home = tmp_path / "home"
    open_store(load_settings(home=home), create=True).engine.dispose()
    evidence = home / "evidence" / "demo-coupa" / "0090000001" / "attempt-1" / "page.png"
    evidence.parent.mkdir(parents=True)
    evidence.write_bytes(b"x")
    os.chmod(evidence, 0o644)
    open_store(load_settings(home=home)).engine.dispose()  # what every CLI call does
    assert mode(evidence) == 0o644
    start_up(load_settings(home=home))  # arbridge init, serve, run, jobs worker
    assert mode(evidence) == 0o600


def test_a_process_killed_mid_write_leaves_the_old_file_whole(tmp_path, permissive_umask):
    """A writer stopped half-way (here by the file-size limit, the disk full or a kill -9
    alike) leaves the previous statement as it was, never half of the new one."""
    import subprocess
    import sys

    from sync.files import write_private

    target = tmp_path / "out" / "statement.eml"
    write_private(target, b"old statement\n")
    assert mode(target) == 0o600
    child = subprocess.run([sys.executable, "-c", (
        "import resource, sys; from pathlib import Path; from sync.files import write_private; "
        "resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536)); "
        f"write_private(Path({str(target)!r}), b'n' * 1_000_000)")],
        cwd=Path(__file__).parents[2], capture_output=True)
    assert child.returncode == 1 and b"File too large" in child.stderr
    assert target.read_bytes() == b"old statement\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["statement.eml"]
    assert mode(target) == 0o600


def test_start_up_sweeps_the_half_written_files_of_a_killed_writer(tmp_path, permissive_umask):
    """A kill -9 between write and rename leaves ``.name.XXXX.part``; start-up removes those
    untouched for an hour, and leaves a fresh one (a writer at work) and other files."""
    home = tmp_path / "home"
    folder = home / "outbox" / "statements"
    folder.mkdir(parents=True)
    stale, fresh, other = (folder / ".a.eml.k2j4.part", folder / ".b.eml.x9q1.part",
                           folder / "notes.part")
    for path in (stale, fresh, other):
        path.write_bytes(b"half")
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))
    os.utime(other, (two_hours_ago, two_hours_ago))
    start_up(load_settings(home=home), create=True)
    assert sorted(p.name for p in folder.iterdir()) == [".b.eml.x9q1.part", "notes.part"]
