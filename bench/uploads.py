"""Benchmark: upload N invoices to the bundled demo portal (Coupa-style flavour), with 1 and
with 4 parallel browser contexts, and say where each upload's time goes.

One command, one clear output per context count: invoices per minute, the wall time of each
phase of an upload (summed over the contexts, per upload), the CPU seconds per upload of
arbridge, of Chromium with its Playwright driver and of the demo portal (served in a process
of its own, as a real portal is another system), and how long the runner's event loop was
blocked. The CPU figures hardly move with other work on the machine; wall time does.

    python bench/uploads.py                               # 200 invoices, 1 and 4 contexts
    python bench/uploads.py --invoices 1000 --contexts 4  # memory over 1,000 uploads
    python bench/uploads.py --lookup-new                  # also look up never-sent invoices
    python bench/uploads.py --lookup-new --trace-snapshots  # as every upload ran before
    python bench/uploads.py --channel cxml --invoices 10000 --contexts 8  # the cXML channel
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

from bench.upload_timing import (  # noqa: E402
    CpuMeter,
    LoopLag,
    Phases,
    descendants,
    instrument_runner,
    serve_portal,
)
from config.portals import BrowserSettings  # noqa: E402
from config.secrets import SecretBox  # noqa: E402
from config.settings import load_settings  # noqa: E402
from connectors.pdfs import RenderSource  # noqa: E402
from portals.accounts import resolve  # noqa: E402
from portals.demo.seed import DEMO_LOGIN, DEMO_PASSWORD, demo_accounts  # noqa: E402
from portals.demo.state import PortalState  # noqa: E402
from portals.upload_run import UploadRunner  # noqa: E402
from sync.mirror.writes import BILLING_DOCUMENTS, CUSTOMERS  # noqa: E402
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


def seed_portal(folder: Path) -> None:
    state = PortalState(folder / "coupa.db")
    state.add_account(DEMO_LOGIN, DEMO_PASSWORD)
    state.add_purchase_order(number=PO_NUMBER, client="Bench Mining (Pty) Ltd",
                             issued=date(2026, 1, 1), total=Decimal("999999999999.00"))


async def _run_watched(runner: UploadRunner, lag: LoopLag):  # type: ignore[no-untyped-def]
    watcher = asyncio.create_task(lag.watch())
    try:
        return await runner.run()
    finally:
        watcher.cancel()


def run(home: Path, url: str, server_pid: int, *, contexts: int, first: int, count: int,
        lookup_new: bool, snapshots: bool, phases: Phases) -> None:
    settings = load_settings(home=home)
    store = open_store(settings, create=True)
    seed_store(store, first, count)
    portals = demo_accounts(url, SecretBox.load(home))
    portals = {"demo-coupa": portals["demo-coupa"].model_copy(update={
        "concurrency": contexts, "totp_secret_encrypted": None,
        "lookup_new_invoices": lookup_new})}
    done = {"n": 0}
    started = time.perf_counter()

    def tick(portal: str, document: str, outcome: str) -> None:
        done["n"] += 1
        if done["n"] % 100 == 0:
            browsers = sum(rss_mb(p) for p in descendants(os.getpid()) if p != server_pid)
            print(f"  after {done['n']:>5} uploads: this process {rss_mb(os.getpid()):6.0f} MB,"
                  f" browser and driver {browsers:6.0f} MB, "
                  f"{done['n'] / (time.perf_counter() - started) * 60:5.0f} invoices/min",
                  flush=True)

    runner = UploadRunner(store=store, accounts=resolve(portals, SecretBox.load(home)),
                          browser=BrowserSettings(trace_snapshots=snapshots),
                          pdfs=RenderSource(home / "pdfs"),
                          evidence_root=home / "evidence", session_root=home / "sessions",
                          on_upload=tick)
    phases.spent.clear()
    phases.calls.clear()
    lag = LoopLag()
    with CpuMeter(server_pid) as cpu:
        started = time.perf_counter()
        summary = asyncio.run(_run_watched(runner, lag))
        seconds = time.perf_counter() - started
    tally = summary.portals.get("demo-coupa", {})
    submitted = tally.get("submitted", 0)
    print(f"{contexts} context(s): {submitted:,} submitted of {count:,} in {seconds:.1f}s = "
          f"{submitted / seconds * 60:.0f} invoices/min "
          f"(lookup before a first submit: {'yes' if lookup_new else 'no'}, DOM snapshots "
          f"in every trace: {'yes' if snapshots else 'no'}; load average "
          f"{os.getloadavg()[0]:.1f}) {summary.errors or ''}")
    print(" wall time per upload, summed over the contexts:")
    print("\n".join(phases.report(submitted)))
    print(f"  {'event loop blocked':34} {lag.blocked / max(submitted, 1) * 1000:7.0f} ms  "
          f"(worst {lag.worst * 1000:.0f} ms)")
    print(" CPU time per upload:")
    print("\n".join(cpu.report(submitted)), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=200)
    parser.add_argument("--contexts", type=int, nargs="*", default=[1, 4])
    parser.add_argument("--port", type=int, default=8798)
    parser.add_argument("--lookup-new", action="store_true",
                        help="lookup_new_invoices = true: look every invoice up before its "
                             "first submit, even one the claim proves was never sent")
    parser.add_argument("--trace-snapshots", action="store_true",
                        help="trace_snapshots = true: DOM snapshots in every upload's trace "
                             "(with --lookup-new: how every upload ran before both changes)")
    parser.add_argument("--channel", choices=("browser", "cxml"), default="browser",
                        help="cxml: the demo's cXML endpoint (--contexts = worker threads)")
    parser.add_argument("--attach-pdf", action="store_true",
                        help="with --channel cxml: render and attach each invoice's PDF")
    args = parser.parse_args()
    if args.channel == "cxml":
        return main_cxml(args)
    phases = Phases()
    instrument_runner(phases)
    with tempfile.TemporaryDirectory(prefix="arbridge-bench-") as tmp:
        work = Path(tmp)
        seed_portal(work / "portal")
        server = serve_portal(work / "portal", args.port)
        try:
            first = 95_000_001
            for contexts in args.contexts:
                run(work / f"home-{contexts}", f"http://127.0.0.1:{args.port}", server.pid,
                    contexts=contexts, first=first, count=args.invoices,
                    lookup_new=args.lookup_new, snapshots=args.trace_snapshots,
                    phases=phases)
                first += args.invoices
        finally:
            server.terminate()
            server.wait(timeout=10)


def main_cxml(args: argparse.Namespace) -> None:
    from bench import cxml_uploads

    with tempfile.TemporaryDirectory(prefix="arbridge-bench-") as tmp:
        work = Path(tmp)
        cxml_uploads.seed_portal(work / "portal", PO_NUMBER)
        server = serve_portal(work / "portal", args.port)
        try:
            first = 96_000_001
            for workers in args.contexts:
                cxml_uploads.run(work / f"home-cxml-{workers}", f"http://127.0.0.1:{args.port}",
                                 workers=workers, first=first, count=args.invoices,
                                 attachments=args.attach_pdf, seed_store=seed_store,
                                 rss_mb=rss_mb, server_pid=server.pid)
                first += args.invoices
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
