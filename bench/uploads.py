"""Benchmark: upload N invoices to the bundled demo portal (Coupa-style flavour).

Prints invoices per minute with 1 and with 4 parallel browser contexts, and the memory of
this process and of its browser processes after every 100 uploads.

    python bench/uploads.py --invoices 200
    python bench/uploads.py --invoices 1000 --contexts 4     # memory over 1,000 uploads
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from config.portals import BrowserSettings  # noqa: E402
from config.secrets import SecretBox  # noqa: E402
from config.settings import load_settings  # noqa: E402
from connectors.pdfs import RenderSource  # noqa: E402
from portals.accounts import resolve  # noqa: E402
from portals.demo.seed import DEMO_LOGIN, DEMO_PASSWORD, demo_accounts  # noqa: E402
from portals.demo.server import DemoServer  # noqa: E402
from portals.runner import UploadRunner  # noqa: E402
from sync.mirror import BILLING_DOCUMENTS, CUSTOMERS  # noqa: E402
from sync.store import open_store  # noqa: E402
from sync.upsert import upsert  # noqa: E402

PO_NUMBER = "4500099999"


def rss_mb(pid: int) -> float:
    """Proportional set size (shared pages split between the processes that share them), so
    that summing Chromium's many processes does not count shared memory many times."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def seed_store(store, first: int, count: int) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(timezone.utc)
    with store.engine.begin() as conn:
        upsert(conn, CUSTOMERS.table, [{
            "company_code": "1000", "number": "0000100001", "name": "Bench Mining (Pty) Ltd",
            "vat_number": "4000000001", "payment_terms": "Z030", "email": None, "phone": None,
            "city": "Johannesburg", "country": "ZA", "customer_group": "P01",
            "portal": "demo-coupa", "synced_at": now}], CUSTOMERS.keys)
        upsert(conn, BILLING_DOCUMENTS.table, [{
            "number": f"{first + i:010d}", "doc_type": "F2", "company_code": "1000",
            "sold_to": "0000100001", "payer": "0000100001", "billing_date": date.today(),
            "net": Decimal("1000.00"), "tax": Decimal("150.00"), "gross": Decimal("1150.00"),
            "currency": "ZAR", "customer_po": PO_NUMBER, "accounting_document": None,
            "fiscal_year": 2026, "cancelled": False, "changed_at": now, "synced_at": now}
            for i in range(count)], BILLING_DOCUMENTS.keys)


def run(home: Path, server: DemoServer, contexts: int, first: int, count: int) -> None:
    settings = load_settings(home=home)
    store = open_store(settings, create=True)
    seed_store(store, first, count)
    portals = demo_accounts(server.url, SecretBox.load(home))
    portals["demo-coupa"] = portals["demo-coupa"].model_copy(
        update={"concurrency": contexts, "totp_secret_encrypted": None})
    del portals["demo-ariba"]
    done = {"n": 0}
    started = time.perf_counter()

    def tick(portal: str, document: str, outcome: str) -> None:
        done["n"] += 1
        if done["n"] % 100 == 0:
            browsers = sum(rss_mb(p) for p in descendants(os.getpid()))
            print(f"  after {done['n']:>5} uploads: this process {rss_mb(os.getpid()):6.0f} MB,"
                  f" browser and driver {browsers:6.0f} MB, "
                  f"{done['n'] / (time.perf_counter() - started) * 60:5.0f} invoices/min")

    runner = UploadRunner(store=store, accounts=resolve(portals, SecretBox.load(home)),
                          browser=BrowserSettings(), pdfs=RenderSource(home / "pdfs"),
                          evidence_root=home / "evidence", session_root=home / "sessions",
                          on_upload=tick)
    summary = asyncio.run(runner.run())
    seconds = time.perf_counter() - started
    tally = summary.portals.get("demo-coupa", {})
    print(f"{contexts} context(s): {tally.get('submitted', 0):,} submitted of {count:,} in "
          f"{seconds:.1f}s = {tally.get('submitted', 0) / seconds * 60:.0f} invoices/min "
          f"{summary.errors or ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=200)
    parser.add_argument("--contexts", type=int, nargs="*", default=[1, 4])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="arbridge-bench-") as tmp:
        work = Path(tmp)
        with DemoServer(work / "portal") as server:
            state = server.states["coupa"]
            state.add_account(DEMO_LOGIN, DEMO_PASSWORD)
            state.add_purchase_order(number=PO_NUMBER, client="Bench Mining (Pty) Ltd",
                                     issued=date(2026, 1, 1), total=Decimal("999999999999.00"))
            first = 95_000_001
            for contexts in args.contexts:
                run(work / f"home-{contexts}", server, contexts, first, args.invoices)
                first += args.invoices


if __name__ == "__main__":
    main()
