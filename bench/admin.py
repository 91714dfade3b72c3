"""Benchmark: the admin app's lists with a big queue and audit trail behind them.

Seeds N uploads (over 500 clients, every state) and 5×N audit events, logs in, and times the
queue (first page, a deep page, filtered by client name and by state), the audit trail
(first page, a text search) and the dashboard, in-process (no network), median of 5.

    python bench/admin.py --uploads 10000
    python bench/admin.py --uploads 10000 --database-url postgresql://postgres@127.0.0.1/test
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from admin.app import create_app  # noqa: E402
from config.settings import load_settings  # noqa: E402
from sync.audit_models import AuditEventRow  # noqa: E402
from sync.mirror.models import CustomerRow
from sync.store import open_store  # noqa: E402
from sync.tables import table_of  # noqa: E402 - after the sys.path line above
from sync.uploads.models import PortalUploadRow
from sync.uploads.states import STATES  # noqa: E402
from sync.users import accounts as users  # noqa: E402

PASSWORD = "benchmark password"


def seed(engine, count: int) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(timezone.utc)
    customers = [{"company_code": "1000", "number": f"{100000 + i:010d}",
                  "name": f"Client {i} (Pty) Ltd", "vat_number": None, "payment_terms": None,
                  "email": None, "phone": None, "city": None, "country": "ZA",
                  "customer_group": None, "portal": "demo-coupa", "synced_at": now}
                 for i in range(500)]
    rows = [{"billing_document": f"{90000000 + i:010d}",
             "portal": ("demo-coupa", "demo-ariba")[i % 2],
             "company_code": "1000", "customer": f"{100000 + i % 500:010d}",
             "invoice_number": str(90000000 + i), "po_number": f"45{i % 900:08d}",
             "invoice_date": date(2026, 11, 1) + timedelta(days=i % 24), "net": "1000.00",
             "tax": "150.00", "gross": "1150.00", "currency": "ZAR",
             "state": STATES[i % len(STATES)], "reason": "PO has 10.00 ZAR left" if i % 7 == 0
             else None, "attempts": i % 3, "created_at": now,
             "updated_at": now - timedelta(minutes=i)} for i in range(count)]
    events = [{"at": now - timedelta(seconds=i), "actor": ("arbridge", "thandi", "vusi")[i % 3],
               "action": "upload ready", "entity": "portal_upload",
               "entity_key": f"{90000000 + i % count:010d}",
               "detail": json.dumps({"from": "review", "to": "ready"})} for i in range(5 * count)]
    with engine.begin() as conn:
        conn.execute(insert(table_of(CustomerRow)), customers)
        for start in range(0, count, 5000):
            conn.execute(insert(table_of(PortalUploadRow)),
                         rows[start:start + 5000])
        for start in range(0, len(events), 5000):
            conn.execute(insert(table_of(AuditEventRow)),
                         events[start:start + 5000])
        users.add_user(conn, name="thandi", role="administrator", password=PASSWORD, now=now)


def timed(client: TestClient, path: str, runs: int = 5) -> tuple[float, int]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times) * 1000, len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="arbridge-bench-admin-") as folder:
        settings = load_settings(home=Path(folder), database_url=args.database_url)
        store = open_store(settings, create=True)
        started = time.perf_counter()
        seed(store.engine, args.uploads)
        print(f"seeded {args.uploads:,} uploads and {5 * args.uploads:,} audit events in "
              f"{time.perf_counter() - started:.1f}s ({store.engine.dialect.name})")
        with TestClient(create_app(settings, engine=store.engine)) as client:
            page = client.get("/login").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            client.post("/login", data={"name": "thandi", "password": PASSWORD,
                                        "csrf_token": token})
            deep = args.uploads // settings.admin.page_size
            for label, path in (("dashboard", "/"), ("queue, page 1", "/uploads"),
                                (f"queue, page {deep}", f"/uploads?page={deep}"),
                                ("queue, client name", "/uploads?client=client+42"),
                                ("queue, state failed", "/uploads?state=failed"),
                                ("audit, page 1", "/audit"),
                                ("audit, text search", "/audit?q=0090000042")):
                ms, size = timed(client, path)
                print(f"{label:<22} {ms:7.1f} ms  ({size / 1024:.0f} KiB)")
        store.engine.dispose()


if __name__ == "__main__":
    main()
