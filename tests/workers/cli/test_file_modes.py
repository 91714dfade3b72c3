"""After ``arbridge demo`` every file under ARBRIDGE_HOME is owner-only (POPIA: the store holds
customer contact details, sessions hold live cookies, evidence shows invoices). Checked on the
session's small demo, which ran under a default login shell's umask (022) and which no test
changes (they work in copies)."""

from __future__ import annotations

import stat


def test_demo_leaves_only_owner_only_files_and_folders(small_demo):  # type: ignore[no-untyped-def]
    folder, result = small_demo
    assert result.returncode == 0, result.stderr
    home = folder / "var"
    kinds = {p.relative_to(home).parts[0] for p in home.rglob("*")}
    assert {"arbridge.db", "sessions", "pdfs", "secret.key", "evidence", "outbox"} <= kinds
    readable = [f"{p} {stat.S_IMODE(p.stat().st_mode):o}" for p in [home, *home.rglob("*")]
                if not p.is_symlink() and stat.S_IMODE(p.stat().st_mode) & 0o077]
    assert readable == []
