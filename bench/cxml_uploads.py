"""Benchmark of the cXML channel (``bench/uploads.py --channel cxml``): N invoices to the demo
portal's cXML endpoint (Coupa flavour, served in a process of its own), through the same
claims, attempts and payloadIDs as a real run; invoices per minute and this process's memory
every 1,000 uploads (flat is what to look for)."""

from __future__ import annotations

import os
import time
from datetime import UTC, date
from decimal import Decimal
from pathlib import Path

from config.secrets import SecretBox
from config.settings import load_settings
from connectors.pdfs import RenderSource
from portals.accounts import resolve
from portals.cxml_uploads import CxmlUploads
from portals.demo.seed import demo_cxml_accounts
from portals.demo.state import PortalState
from sync.store import open_store
from sync.txn import writing
from sync.uploads import queue as uploads

PORTAL = "demo-coupa-cxml"


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def heap_mb(pid: int) -> float:
    """Anonymous resident memory (the heap, SQLite's page caches, thread stacks): what grows if
    anything leaks; the proportional set size beside it also counts mapped libraries."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    return 0.0


def seed_portal(folder: Path, po_number: str) -> None:
    state = PortalState(folder / "coupa.db")
    state.add_purchase_order(number=po_number, client="Bench Mining (Pty) Ltd",
                             issued=date(2026, 1, 1), total=Decimal("999999999999.00"))


def run(home: Path, url: str, *, workers: int, first: int, count: int, attachments: bool,
        seed_store, rss_mb, server_pid: int) -> None:  # type: ignore[no-untyped-def]
    settings = load_settings(home=home)
    store = open_store(settings, create=True)
    seed_store(store, first, count)
    with writing(store.engine) as conn:  # the bench's customer is bound to the cXML portal
        conn.exec_driver_sql("UPDATE customer SET portal = ?", (PORTAL,))
    box = SecretBox.load(home)
    portal = demo_cxml_accounts(url, box, attachments=attachments)[PORTAL].model_copy(
        update={"concurrency": workers, "timeout_seconds": 30.0})
    account = resolve({PORTAL: portal}, box)[PORTAL]
    done = {"n": 0}
    started = time.perf_counter()

    def tick(portal_name: str, document: str, outcome: str) -> None:
        done["n"] += 1
        if done["n"] % 1000 == 0:
            print(f"  after {done['n']:>6} uploads: this process {rss_mb(os.getpid()):6.0f} MB,"
                  f" heap {heap_mb(os.getpid()):6.1f} MB,"
                  f" {done['n'] / (time.perf_counter() - started) * 60:6.0f} invoices/min",
                  flush=True)

    with writing(store.engine) as conn:
        from datetime import datetime

        now = datetime.now(UTC)
        uploads.enqueue(conn, now=now, portals=[PORTAL])
        uploads.route_queued(conn, now=now, review_portals=set())
    runner = CxmlUploads(store=store, account=account, pdfs=RenderSource(home / "pdfs"),
                         evidence_root=home / "evidence", workers=workers, on_upload=tick)
    cpu, server_cpu = time.process_time(), cpu_seconds(server_pid)
    started = time.perf_counter()
    tally = runner.run()
    seconds = time.perf_counter() - started
    submitted = tally.get("submitted", 0)
    print(f"cXML, {workers} worker thread(s), PDF attached: {'yes' if attachments else 'no'}: "
          f"{submitted:,} submitted of {count:,} in {seconds:.1f}s = "
          f"{submitted / seconds * 60:.0f} invoices/min; arbridge CPU "
          f"{(time.process_time() - cpu) / max(submitted, 1) * 1000:.1f} ms per invoice, the "
          f"demo portal's {(cpu_seconds(server_pid) - server_cpu) / max(submitted, 1) * 1000:.1f}"
          f" ms; "
          f"load average {os.getloadavg()[0]:.1f}; {tally}", flush=True)
