"""Shared fixtures: a clean environment for the whole session, a seeded SAP simulator,
settings in a temporary home, and the store on SQLite and on PostgreSQL (a fresh schema per
test; fails, never skips, when CI is set)."""

from __future__ import annotations

import inspect
import os
import pty
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from config.settings import Settings, load_settings
from sap.rfc.client import RfcSapClient
from sap.simulator import SapSimulator
from sync.store import Store, open_store

POSTGRES_URL = os.environ.get("ARBRIDGE_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SMALL_BOOK = {"customers": 40, "documents": 300}
PAGE_SIZE = 50
APP_PREFIX = "ARBRIDGE_"
PROCESS_MODULES = {"subprocess": subprocess, "pty": pty}


@pytest.fixture(scope="session", autouse=True)
def clean_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Whatever the shell holds, tests leave it alone (DESIGN.md). Every ``ARBRIDGE_*``
    variable is cleared before the first test, so the app in-process and every subprocess a
    test starts see only what that test sets: an operator's ``ARBRIDGE_HOME``,
    ``ARBRIDGE_DATABASE_URL`` or ``ARBRIDGE_CONFIG`` is never read, let alone written. The
    suite's own knobs (``ARBRIDGE_TEST_POSTGRES_URL`` and the like) are read when the test
    modules are imported, before this runs, and go too. The working folder becomes an empty
    one of the suite's, so the app's defaults relative to it (``./var``, ``./arbridge.toml``)
    never reach the checkout or the folder pytest was started from. arbridge reads nothing
    else from the user's home. ``tests/test_clean_environment.py`` holds this true."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.upper().startswith(APP_PREFIX)]:
            patch.delenv(name)
        patch.chdir(tmp_path_factory.mktemp("cwd"))
        yield


def service_unavailable(what: str, error: Exception) -> None:
    message = f"{what} is not reachable: {error}"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI is set: integration services must be up)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small seeded simulator database, copied for each test that needs one."""
    path = tmp_path_factory.mktemp("sim") / "template.db"
    simulator = SapSimulator(path)
    simulator.seed(**SMALL_BOOK)
    db = simulator.open_db()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture
def simulator(tmp_path: Path, seeded_template: Path) -> SapSimulator:
    target = tmp_path / "sap-simulator.db"
    target.write_bytes(seeded_template.read_bytes())
    return SapSimulator(target)


@pytest.fixture
def client(simulator: SapSimulator) -> Iterator[RfcSapClient]:
    sap = RfcSapClient(factory=simulator.connect, params={"user": "ARBRIDGE"},
                       page_size=PAGE_SIZE, timeout_seconds=2, today=simulator.today)
    yield sap
    sap.close()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a schema of its own, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - any failure here means the service is down
        admin.dispose()
        service_unavailable(f"PostgreSQL at {POSTGRES_URL}", exc)
    joiner = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{joiner}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings in a temporary home, with the store on SQLite or PostgreSQL."""
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    return load_settings(home=tmp_path, database_url=url,
                         sap={"page_size": PAGE_SIZE, "simulator_customers": 40,
                              "simulator_billing_documents": 300})


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = open_store(settings, create=True)
    yield opened
    opened.engine.dispose()


def _starts_processes(item: pytest.Item) -> bool:
    """The test imports ``subprocess`` or ``pty`` in its body, or its module or a test helper
    module it uses (not a conftest) does."""
    code = getattr(getattr(item, "function", None), "__code__", None)
    if code is not None and set(PROCESS_MODULES) & {*code.co_names, *code.co_varnames}:
        return True
    module = getattr(item, "module", None)
    if module is None:
        return False
    used = [module] + [inspect.getmodule(value) for value in vars(module).values()]
    return any(m is not None and m.__name__.startswith("tests")
               and not m.__name__.endswith("conftest")
               and any(vars(m).get(name) is real for name, real in PROCESS_MODULES.items())
               for m in used)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks each test with what it needs, so ``make test-fast`` can leave those out
    (``-m "not browser and not services and not subprocess and not store"``):

    - ``browser``: under ``tests/e2e`` (real Chromium, demo portal, worker processes);
    - ``services``: under ``tests/integration``, or on PostgreSQL (the ``postgres_url``
      fixture, or a ``postgres`` parameter such as the ``settings`` fixture's);
    - ``subprocess``: it, its module or a test helper module it uses imports ``subprocess``
      or ``pty``: the ``arbridge`` command run as a user would, a child killed mid-call;
    - ``store``: it opens the store (the ``settings`` fixture, on SQLite or PostgreSQL),
      migrated from empty for each test.
    """
    for item in items:
        parts = item.path.relative_to(item.config.rootpath).parts
        if "e2e" in parts:
            item.add_marker(pytest.mark.browser)
        callspec = getattr(item, "callspec", None)
        params = set(map(str, callspec.params.values())) if callspec else set()
        if ("integration" in parts or "postgres" in params
                or "postgres_url" in getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.services)
        if _starts_processes(item):
            item.add_marker(pytest.mark.subprocess)
        if "settings" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.store)
