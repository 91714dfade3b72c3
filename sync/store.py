"""The store's front door: open (and migrate) it and count what is in it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from config.errors import ConfigError
from config.settings import Settings
from sync.db import make_engine, migrate, sqlite_path
from sync.files import secure_home
from sync.mirror.writes import BILLING_DOCUMENTS, CLEARED_ITEMS, CUSTOMERS, OPEN_ITEMS, Entity


@dataclass(frozen=True, slots=True)
class Store:
    engine: Engine

    def counts(self) -> dict[str, int]:
        """Rows per mirrored entity, named as in ``arbridge demo --json``."""
        with self.engine.connect() as conn:
            return {entity.name: conn.execute(select(func.count()).select_from(entity.table))
                    .scalar_one() for entity in (CUSTOMERS, BILLING_DOCUMENTS, OPEN_ITEMS)}


def open_store(settings: Settings, *, create: bool = False) -> Store:
    """Open the configured store and bring its schema up to date.

    Only ``create=True`` (``arbridge init``, the demo, tests) makes a SQLite file that is not
    there: for every other command a missing file is a mistyped path, refused with
    :class:`ConfigError` rather than answered from a new, empty store.
    """
    if not create:
        require_store(settings)
    engine = make_engine(settings.db_url,
                         connect_timeout_seconds=settings.database_timeout_seconds)
    migrate(engine)
    return Store(engine)


def require_store(settings: Settings) -> None:
    """Refuse a SQLite store file that does not exist (a mistyped ``ARBRIDGE_HOME`` or
    ``ARBRIDGE_DATABASE_URL``), naming the path and the command that creates it."""
    path = sqlite_path(settings.db_url)
    if path is None or path.exists():
        return
    setting = "ARBRIDGE_DATABASE_URL" if settings.database_url else "ARBRIDGE_HOME"
    raise ConfigError(f"no store at {path}: run `arbridge init` to create it, or correct "
                      f"{setting} if the path is mistyped")


def start_up(settings: Settings, *, create: bool = False) -> None:
    """What ``arbridge init`` and the long-running commands (``serve``, ``run``, ``jobs
    worker``) check once when they start: everything under the home owner-only (a walk of
    every evidence file, so not on each one-shot command), and, unless ``create``, that the
    store exists."""
    secure_home(settings.home)
    if not create:
        require_store(settings)


def entity(name: str) -> Entity:
    return {e.name: e for e in (CUSTOMERS, BILLING_DOCUMENTS, OPEN_ITEMS,
                                CLEARED_ITEMS)}[name]
