"""Where an upload's time goes: uploads N invoices to the demo portal (served in a separate
process, as a real portal would be) and times each step of the runner — the lookup before
submitting, the PDF, the form and submit, the screenshot, the trace chunk — by wrapping the
driver, PDF source and tracing calls.

    python bench/upload_profile.py --invoices 60 --contexts 4
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.uploads import PO_NUMBER, seed_store  # noqa: E402
from config.portals import BrowserSettings  # noqa: E402
from config.secrets import SecretBox  # noqa: E402
from config.settings import load_settings  # noqa: E402
from connectors.pdfs import RenderSource  # noqa: E402
from portals import runner as runner_module  # noqa: E402
from portals.accounts import resolve  # noqa: E402
from portals.demo.seed import DEMO_LOGIN, DEMO_PASSWORD, demo_accounts  # noqa: E402
from portals.demo.state import PortalState  # noqa: E402
from portals.drivers.base import PageDriver  # noqa: E402
from portals.evidence import EvidencePack  # noqa: E402
from sync.store import open_store  # noqa: E402

SPENT: dict[str, float] = collections.defaultdict(float)
CALLS: dict[str, int] = collections.defaultdict(int)


def timed_async(owner: object, name: str, label: str, static: bool = False) -> None:
    original = getattr(owner, name)

    async def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return await original(*args, **kwargs)
        finally:
            SPENT[label] += time.perf_counter() - started
            CALLS[label] += 1
    setattr(owner, name, staticmethod(wrapper) if static else wrapper)


def timed(owner: object, name: str, label: str) -> None:
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            SPENT[label] += time.perf_counter() - started
            CALLS[label] += 1
    setattr(owner, name, wrapper)


def serve(folder: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen([str(Path(sys.executable).parent / "arbridge"), "portals",
                             "demo-server", "--port", str(port)], cwd=folder,
                            env={"ARBRIDGE_HOME": str(folder), "PATH": "/usr/bin:/bin"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=60)
    parser.add_argument("--contexts", type=int, default=4)
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--skip-new-lookup", action="store_true",
                        help="lookup_new_invoices = false: no lookup before a first submit")
    args = parser.parse_args()
    timed_async(PageDriver, "screenshot", "screenshot")
    timed_async(EvidencePack, "drop_trace", "trace chunk: stop and drop", static=True)
    timed_async(EvidencePack, "keep_trace", "trace chunk: stop and keep")
    with tempfile.TemporaryDirectory(prefix="arbridge-profile-") as tmp:
        work = Path(tmp)
        state = PortalState(work / "demo-portal" / "coupa.db")
        state.add_account(DEMO_LOGIN, DEMO_PASSWORD)
        state.add_purchase_order(number=PO_NUMBER, client="Bench Mining (Pty) Ltd",
                                 issued=date(2026, 1, 1), total=Decimal("999999999999.00"))
        server = serve(work, args.port)
        time.sleep(3)
        try:
            home = work / "home"
            store = open_store(load_settings(home=home), create=True)
            seed_store(store, 96_000_001, args.invoices)
            url = f"http://127.0.0.1:{args.port}"
            portals = demo_accounts(url, SecretBox.load(home))
            portals = {"demo-coupa": portals["demo-coupa"].model_copy(
                update={"concurrency": args.contexts, "totp_secret_encrypted": None,
                        "lookup_new_invoices": not args.skip_new_lookup})}
            pdfs = RenderSource(home / "pdfs")
            timed(pdfs, "pdf_for", "PDF")
            runner = runner_module.UploadRunner(
                store=store, accounts=resolve(portals, SecretBox.load(home)),
                browser=BrowserSettings(), pdfs=pdfs, evidence_root=home / "evidence",
                session_root=home / "sessions")
            original_driver = runner._driver

            def driver(account, context):  # type: ignore[no-untyped-def]
                made = original_driver(account, context)
                timed_async(made, "find_invoice", "lookup before submit")
                timed_async(made, "submit_invoice", "form and submit")
                return made
            runner._driver = driver  # type: ignore[method-assign]
            timed_async(runner, "_upload", "whole upload (per context)")
            started = time.perf_counter()
            asyncio.run(runner.run())
            seconds = time.perf_counter() - started
        finally:
            server.terminate()
    done = CALLS["whole upload (per context)"]
    print(f"{done} uploads with {args.contexts} context(s) in {seconds:.1f}s = "
          f"{done / seconds * 60:.0f}/min; per upload, summed over contexts:")
    for label, spent in sorted(SPENT.items(), key=lambda kv: -kv[1]):
        print(f"  {label:32} {spent / max(done, 1) * 1000:7.0f} ms  ({CALLS[label]} calls)")


if __name__ == "__main__":
    main()
