"""Benchmark: collections over a large book.

50,000 customers with 1,000,000 open items (a fifth of the customers also with a dispute, a
promise or a posted allocation is not modelled: the exclusions' item path is measured by the
tests). Measured on SQLite (the embedded default) and PostgreSQL:

1. the morning's read of every customer's position (one grouped query over the covering
   index ``ix_open_item_position``), shared by the plan and the worklist;
2. the daily run's plan: every customer's decision (``collections run --dry-run``);
3. the worklist: ranking every customer with something overdue, the top 100 in detail
   (the /collections page);
   1 + 2 + 3 together: target under 10 seconds (aim: 6-7 s, so it holds on a busy machine);
   each alone, reading the positions itself, is printed too. The CPU time of this process is
   printed beside the wall time: on SQLite it holds the database's work too, so it is the
   figure a busy machine does not inflate;
4. the first full run on a new installation (every overdue customer reaches level 1: the
   reminders recorded and written to the outbox) and the next day's run (nothing new).

    python bench/collections.py                          # 1,000,000 items, both stores
    python bench/collections.py --items 100000 --no-postgres
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import reports as book  # noqa: E402  (bench/reports.py fills the same book)
from sqlalchemy import create_engine, text  # noqa: E402

from config.collections import CollectionSettings  # noqa: E402
from config.settings import load_settings  # noqa: E402
from connectors.collections.run import run_collections  # noqa: E402
from sync.collections.dunning import plan, summary  # noqa: E402
from sync.collections.positions import read_book  # noqa: E402
from sync.collections.worklist import build  # noqa: E402
from sync.store import open_store  # noqa: E402
from sync.tables import table_of

TODAY = date(2026, 12, 5)
NOW = datetime(2026, 12, 5, 6, tzinfo=timezone.utc)


def fill(engine, items: int) -> float:  # type: ignore[no-untyped-def]
    """The customers and open items of ``bench/reports.py``'s book (no cleared items)."""
    from random import Random

    from sqlalchemy import insert

    from sync.mirror.models import CustomerRow, OpenItemRow

    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(table_of(CustomerRow)), [
            {"company_code": "1000", "number": f"{100_000 + i:010d}", "name": f"Client {i}",
             "email": f"ap{i}@client.example", "synced_at": NOW}
            for i in range(book.CUSTOMERS)])
    book._insert_many(engine, table_of(OpenItemRow), book.COLUMNS,
                      book._rows(Random(7), items, False))
    if engine.dialect.name == "postgresql":  # as autovacuum leaves a table after a bulk load:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE open_item"))  # visible pages: index-only scans
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return time.perf_counter() - started


def timed(what):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = what()
    return time.perf_counter() - started, result


def bench_store(name: str, engine, home: Path, items: int, full: bool) -> None:  # type: ignore[no-untyped-def]
    print(f"{name}: filling {book.CUSTOMERS:,} customers, {items:,} open items …", flush=True)
    print(f"{name}: filled in {fill(engine, items):.0f}s", flush=True)
    settings = CollectionSettings()
    with engine.connect() as conn:
        cpu = time.process_time()
        read, morning = timed(lambda: read_book(conn, TODAY))
        planning, planned = timed(lambda: plan(conn, settings, TODAY, book=morning))
        ranking, _ = timed(lambda: build(conn, settings, TODAY, limit=100, book=morning))
        print(f"{name}: morning (read {read:.2f}s + plan {planning:.2f}s over "
              f"{len(planned):,} customers + worklist {ranking:.2f}s): "
              f"{read + planning + ranking:.2f}s, {time.process_time() - cpu:.2f}s CPU in this "
              f"process {summary(planned)} (target < 10 s; load average "
              f"{os.getloadavg()[0]:.1f})", flush=True)
        seconds, _ = timed(lambda: plan(conn, settings, TODAY))
        print(f"{name}: the plan alone, reading itself: {seconds:.2f}s", flush=True)
        seconds, _ = timed(lambda: build(conn, settings, TODAY, limit=100))
        print(f"{name}: the worklist alone, reading itself: {seconds:.2f}s", flush=True)
    if not full:
        return
    seconds, report = timed(lambda: run_collections(engine, settings, home, as_of=TODAY,
                                                    now=NOW))
    print(f"{name}: first full run: {seconds:.1f}s, reminders {report.recorded}, "
          f"{report.sent} e-mails to the outbox", flush=True)
    later = TODAY + timedelta(days=1)
    seconds, report = timed(lambda: run_collections(engine, settings, home, as_of=later,
                                                    now=NOW + timedelta(days=1)))
    print(f"{name}: next day's run: {seconds:.2f}s, reminders {report.recorded}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--full-run", action="store_true",
                        help="also the first full run (writes a reminder per customer)")
    args = parser.parse_args()
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as home:
            store = open_store(load_settings(home=Path(home)), create=True)
            bench_store("sqlite", store.engine, Path(home), args.items, args.full_run)
    if not args.no_postgres:
        schema = f"bench_collections_{os.getpid()}"
        admin = create_engine(book.POSTGRES)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            url = f"{book.POSTGRES}?options=-csearch_path%3D{schema}"
            with tempfile.TemporaryDirectory() as home:
                store = open_store(load_settings(home=Path(home), database_url=url),
                                   create=True)
                bench_store("postgres", store.engine, Path(home), args.items, args.full_run)
                store.engine.dispose()
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
