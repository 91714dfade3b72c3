"""Engine creation and migrations: the same Alembic scripts run on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import InterfaceError, OperationalError

from config.errors import ArbridgeError, ConfigError, RetriableError
from config.settings import redact_url

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
DEFAULT_CONNECT_TIMEOUT_S = 10.0
SQLITE_CACHE_KIB = 16_384  # page cache per connection; the default 2 MB thrashes on big pulls


def make_engine(url: str, *, connect_timeout_seconds: float = DEFAULT_CONNECT_TIMEOUT_S
                ) -> Engine:
    """An engine with the pragmas SQLite needs for a sync workload (WAL, FKs, busy wait);
    PostgreSQL gives up connecting after ``connect_timeout_seconds``."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
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


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine) -> bool:
    """Bring the schema to the latest revision; True if anything was applied."""
    try:
        if current_revision(engine) == head_revision():
            return False
        config = _alembic_config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    except (OperationalError, InterfaceError) as exc:
        raise store_error(exc, engine.url.render_as_string(hide_password=False)) from exc
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
    text = str(exc).lower()
    if any(hint in text for hint in UNREACHABLE_HINTS):
        return RetriableError(f"store at {shown} not reachable: {first}")
    name = type(exc).__name__
    if name in ("ArgumentError", "NoSuchModuleError"):
        return ConfigError(f"ARBRIDGE_DATABASE_URL {shown} cannot be used: {first}")
    return ConfigError(f"cannot open the store at {shown}: {first}")
