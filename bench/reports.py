"""Benchmark: the debtors' book.

1. The age analysis as at a past date over N open and N cleared items (default 1,000,000
   each), on SQLite and on PostgreSQL. Target: under 3 seconds.
2. The debtors' dashboard over that book: summing it (what the pull does after it writes,
   and the page when the book changed since), and the page's read of the kept figures.
   Target: under 300 ms for the page.
3. 500 customer statements rendered to PDF. Target: under 60 seconds.

    python bench/reports.py                         # 1,000,000 + 1,000,000, both stores
    python bench/reports.py --items 100000 --no-postgres
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from random import Random
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, Table, create_engine, event, func, select, text  # noqa: E402

from config.reports import StatementSettings  # noqa: E402
from config.settings import load_settings  # noqa: E402
from connectors.reports.statement_pdf import render_pdf  # noqa: E402
from sync.mirror.models import ClearedItemRow, CustomerRow, OpenItemRow  # noqa: E402
from sync.reports.ageing_store import ageing  # noqa: E402
from sync.reports.statements import compose  # noqa: E402
from sync.reports.summary import dashboard, keep  # noqa: E402
from sync.store import open_store  # noqa: E402
from sync.tables import table_of

TODAY = date(2026, 12, 5)
NOW = datetime(2026, 12, 5, tzinfo=timezone.utc)
CUSTOMERS = 50_000
CHUNK = 20_000
POSTGRES = os.environ.get("ARBRIDGE_TEST_POSTGRES_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/test")


COLUMNS = ("company_code", "customer", "document", "fiscal_year", "line", "amount", "currency",
           "posting_date", "document_date", "due_date", "reference", "assignment", "doc_type",
           "billing_document", "synced_at")


def _rows(rng: Random, n: int, cleared: bool) -> Iterator[tuple[Any, ...]]:
    """Tuples in ``COLUMNS`` order (plus clearing date and document when ``cleared``)."""
    days = [TODAY - timedelta(days=d) for d in range(0, 900)]
    for i in range(n):
        back = rng.randint(1, 720)
        posted = days[back]
        row: tuple[Any, ...] = ("1000", f"{100_000 + rng.randrange(CUSTOMERS):010d}",
               f"{(2 if cleared else 1) * 1_000_000_000 + i:010d}", posted.year, 1,
               Decimal(rng.randint(-20_000, 500_000)) / 100,
               "ZAR" if rng.random() < 0.9 else "USD", posted, posted, days[back - 30]
               if back >= 30 else posted + timedelta(days=30), None, None, "RV", None, NOW)
        if cleared:
            row += (posted + timedelta(days=rng.randint(1, 120)), "1400000001")
        yield row


def _insert_many(engine: Engine, table: Table, columns: tuple[str, ...],
                 rows: Iterable[tuple[Any, ...]]) -> None:
    """Bulk insert without the ORM: COPY on PostgreSQL; on SQLite one executemany per chunk
    of values already converted by the columns' own bind processors (text dates, text Money),
    so the stored rows are exactly what the store itself writes."""
    with engine.begin() as conn:
        raw: Any = conn.connection.driver_connection
        if engine.dialect.name == "postgresql":
            names = ", ".join(columns)
            with raw.cursor() as cursor, cursor.copy(
                    f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        procs = [table.c[c].type._cached_bind_processor(engine.dialect) for c in columns]
        sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
               f"VALUES ({', '.join('?' for _ in columns)})")
        cursor = raw.cursor()
        batch = []
        for row in rows:
            batch.append(tuple(v if p is None or v is None else p(v)
                               for p, v in zip(procs, row, strict=True)))
            if len(batch) == CHUNK:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def fill(engine: Engine, items: int) -> float:
    started = time.perf_counter()
    rng = Random(7)
    _insert_many(engine, table_of(CustomerRow), ("company_code", "number", "name", "synced_at"),
                 (("1000", f"{100_000 + i:010d}", f"Client {i}", NOW)
                  for i in range(CUSTOMERS)))
    _insert_many(engine, table_of(OpenItemRow), COLUMNS, _rows(rng, items, False))
    _insert_many(engine, table_of(ClearedItemRow), COLUMNS + ("clearing_date",
                                                              "clearing_document"),
                 _rows(rng, items, True))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # PostgreSQL: as autovacuum would after a bulk load; without the visibility map an
        # index-only scan still visits every row's heap page
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql"
                          else "ANALYZE"))
    return time.perf_counter() - started


def timed(what: Callable[[], Any], runs: int = 2) -> tuple[float, float, Any]:
    """Best wall time of ``runs``, with the CPU time this process spent in that run (SQLite
    works inside the process; PostgreSQL's own work is not in it)."""
    best, cpu, result = float("inf"), 0.0, None
    for _ in range(runs):
        started, ticks = time.perf_counter(), time.process_time()
        result = what()
        if time.perf_counter() - started < best:
            best, cpu = time.perf_counter() - started, time.process_time() - ticks
    return best, cpu, result


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def _filled(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.execute(select(func.count()).select_from(
            table_of(OpenItemRow))).scalar_one())


def bench_store(name: str, engine: Engine, items: int, statements: bool = True,
                fill_only: bool = False) -> None:
    if _filled(engine):
        print(f"{name}: reusing the filled store", flush=True)
    else:
        print(f"{name}: filling {items:,} open + {items:,} cleared items …", flush=True)
        print(f"{name}: filled in {fill(engine, items):.0f}s", flush=True)
    if fill_only:
        return
    past = TODAY - timedelta(days=90)
    with engine.connect() as conn:
        seconds, cpu, report = timed(lambda: ageing(conn, past))
        print(f"{name}: age analysis as at {past}: {seconds:.2f}s wall, {cpu:.2f}s CPU "
              f"({len(report.lines):,} customer lines; target < 3 s; {load()})", flush=True)
        with engine.begin() as writing:  # the book changed (as a pull's write would)
            writing.execute(text("UPDATE book_version SET version = version + 1"))
        seconds, cpu, _ = timed(lambda: keep(engine, TODAY, currency="ZAR"), runs=1)
        print(f"{name}: dashboard summed (the pull, after it writes): {seconds:.2f}s wall, "
              f"{cpu:.2f}s CPU ({load()})", flush=True)
        seen: list[str] = []

        def count(*args: Any) -> None:
            seen.append(args[2])

        event.listen(engine, "before_cursor_execute", count)
        seconds, cpu, figures = timed(lambda: dashboard(engine, TODAY, currency="ZAR"),
                                      runs=5)
        assert not figures["summed_now"]
        print(f"{name}: dashboard page (kept figures): {seconds * 1000:.1f} ms wall, "
              f"{cpu * 1000:.1f} ms CPU, {len(seen) // 5} queries (target < 300 ms; best of "
              f"5; {load()})", flush=True)
        event.remove(engine, "before_cursor_execute", count)
        if not statements:
            return
        customers = [ln.customer for ln in report.lines[:500]]
        started, ticks = time.perf_counter(), time.process_time()
        settings = StatementSettings()
        for customer in customers:
            render_pdf(compose(conn, "1000", customer, TODAY), settings)
        print(f"{name}: {len(customers)} statements composed and rendered: "
              f"{time.perf_counter() - started:.1f}s wall, {time.process_time() - ticks:.1f}s "
              f"CPU (target < 60 s; {load()})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-statements", action="store_true",
                        help="time only the age analysis and the dashboard")
    parser.add_argument("--fill-only", action="store_true",
                        help="fill (or find filled) the stores and stop")
    parser.add_argument("--keep", metavar="NAME", help="keep the filled stores (SQLite under "
                        "/tmp/NAME, PostgreSQL schema NAME) and reuse them on the next run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        home = Path("/tmp") / args.keep if args.keep else Path(folder)
        if not args.no_sqlite:
            store = open_store(load_settings(home=home), create=True)
            bench_store("SQLite", store.engine, args.items, not args.no_statements,
                        args.fill_only)
            store.engine.dispose()
        if not args.no_postgres:
            schema = args.keep or f"bench_reports_{os.getpid()}"
            admin = create_engine(POSTGRES)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            try:
                url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
                store = open_store(load_settings(home=home / "pg", database_url=url),
                                   create=True)
                bench_store("PostgreSQL", store.engine, args.items,
                            not args.no_statements, args.fill_only)
                store.engine.dispose()
            finally:
                if not args.keep:
                    with admin.begin() as conn:
                        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
