"""The engine the cXML channel's sending threads share (``sync.db.for_threads``): the same
store, with a small SQLite page cache per connection so that the process does not grow with
every thread's cache; on PostgreSQL the store's own engine."""

from __future__ import annotations

from sqlalchemy import text

from sync.db import SQLITE_CACHE_KIB, SQLITE_THREAD_CACHE_KIB, for_threads
from sync.store import Store


def _cache_kib(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return -int(conn.exec_driver_sql("PRAGMA cache_size").scalar_one())


def test_threads_share_the_store_with_a_small_cache(store: Store) -> None:
    threads = for_threads(store.engine)
    try:
        if store.engine.dialect.name != "sqlite":
            assert threads is store.engine
            return
        assert threads is not store.engine
        assert _cache_kib(store.engine) == SQLITE_CACHE_KIB
        assert _cache_kib(threads) == SQLITE_THREAD_CACHE_KIB
        with threads.begin() as conn:  # a write by a thread is the store's
            conn.execute(text("CREATE TABLE thread_probe (n INTEGER)"))
            conn.execute(text("INSERT INTO thread_probe VALUES (7)"))
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT n FROM thread_probe")).scalar_one() == 7
    finally:
        if threads is not store.engine:
            threads.dispose()
