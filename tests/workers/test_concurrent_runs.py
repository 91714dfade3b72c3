"""Several runs at once on one home: two demos, a pull, an upload run, an allocation run and
the web app, started together on a new home. The store stays whole (SQLite's
``PRAGMA integrity_check`` says ok), no run ends in an unexpected error, and the figures are
those of one demo on its own. The same on PostgreSQL (the SAP simulator and the demo portal
stay SQLite files in the home there too).

``CONCURRENT_ROUNDS=20`` repeats the concurrent part twenty times against one reference run
(how docs/operations-store.md was checked).
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import POSTGRES_URL, service_unavailable
from tests.workers.conftest import SMALL_DEMO_LOOKBACK

ARBRIDGE = str(Path(sys.executable).parent / "arbridge")
SMALL = {"ARBRIDGE_SAP__SIMULATOR_CUSTOMERS": "30",
         "ARBRIDGE_SAP__SIMULATOR_BILLING_DOCUMENTS": "200"}
ROUNDS = int(os.environ.get("CONCURRENT_ROUNDS", "1"))
TIMEOUT_S = 900
ALONGSIDE = (("sap", "pull", "--json"), ("allocate",), ("portals", "upload"))


def _env(home: Path, database_url: str | None, **extra: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ARBRIDGE_")}
    environment.update(SMALL, **SMALL_DEMO_LOOKBACK, ARBRIDGE_HOME=str(home), **extra)
    if database_url:
        environment["ARBRIDGE_DATABASE_URL"] = database_url
    return environment


def _start(home: Path, database_url: str | None, *args: str, **extra: str) -> subprocess.Popen:
    return subprocess.Popen([ARBRIDGE, *args], cwd=home.parent, text=True,
                            env=_env(home, database_url, **extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=TIMEOUT_S)
    return process.returncode, out, err


class Schemas:
    """Fresh PostgreSQL schemas, dropped at the end."""

    def __init__(self) -> None:
        self.engine = create_engine(POSTGRES_URL)
        self.made: list[str] = []

    def url(self) -> str:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        try:
            with self.engine.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        except Exception as exc:  # noqa: BLE001 - any failure here means the service is down
            service_unavailable(f"PostgreSQL at {POSTGRES_URL}", exc)
        self.made.append(schema)
        joiner = "&" if "?" in POSTGRES_URL else "?"
        return f"{POSTGRES_URL}{joiner}options=-csearch_path%3D{schema}"

    def drop(self) -> None:
        with self.engine.begin() as conn:
            for schema in self.made:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        self.engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def kind(request: pytest.FixtureRequest) -> Iterator[tuple[str, Schemas | None]]:
    schemas = Schemas() if request.param == "postgres" else None
    yield request.param, schemas
    if schemas is not None:
        schemas.drop()


def _url(kind: tuple[str, Schemas | None]) -> str | None:
    return kind[1].url() if kind[1] is not None else None


@pytest.fixture(scope="module")
def one_run(small_demo) -> dict:  # type: ignore[no-untyped-def]
    """The figures of one demo on its own, on a new home: the session's small demo (on
    SQLite; a demo on PostgreSQL must print the same figures, and each run at once here
    must too). The runs below use its settings."""
    _folder, alone = small_demo
    assert alone.returncode == 0, alone.stderr
    return json.loads(alone.stdout)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_store(home: Path, database_url: str | None, deadline: float) -> None:
    """Until the store answers ``status`` (the demo creates it): the other commands refuse a
    home without a store, by design."""
    while time.monotonic() < deadline:
        status = subprocess.run([ARBRIDGE, "status", "--json"], cwd=home.parent,
                                env=_env(home, database_url), capture_output=True, text=True,
                                timeout=TIMEOUT_S)
        if status.returncode == 0 and json.loads(status.stdout)["counts"]["customers"]:
            return
        time.sleep(1)
    raise AssertionError("the demo never created the store")


def _plain(err: str) -> None:
    assert "unexpected" not in err and "Traceback" not in err, err
    assert "database is locked" not in err and "malformed" not in err, err


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_runs_at_once_on_one_home_keep_the_store_whole_and_the_figures_of_one_run(
        kind, one_run, tmp_path, round_):
    home = tmp_path / "var"
    url = _url(kind)
    deadline = time.monotonic() + TIMEOUT_S
    demos = [_start(home, url, "demo", "--json") for _ in range(2)]
    _wait_for_store(home, url, deadline)
    port = _free_port()
    web = _start(home, url, "serve", "--port", str(port))
    others = [_start(home, url, *args) for args in ALONGSIDE]
    pages = 0
    while any(d.poll() is None for d in demos) and time.monotonic() < deadline:
        try:  # the web app reads the store while the runs write it
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=10) as page:
                pages += page.status == 200
        except OSError:
            pass
        time.sleep(0.5)
    finished = [_finish(d) for d in demos]
    alongside = [_finish(p) for p in others]
    web.terminate()
    _, _, web_err = _finish(web)

    for code, out, err in finished:
        assert code == 0, err
        _plain(err)
        assert json.loads(out) == one_run
    for (code, _out, err), args in zip(alongside, ALONGSIDE, strict=False):
        _plain(err)
        # the upload run has no portal to reach outside a demo: it says so (3), cleanly
        assert code == 0 or (args[0] == "portals" and code == 3), (args, err)
    _plain(web_err)
    assert pages > 0
    if url is None:
        db = sqlite3.connect(home / "arbridge.db")
        try:
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            db.close()
    status = subprocess.run([ARBRIDGE, "status", "--json"], cwd=home.parent,
                            env=_env(home, url), capture_output=True, text=True,
                            timeout=TIMEOUT_S)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["counts"] == one_run["sap"]
