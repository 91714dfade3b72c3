"""Engine creation and migrations: the same Alembic scripts run on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError

from config.errors import ConfigError
from config.settings import redact_text, redact_url
from sync.files import touch_private

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_CACHE_KIB = 16_384  # page cache per connection; the default 2 MB thrashes on big pulls


def make_engine(url: str) -> Engine:
    """An engine with the pragmas SQLite needs for a sync workload (WAL, FKs, busy wait)."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            touch_private(Path(path))  # SQLite gives -wal and -shm this file's mode
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
    return create_engine(url, pool_pre_ping=True)


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
    except OperationalError as exc:
        url = engine.url.render_as_string(hide_password=False)
        raise ConfigError(f"cannot open the store at {redact_url(url)}: "
                          f"{redact_text(str(exc.orig), url)}") from None
    log.info("store migrated to %s", head_revision())
    return True
