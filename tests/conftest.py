"""Shared fixtures: a clean environment for the whole session, a seeded SAP simulator,
settings in a temporary home, and the store on SQLite and on PostgreSQL (a fresh schema per
test; fails, never skips, when CI is set). The ``store`` fixture starts each test from a copy
of a store the real migration chain built once per session (per xdist worker)."""

from __future__ import annotations

import functools
import inspect
import json
import os
import pty
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy import inspect as inspect_schema

from config.settings import Settings, load_settings
from sap.rfc.client import RfcSapClient
from sap.simulator import SapSimulator
from sync.db import make_engine, migrate, sqlite_path
from sync.store import Store, open_store

POSTGRES_URL = os.environ.get("ARBRIDGE_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SMALL_BOOK = {"customers": 40, "documents": 300}
PAGE_SIZE = 50
APP_PREFIX = "ARBRIDGE_"
DURATIONS = Path(__file__).with_name("durations.json")
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


@pytest.fixture(autouse=True)
def cheap_password_hashing(request: pytest.FixtureRequest,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process tests hash admin passwords with argon2id at argon2-cffi's ``CHEAPEST``
    parameters (made for tests), not the production ones (0.13 s a hash or a check; the
    admin tests add and log in hundreds of users). What the hash is and does is the same.
    The production parameters stay in every ``arbridge`` subprocess and in the tests of the
    accounts themselves (a module with ``PRODUCTION_HASHING = True``)."""
    if getattr(request.module, "PRODUCTION_HASHING", False):
        return
    from sync.users import accounts

    monkeypatch.setattr(accounts, "_hasher", _cheap_hasher())


@functools.cache
def _cheap_hasher() -> Any:
    from argon2 import PasswordHasher
    from argon2.profiles import CHEAPEST

    return PasswordHasher.from_parameters(CHEAPEST)


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
    with fresh_schema() as url:
        yield url


@contextmanager
def fresh_schema() -> Iterator[str]:
    """A schema of its own on the test PostgreSQL (its URL), dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - any failure here means the service is down
        admin.dispose()
        service_unavailable(f"PostgreSQL at {POSTGRES_URL}", exc)
    joiner = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{joiner}options=-csearch_path%3D{schema}"
    finally:
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


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store the real migration chain built from empty, once per session (per xdist
    worker); each ``store`` test on SQLite starts from a copy of the file."""
    settings = load_settings(home=tmp_path_factory.mktemp("store-template"))
    open_store(settings, create=True).engine.dispose()
    path = sqlite_path(settings.db_url)
    assert path is not None
    db = sqlite3.connect(path)
    try:  # everything in the file itself, none of it left in the -wal beside it
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return path


Statement = tuple[str, Any]


def _schema_of(url: str) -> dict[str, Any]:
    """What a schema holds, for comparing two: tables, their columns (types, nullability,
    defaults), keys, foreign keys, indexes, checks, and the Alembic revision."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            found = inspect_schema(conn)
            shape: dict[str, Any] = {
                name: (
                    [(c["name"], str(c["type"]), c["nullable"], c["default"])
                     for c in found.get_columns(name)],
                    found.get_pk_constraint(name)["constrained_columns"],
                    sorted(str(sorted(fk.items())) for fk in found.get_foreign_keys(name)),
                    sorted(str(sorted(ix.items())) for ix in found.get_indexes(name)),
                    sorted(str(sorted(uq.items())) for uq in found.get_unique_constraints(name)),
                    sorted(str(sorted(ck.items())) for ck in found.get_check_constraints(name)))
                for name in found.get_table_names()}
            shape["alembic_version"] = conn.execute(
                text("SELECT version_num FROM alembic_version")).scalar_one()
    finally:
        engine.dispose()
    return shape


@pytest.fixture(scope="session")
def migration_statements() -> list[Statement]:
    """The SQL the real migration chain runs on an empty PostgreSQL schema, recorded once per
    session (per xdist worker); each ``store`` test on PostgreSQL replays it into its own
    schema, which takes a fifth of Alembic's time. Checked once here: a schema built by the
    replay is the one the chain built (``tests/sync/test_migrations.py`` walks the chain
    itself, up and down)."""
    statements: list[Statement] = []
    with ExitStack() as schemas:
        migrated, replayed = (schemas.enter_context(fresh_schema()) for _ in range(2))
        engine = make_engine(migrated)

        @event.listens_for(engine, "before_cursor_execute")
        def record(_conn: Any, _cursor: Any, statement: str, parameters: Any,
                   _context: Any, _many: bool) -> None:
            statements.append((statement, parameters))

        try:
            migrate(engine)
        finally:
            engine.dispose()
        _replay(replayed, statements)
        assert _schema_of(replayed) == _schema_of(migrated), \
            "a store replayed from the recorded migration differs from the migrated one"
    return statements


def _replay(url: str, statements: list[Statement]) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            for statement, parameters in statements:
                conn.exec_driver_sql(statement, parameters)
    finally:
        engine.dispose()


@pytest.fixture
def store(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Store]:
    """The store at head, as ``open_store(create=True)`` leaves a new one: a copy of the
    session's migrated store (SQLite) or a replay of its migration (PostgreSQL), then
    opened as any command opens it (which finds it up to date)."""
    path = sqlite_path(settings.db_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(request.getfixturevalue("migrated_sqlite"), path)
    else:
        _replay(settings.db_url, request.getfixturevalue("migration_statements"))
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


def heaviest_first(items: list[pytest.Item]) -> None:
    """The test modules heaviest first, each module's tests in their own order, by the seconds
    ``tests/durations.json`` records (``scripts/test_durations.py`` writes it). xdist's
    ``--dist loadscope`` hands modules out in this order, so the long ones start at once and
    the short ones fill in at the end: in file order a long module collected last (the
    concurrent runs, the worker crashes) ran on one worker while the other sat idle."""
    if not DURATIONS.exists():
        return
    seconds = json.loads(DURATIONS.read_text())
    first_seen: dict[str, int] = {}
    for item in items:
        first_seen.setdefault(_module_of(item), len(first_seen))
    items.sort(key=lambda item: (-seconds.get(_module_of(item), 0.0),
                                 first_seen[_module_of(item)]))


def _module_of(item: pytest.Item) -> str:
    return item.path.relative_to(item.config.rootpath).as_posix()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks each test with what it needs, so ``make test-fast`` can leave those out
    (``-m "not browser and not services and not subprocess and not store"``):

    - ``browser``: under ``tests/e2e`` (real Chromium, demo portal, worker processes);
    - ``services``: under ``tests/integration``, or on PostgreSQL (the ``postgres_url``
      fixture, or a ``postgres`` parameter such as the ``settings`` fixture's);
    - ``subprocess``: it, its module or a test helper module it uses imports ``subprocess``
      or ``pty``: the ``arbridge`` command run as a user would, a child killed mid-call;
    - ``store``: it opens the store (the ``settings`` fixture, on SQLite or PostgreSQL), a
      copy of one migrated from empty once per session, or migrated from empty by the test.
    """
    heaviest_first(items)
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
