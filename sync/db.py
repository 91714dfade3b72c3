"""Engine creation and migrations: the same Alembic scripts run on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import URL, Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import InterfaceError, OperationalError

from config.errors import ArbridgeError, ConfigError, RetriableError
from config.redaction import redact_text, redact_url
from sync.files import touch_private
from sync.locks import exclusive

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)
REVISION = re.compile(r'^revision\s*=\s*["\']([^"\']+)["\']', re.MULTILINE)
DOWN_REVISION = re.compile(r"^down_revision\s*=\s*(.+)$", re.MULTILINE)

MIGRATIONS = Path(__file__).parent / "migrations"
DEFAULT_CONNECT_TIMEOUT_S = 10.0
MIGRATION_LOCK_KEY = 0x61726272  # "arbr": PostgreSQL advisory lock of the migration
SQLITE_CACHE_KIB = 16_384  # page cache per connection; the default 2 MB thrashes on big pulls
SQLITE_THREAD_CACHE_KIB = 512  # per connection of an engine shared by many threads (for_threads)
SQLITE_BUSY_WAIT_S = 60  # how long a write waits for another process's write transaction


def make_engine(url: str, *, connect_timeout_seconds: float = DEFAULT_CONNECT_TIMEOUT_S,
                cache_kib: int = SQLITE_CACHE_KIB) -> Engine:
    """An engine with the pragmas SQLite needs for a sync workload (WAL, FKs, busy wait,
    ``cache_kib`` of page cache per connection); PostgreSQL gives up connecting after
    ``connect_timeout_seconds``."""
    if url.startswith("sqlite:///"):
        path = sqlite_path(url)
        if path is not None:
            touch_private(path)  # SQLite gives -wal and -shm this file's mode
            ensure_wal(path)
        return _sqlite_engine(url, cache_kib)
    connect_args = {}
    if url.startswith("postgresql"):
        connect_args["connect_timeout"] = max(1, round(connect_timeout_seconds))
    try:
        return create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    except Exception as exc:  # noqa: BLE001 - a URL SQLAlchemy cannot use: classified
        raise store_error(exc, url) from exc


def _sqlite_engine(url: str | URL, cache_kib: int) -> Engine:
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_WAIT_S})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":  # in-memory, or a file set up by an old version
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
        cursor.close()

    return engine


def for_threads(engine: Engine) -> Engine:
    """An engine for many threads doing small writes at once (the cXML channel's senders).

    Each thread holds a pooled connection of its own, and on SQLite each connection fills its
    own page cache as the store grows: with the pull's 16 MB each, four threads kept growing
    by about 1 MB per 1,000 uploads and had not levelled off after 10,000. Small writes by key
    need few pages, so here each connection gets ``SQLITE_THREAD_CACHE_KIB``. PostgreSQL
    caches in the server: the engine given is returned as it is, as is one on an in-memory
    SQLite database. The caller disposes of an engine this made (``engine is not given``)."""
    if engine_file(engine) is None:
        return engine  # PostgreSQL, or an in-memory SQLite only this engine sees
    # the URL object as it is: rendered to text, a path with "ü" or "(" comes back
    # percent-encoded; the file exists and is in WAL mode already (the store opened it)
    return _sqlite_engine(engine.url, SQLITE_THREAD_CACHE_KIB)


def ensure_wal(path: Path) -> None:
    """Put a SQLite file in WAL mode once, under the store's lock.

    Switching the journal mode needs the file to itself; two processes that each try it on
    every connect (a fresh store, two runs started together) meet "database is locked" at
    once, without the busy wait. Done once here, every later connect finds WAL already set
    and changes nothing."""
    import sqlite3

    with _sqlite_wal_mode(path) as mode:
        if mode == "wal":
            return
    with exclusive(path, "the store's first set-up"):
        db = sqlite3.connect(path, timeout=SQLITE_BUSY_WAIT_S)
        try:
            db.execute("PRAGMA journal_mode=WAL")
        finally:
            db.close()


@contextmanager
def _sqlite_wal_mode(path: Path) -> Iterator[str]:
    import sqlite3

    db = sqlite3.connect(path, timeout=SQLITE_BUSY_WAIT_S)
    try:
        yield str(db.execute("PRAGMA journal_mode").fetchone()[0]).lower()
    finally:
        db.close()


def engine_file(engine: Engine) -> Path | None:
    """The SQLite file an engine opens, from its URL object: the URL rendered as text has the
    path percent-encoded (a home named "Müller (AR)" became "M%C3%BCller %28AR%29", and the
    migration's lock file went into a folder of that name); None for PostgreSQL and memory."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database)


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL (relative to the working folder, as SQLite reads it);
    None for any other store and for an in-memory database."""
    if not url.startswith("sqlite:///"):
        return None
    path = url.removeprefix("sqlite:///").split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head() or ""


def _declared_head() -> str | None:
    """The head revision read from the migration files' text (``revision = "…"`` that no
    ``down_revision`` names), without importing Alembic or the migrations: opening an
    up-to-date store then costs a file scan, not Alembic's import (start-up time)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        text = script.read_text(encoding="utf-8")
        found = REVISION.search(text)
        if found:
            revisions.add(found.group(1))
        down = DOWN_REVISION.search(text)
        if down:
            parents.update(re.findall(r"[\"']([^\"']+)[\"']", down.group(1)))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return _revision_on(conn)


def migrate(engine: Engine) -> bool:
    """Bring the schema to the latest revision; True if anything was applied.

    Two runs that open a store needing a migration at the same moment must not both run it
    (the second would create tables the first just made, or meet its open transaction): the
    migration is serialised, on SQLite by a file lock beside the database
    (``arbridge.db.lock``), on PostgreSQL by an advisory lock held for the transaction. The
    run that waited finds the schema up to date and applies nothing."""
    url = engine.url.render_as_string(hide_password=False)
    try:
        if _up_to_date(engine):
            return False
        path = engine_file(engine)
        guard = exclusive(path, "a migration of the store") if path is not None \
            else nullcontext()
        with guard:
            return _upgrade(engine)
    except (OperationalError, InterfaceError) as exc:
        raise store_error(exc, url) from None


def _up_to_date(engine: Engine) -> bool:
    current = current_revision(engine)
    return current is not None and current == (_declared_head() or head_revision())


def _upgrade(engine: Engine) -> bool:
    from alembic import command

    config = _alembic_config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # waits for another run's migration to commit
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        if _revision_on(conn) == (_declared_head() or head_revision()):
            return False  # another run migrated while this one waited
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    log.info("store migrated to %s", head_revision())
    return True


def _revision_on(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def check_whole(engine: Engine) -> None:
    """Refuse to call a run done on a SQLite store that is no longer whole: ``PRAGMA
    quick_check`` (every page and index readable; well under a second for the demo's store)
    must say ok. PostgreSQL looks after its own pages."""
    if engine.dialect.name != "sqlite":
        return
    url = engine.url.render_as_string(hide_password=False)
    try:
        with engine.connect() as conn:
            found = [row[0] for row in conn.exec_driver_sql("PRAGMA quick_check")]
    except (OperationalError, InterfaceError) as exc:
        raise store_error(exc, url) from None
    if found != ["ok"]:
        raise ConfigError(f"the store at {redact_url(url)} is damaged (quick_check: "
                          f"{found[0] if found else 'no answer'}): restore it from a backup, or "
                          "for the demo delete it and run `arbridge demo` again")


UNREACHABLE_HINTS = ("connection refused", "could not connect", "timeout expired",
                     "timed out", "could not translate host name", "no route to host",
                     "network is unreachable", "name or service not known",
                     "server closed the connection", "connection reset")


def store_error(exc: BaseException, url: str | None) -> ArbridgeError:
    """Classify a failure to open or use the store: unreachable (retry later) or wrong
    configuration (a URL, database, user or folder that does not work)."""
    shown = redact_url(url) if url else "the configured store"
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    first = detail[0] if detail else type(exc).__name__
    if url:
        first = redact_text(first, url)
    text = str(exc).lower()
    if "database is locked" in text or "database table is locked" in text:
        return RetriableError(
            f"the store at {shown} is busy: another arbridge run held its write lock for more "
            f"than {SQLITE_BUSY_WAIT_S} s; this step wrote nothing: run it again when the "
            "other run has finished")
    if "malformed" in text or "not a database" in text:
        return ConfigError(f"the store at {shown} is damaged ({first}): restore it from a "
                           "backup, or for the demo delete it and run `arbridge demo` again")
    if any(hint in text for hint in UNREACHABLE_HINTS):
        return RetriableError(f"store at {shown} not reachable: {first}")
    name = type(exc).__name__
    if name in ("ArgumentError", "NoSuchModuleError"):
        return ConfigError(f"ARBRIDGE_DATABASE_URL {shown} cannot be used: {first}")
    return ConfigError(f"cannot open the store at {shown}: {first}")
