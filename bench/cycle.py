"""Benchmark: one debtors administrator's month through the production layout — the SAP pull
and the portal uploads as dramatiq jobs on Redis, N worker processes, PostgreSQL store, the
demo portal (both flavours, duplicates accepted) in a process of its own.

For each worker count: a fresh PostgreSQL schema and a fresh demo portal; a ``sap_pull`` job,
then N ``portal_upload`` jobs (each run takes the portals' browser slots and uploads through
claims, so the N runs share the work). Prints wall time and throughput per stage, and checks
that every invoice is on its portal exactly once.

    python bench/cycle.py                                   # 500 customers, 3,000 documents
    python bench/cycle.py --workers 1 2 4 --lookback-days 6  # the whole pull, fewer uploads
    python bench/cycle.py --workers 4 --customers 100 --documents 600
    python bench/cycle.py --workers 1 --channel browser cxml  # the same month over cXML too

``--channel cxml`` binds the demo's two portals to their cXML endpoints instead (the same
customers, POs and invoices; each run posts with the portal's ``concurrency`` threads).

Each line ends with how the uploads spread over the worker processes (from the claims' audit
trail).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, select, text  # noqa: E402

from config.secrets import SecretBox  # noqa: E402
from config.settings import load_settings  # noqa: E402
from portals.demo.seed import DEMO_LOGIN, DEMO_PASSWORD, FLAVOUR_OF, seed_portal  # noqa: E402
from portals.demo.server import states  # noqa: E402
from sap.simulator import SapSimulator  # noqa: E402
from sync.audit_models import AuditEventRow  # noqa: E402
from sync.store import open_store  # noqa: E402
from sync.tables import table_of  # noqa: E402 - after the sys.path line above
from sync.uploads import queue as uploads
from sync.uploads.states import ON_PORTAL  # noqa: E402
from sync.work import job_runs  # noqa: E402

ARBRIDGE = str(Path(sys.executable).parent / "arbridge")
POSTGRES = os.environ.get("ARBRIDGE_BENCH_POSTGRES_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("ARBRIDGE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
FINAL = ON_PORTAL | {"held", "failed"}


def arbridge(*args: str, env: dict[str, str], cwd: Path, **kw) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    return subprocess.Popen([ARBRIDGE, *args], cwd=cwd, env=env, **kw)


def config(folder: Path, url: str, contexts: int, box: SecretBox) -> None:
    password = box.encrypt(DEMO_PASSWORD)
    text_ = ""
    for portal, flavour in FLAVOUR_OF.items():
        text_ += (f'[portals.{portal}]\nkind = "{portal}"\nurl = "{url}/{flavour}"\n'
                  f'user = "{DEMO_LOGIN}"\npassword_encrypted = "{password}"\n'
                  f'concurrency = {contexts}\ntimeout_seconds = 60\n'
                  'lookup_new_invoices = false\n\n')
    (folder / "arbridge.toml").write_text(text_)


def config_cxml(folder: Path, url: str, threads: int, box: SecretBox) -> None:
    """The demo's two portals on their cXML endpoints (the demo's own identities)."""
    from portals.demo.cxml_api import DEMO_CXML_SECRET

    secret = box.encrypt(DEMO_CXML_SECRET)
    text_ = ""
    for portal, flavour in FLAVOUR_OF.items():
        text_ += (f'[portals.{portal}]\nkind = "cxml"\nurl = "{url}/{flavour}"\n'
                  f'user = "AN01000000001"\npassword_encrypted = "{secret}"\n'
                  f'concurrency = {threads}\ntimeout_seconds = 60\n\n'
                  f'[portals.{portal}.cxml]\nflavour = "{flavour}"\n'
                  'sender_from = { domain = "NetworkID", identity = "AN01000000001" }\n'
                  f'to = {{ domain = "NetworkID", identity = "AN02-{flavour}-buyer" }}\n'
                  'remit_to = { name = "Supplier (Pty) Ltd", bank_name = "Demo Bank", '
                  'account_number = "62000000001", branch_code = "250655" }\n\n')
    (folder / "arbridge.toml").write_text(text_)


def wait_jobs(store, count: int, actor: str, deadline: float) -> None:  # type: ignore[no-untyped-def]
    while time.monotonic() < deadline:
        with store.engine.connect() as conn:
            runs = [r for r in job_runs.recent(conn, limit=500) if r["actor"] == actor]
        if sum(r["outcome"] in ("done", "failed") for r in runs) >= count:
            return
        time.sleep(0.5)
    raise SystemExit(f"{actor}: jobs not done in time")


def wait_final(store, deadline: float, runs: int) -> None:  # type: ignore[no-untyped-def]
    """Until every upload is final (on the portal, held or failed), or the upload runs have
    all ended: an upload a portal failed technically waits in ``ready`` for its retry time
    and the next scheduled run (no scheduler runs here), which the line then shows."""
    while time.monotonic() < deadline:
        with store.engine.connect() as conn:
            counts = uploads.counts(conn)
            ended = sum(r["actor"] == "portal_upload" and r["outcome"] in ("done", "failed")
                        for r in job_runs.recent(conn, limit=500))
        if sum(counts.values()) and (ended >= runs or all(
                n == 0 for s, n in counts.items() if s not in FINAL)):
            return
        time.sleep(0.5)
    raise SystemExit("uploads not final in time")


def spread(store, procs: list[subprocess.Popen]) -> str:  # type: ignore[no-untyped-def]
    """Uploads worked by each worker process: the first claim on an upload is the one that
    works it (a later claim by another run finds it done and gives it straight back)."""
    table = table_of(AuditEventRow)
    first: dict[str, int] = {}
    with store.engine.connect() as conn:
        for key, detail in conn.execute(select(table.c.entity_key, table.c.detail).where(
                table.c.entity == "claim:upload", table.c.action == "claim taken"
        ).order_by(table.c.id)):
            first.setdefault(key, int(json.loads(detail)["owner"].split("/")[1]))
    pids = Counter(first.values())
    return ", ".join(f"worker {n + 1}: {pids.get(p.pid, 0)}" for n, p in enumerate(procs))


def one_month(work: Path, workers: int, args: argparse.Namespace, channel: str = "browser"
              ) -> None:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
    folder = work / f"{channel}-workers-{workers}"
    home = folder / "home"
    home.mkdir(parents=True)
    settings = load_settings(home=home, database_url=url)
    SapSimulator(settings.simulator_path).seed(customers=args.customers,
                                               documents=args.documents)
    box = SecretBox.load(home)
    port = args.port + workers + (50 if channel == "cxml" else 0)
    portal_env = {"ARBRIDGE_HOME": str(folder / "portal"), "PATH": os.environ["PATH"]}
    server = arbridge("portals", "demo-server", "--port", str(port), env=portal_env,
                      cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if channel == "cxml":
        config_cxml(folder, f"http://127.0.0.1:{port}", args.cxml_threads, box)
    else:
        config(folder, f"http://127.0.0.1:{port}", args.contexts, box)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARBRIDGE_")}
    env.update(ARBRIDGE_HOME=str(home), ARBRIDGE_DATABASE_URL=url, ARBRIDGE_BROKER_URL=REDIS,
               ARBRIDGE_QUEUE_PREFIX=f"{schema}-",
               ARBRIDGE_PORTAL_UPLOAD_LOOKBACK_DAYS=str(args.lookback_days),
               # each run opens its share of a portal's slots, so every worker works
               ARBRIDGE_PORTAL_CONTEXTS_PER_RUN=str(max(1, -(-args.contexts // workers))))
    os.environ.update({k: env[k] for k in ("ARBRIDGE_QUEUE_PREFIX", "ARBRIDGE_BROKER_URL")})
    from workers import actors
    from workers.broker import make_broker, use_broker

    use_broker(make_broker(REDIS), record=False)
    procs = [arbridge("jobs", "worker", "--queues", "sap", "--queues", "browser",
                      "--threads", "1", "--browser-threads", "1", env=env, cwd=folder,
                      stdout=subprocess.DEVNULL, stderr=open(folder / f"w{n}.log", "wb"))
             for n in range(workers)]
    try:
        store = open_store(settings, create=True)
        deadline = time.monotonic() + args.timeout
        while not all(b"worker running" in (folder / f"w{n}.log").read_bytes()
                      for n in range(workers)):  # start-up is not part of the month
            if time.monotonic() > deadline:
                raise SystemExit("workers did not start")
            time.sleep(0.2)
        started = time.monotonic()
        actors.sap_pull.send(home=str(home))
        wait_jobs(store, 1, "sap_pull", deadline)
        pulled = time.monotonic() - started
        documents = store.counts()["billing_documents"]
        demo_states = states(folder / "portal" / "demo-portal")
        for portal, flavour in FLAVOUR_OF.items():
            seed_portal(demo_states[flavour], store, portal, today=date.today(),
                        with_totp=False)
            demo_states[flavour].set_fault("accept_duplicates", 1)
        started = time.monotonic()
        for _ in range(workers):
            actors.portal_upload.send(home=str(home))
        wait_final(store, deadline, workers)
        uploaded = time.monotonic() - started
        wait_jobs(store, workers, "portal_upload", deadline)  # runs without a slot: done too
        with store.engine.connect() as conn:
            counts = {s: n for s, n in uploads.counts(conn).items() if n}
            failed = [f"{u.state}: {u.reason}" for state in ("failed", "ready")
                      for u in uploads.by_state(conn, state)][:3]
        copies = [c for s in demo_states.values() for c in s.copies().values()]
        on_portal = sum(n for s, n in counts.items() if s in ON_PORTAL)
        print(f"{channel:7}, {workers} worker(s): pull {documents:,} documents in {pulled:6.1f}s "
              f"({documents / pulled:,.0f}/s); uploads {sum(counts.values()):,} in "
              f"{uploaded:6.1f}s = {on_portal / uploaded * 60:5.0f} on the portal/min "
              f"{counts}; month {pulled + uploaded:6.1f}s; "
              f"{'each invoice once' if set(copies) <= {1} else 'DUPLICATES ' + str(max(copies))}"
              f"\n  uploads per worker process: {spread(store, procs)}"
              + "".join(f"\n  {reason}" for reason in failed), flush=True)
    finally:
        for proc in procs + [server]:
            proc.terminate()
        for proc in procs + [server]:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2, 4])
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--documents", type=int, default=3000)
    parser.add_argument("--contexts", type=int, default=2,
                        help="browser contexts per portal (two portals), shared by all workers")
    parser.add_argument("--lookback-days", type=int, default=36500,
                        help="upload the invoices billed in the last N days (default: all); "
                             "fewer uploads on a busy machine, the same pull")
    parser.add_argument("--channel", nargs="*", choices=("browser", "cxml"),
                        default=["browser", "cxml"],
                        help="the portals in the browser, over cXML, or each in turn")
    parser.add_argument("--cxml-threads", type=int, default=8,
                        help="with --channel cxml: each portal's concurrency (HTTP threads)")
    parser.add_argument("--port", type=int, default=8810)
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="arbridge-cycle-") as tmp:
        for channel in args.channel:
            for workers in args.workers:
                one_month(Path(tmp), workers, args, channel)


if __name__ == "__main__":
    main()
