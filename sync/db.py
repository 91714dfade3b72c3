"""Engine creation and migrations: the same Alembic scripts run on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import InterfaceError, OperationalError

from config.errors import ArbridgeError, ConfigError, RetriableError
from config.redaction import redact_text, redact_url
from sync.files import touch_private

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)
REVISION = re.compile(r'^revision\s*=\s*["\']([^"\']+)["\']', re.MULTILINE)
DOWN_REVISION = re.compile(r"^down_revision\s*=\s*(.+)$", re.MULTILINE)

MIGRATIONS = Path(__file__).parent / "migrations"
DEFAULT_CONNECT_TIMEOUT_S = 10.0
SQLITE_CACHE_KIB = 16_384  # page cache per connection; the default 2 MB thrashes on big pulls


def make_engine(url: str, *, connect_timeout_seconds: float = DEFAULT_CONNECT_TIMEOUT_S
                ) -> Engine:
    """An engine with the pragmas SQLite needs for a sync workload (WAL, FKs, busy wait);
    PostgreSQL gives up connecting after ``connect_timeout_seconds``."""
    if url.startswith("sqlite:///"):
        path = sqlite_path(url)
        if path is not None:
            touch_private(path)  # SQLite gives -wal and -shm this file's mode
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
            cursor.close()

        return engine
    connect_args = {}
    if url.startswith("postgresql"):
        connect_args["connect_timeout"] = max(1, round(connect_timeout_seconds))
    try:
        return create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    except Exception as exc:  # noqa: BLE001 - a URL SQLAlchemy cannot use: classified
        raise store_error(exc, url) from exc


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
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine) -> bool:
    """Bring the schema to the latest revision; True if anything was applied."""
    try:
        current = current_revision(engine)
        if current is not None and current == (_declared_head() or head_revision()):
            return False
        from alembic import command

        config = _alembic_config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    except (OperationalError, InterfaceError) as exc:
        raise store_error(exc, engine.url.render_as_string(hide_password=False)) from None
    log.info("store migrated to %s", head_revision())
    return True


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
    if any(hint in text for hint in UNREACHABLE_HINTS):
        return RetriableError(f"store at {shown} not reachable: {first}")
    name = type(exc).__name__
    if name in ("ArgumentError", "NoSuchModuleError"):
        return ConfigError(f"ARBRIDGE_DATABASE_URL {shown} cannot be used: {first}")
    return ConfigError(f"cannot open the store at {shown}: {first}")
