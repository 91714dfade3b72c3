"""Benchmark: the debtors' book.

1. The age analysis as at a past date over N open and N cleared items (default 1,000,000
   each), on SQLite and on PostgreSQL. Target: under 3 seconds.
2. 500 customer statements rendered to PDF. Target: under 60 seconds.
3. The debtors' dashboard (everything the /book page computes) over that book.
   Target: under 300 ms.

    python bench/reports.py                         # 1,000,000 + 1,000,000, both stores
    python bench/reports.py --items 100000 --no-postgres
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from random import Random

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, insert, text  # noqa: E402

from config.reports import StatementSettings  # noqa: E402
from config.settings import load_settings  # noqa: E402
from connectors.reports.statement_pdf import render_pdf  # noqa: E402
from sync.mirror.models import ClearedItemRow, CustomerRow, OpenItemRow  # noqa: E402
from sync.reports.ageing_store import ageing  # noqa: E402
from sync.reports.dashboard import overview  # noqa: E402
from sync.reports.statements import compose  # noqa: E402
from sync.store import open_store  # noqa: E402
from sync.tables import table_of

TODAY = date(2026, 12, 5)
NOW = datetime(2026, 12, 5, tzinfo=timezone.utc)
CUSTOMERS = 50_000
CHUNK = 20_000
POSTGRES = os.environ.get("ARBRIDGE_TEST_POSTGRES_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _rows(rng: Random, n: int, cleared: bool):  # type: ignore[no-untyped-def]
    for i in range(n):
        posted = TODAY - timedelta(days=rng.randint(1, 720))
        row = {"company_code": "1000", "customer": f"{100_000 + rng.randrange(CUSTOMERS):010d}",
               "document": f"{(2 if cleared else 1) * 1_000_000_000 + i:010d}",
               "fiscal_year": posted.year, "line": 1,
               "amount": Decimal(rng.randint(-20_000, 500_000)) / 100,
               "currency": "ZAR" if rng.random() < 0.9 else "USD", "posting_date": posted,
               "document_date": posted, "due_date": posted + timedelta(days=30),
               "reference": None, "assignment": None, "doc_type": "RV",
               "billing_document": None, "synced_at": NOW}
        if cleared:
            row |= {"clearing_date": posted + timedelta(days=rng.randint(1, 120)),
                    "clearing_document": "1400000001"}
        yield row


def fill(engine, items: int) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    rng = Random(7)
    with engine.begin() as conn:
        conn.execute(insert(table_of(CustomerRow)), [  # type: ignore[attr-defined]
            {"company_code": "1000", "number": f"{100_000 + i:010d}", "name": f"Client {i}",
             "synced_at": NOW} for i in range(CUSTOMERS)])
    for table, cleared in ((table_of(OpenItemRow), False),  # type: ignore[attr-defined]
                           (table_of(ClearedItemRow), True)):  # type: ignore[attr-defined]
        batch = []
        for row in _rows(rng, items, cleared):
            batch.append(row)
            if len(batch) == CHUNK:
                with engine.begin() as conn:
                    conn.execute(insert(table), batch)
                batch = []
        if batch:
            with engine.begin() as conn:
                conn.execute(insert(table), batch)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return time.perf_counter() - started


def timed(what, runs: int = 3):  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        result = what()
        best = min(best, time.perf_counter() - started)
    return best, result


def bench_store(name: str, engine, items: int) -> None:  # type: ignore[no-untyped-def]
    print(f"{name}: filling {items:,} open + {items:,} cleared items …", flush=True)
    print(f"{name}: filled in {fill(engine, items):.0f}s")
    past = TODAY - timedelta(days=90)
    with engine.connect() as conn:
        seconds, report = timed(lambda: ageing(conn, past))
        print(f"{name}: age analysis as at {past}: {seconds:.2f}s "
              f"({len(report.lines):,} customer lines; target < 3 s)")
        seconds, _ = timed(lambda: overview(conn, TODAY, currency="ZAR"), runs=2)
        print(f"{name}: dashboard overview: {seconds * 1000:.0f} ms (target < 300 ms)")
        customers = [ln.customer for ln in report.lines[:500]]
        started = time.perf_counter()
        settings = StatementSettings()
        for customer in customers:
            render_pdf(compose(conn, "1000", customer, TODAY), settings)
        print(f"{name}: {len(customers)} statements composed and rendered: "
              f"{time.perf_counter() - started:.1f}s (target < 60 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if not args.no_sqlite:
            store = open_store(load_settings(home=Path(folder)), create=True)
            bench_store("SQLite", store.engine, args.items)
        if not args.no_postgres:
            schema = f"bench_reports_{os.getpid()}"
            admin = create_engine(POSTGRES)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            try:
                url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
                store = open_store(load_settings(home=Path(folder) / "pg", database_url=url),
                                   create=True)
                bench_store("PostgreSQL", store.engine, args.items)
                store.engine.dispose()
            finally:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
