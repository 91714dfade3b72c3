"""The store under several processes: opening it again never drops the locks SQLite holds
(the cause of "database disk image is malformed" with two demos at once), and runs that open
a store needing a migration at the same moment apply it once, the others waiting their turn."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from sync.db import current_revision, head_revision, make_engine
from sync.locks import LockBusy, exclusive

OPEN_STORE = """
import sys
from config.settings import load_settings
from sync.store import open_store
store = open_store(load_settings(), create=True)
print(store.counts()["customers"])
"""


def test_opening_the_store_again_keeps_the_locks_of_connections_already_open(tmp_path):
    path = tmp_path / "arbridge.db"
    first = make_engine(f"sqlite:///{path}")
    with first.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
    live = first.connect()
    live.execute(text("SELECT x FROM t")).all()
    make_engine(f"sqlite:///{path}")  # a second open_store in the same process (the demo's)
    # another process reads and closes: believing itself the last user, it would
    # checkpoint and delete the WAL under our live connection
    subprocess.run([sys.executable, "-c", "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]);"
                    " db.execute('SELECT x FROM t').fetchall(); db.close()", str(path)],
                   check=True)
    assert Path(f"{path}-wal").exists()
    with first.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (2)"))
    live.close()
    first.dispose()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert db.execute("SELECT count(*) FROM t").fetchone() == (2,)
    db.close()


@pytest.mark.parametrize("runs", [4])
def test_runs_opening_a_new_store_together_migrate_it_once(settings, runs):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARBRIDGE_")}
    env["ARBRIDGE_HOME"] = str(settings.home)
    if settings.database_url:
        env["ARBRIDGE_DATABASE_URL"] = settings.database_url
    processes = [subprocess.Popen([sys.executable, "-c", OPEN_STORE], env=env, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for _ in range(runs)]
    results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in processes]
    for code, out, err in results:
        assert code == 0, err
        assert out.strip() == "0"
    engine = make_engine(settings.db_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_a_lock_held_too_long_is_named_not_a_bare_database_is_locked(tmp_path):
    target = tmp_path / "arbridge.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path;"
         "from sync.locks import exclusive\n"
         "with exclusive(Path(sys.argv[1]), 'a migration of the store'):\n"
         "    print('held', flush=True); time.sleep(30)", str(target)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LockBusy, match=r"arbridge process \d+ holds .*arbridge.db.lock"):
            with exclusive(target, "a migration of the store", wait_seconds=0.5):
                pass
    finally:
        holder.kill()
        holder.wait()
    with exclusive(target, "a migration of the store", wait_seconds=5):
        pass  # freed when its holder died: flock goes with the process
