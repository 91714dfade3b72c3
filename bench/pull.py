"""Benchmark: pull billing documents (with their items) from the SAP simulator into the store.

Seeds N customers and M billing documents (in a child process, so seeding does not count
towards this process's memory), then measures in one run:

* a full pull (rows per second), through the rfc adapter over the simulator, into SQLite (the
  simulator runs in this process, so SAP's side of the work is counted too);
* arbridge's own share: the same full pull into a fresh store, with the simulator's answers
  recorded during the first pull and replayed from memory (paging, parsing, mapping, compare
  and store write; no SAP work);
* an incremental pull after 1% of the documents changed;
* the same full pull written the naive way (one ORM ``merge`` per row), on a sample;
* this process's peak resident memory.

    python bench/pull.py --documents 200000
    python bench/pull.py --documents 1000000 --skip-naive     # the memory target
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import Session  # noqa: E402

from config.sap import SapSettings  # noqa: E402
from config.settings import load_settings  # noqa: E402
from connectors.pull import pull  # noqa: E402
from connectors.pull_rows import billing_document_row  # noqa: E402
from sap.rfc.client import RfcSapClient  # noqa: E402
from sap.simulator import SapSimulator  # noqa: E402
from sync.mirror.models import BillingDocumentRow  # noqa: E402
from sync.store import open_store  # noqa: E402

PAGE_SIZE = SapSettings().page_size  # the default, as a user would run it
CHANGE_SHARE = 0.01
CPU_SECONDS: list[float] = []  # CPU time of each pull (both threads): steadier on a busy machine


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed(path: Path, customers: int, documents: int) -> None:
    simulator = SapSimulator(path)
    simulator.seed(customers=customers, documents=documents, seed=1)


def client_for(simulator: SapSimulator, factory: Callable[..., Any] | None = None
               ) -> RfcSapClient:
    return RfcSapClient(factory=factory or simulator.connect, params={}, page_size=PAGE_SIZE,
                        today=simulator.today)


def _call_key(function: str, params: dict[str, Any]) -> str:
    return function + repr(sorted(params.items()))


class Recorder:
    """A connection factory that records every answer of the simulator, then replays them from
    memory: the pull without SAP's share of the work."""

    def __init__(self, simulator: SapSimulator) -> None:
        self.simulator = simulator
        self.answers: dict[str, dict] = {}

    def recording(self, **params: Any) -> Any:
        connection = self.simulator.connect(**params)
        answers = self.answers

        class Recording:
            def call(self, function: str, options: dict | None = None, **kw: Any) -> dict:
                result = connection.call(function, options=options, **kw)
                answers[_call_key(function, kw)] = result
                return result

            def __getattr__(self, name: str) -> Any:
                return getattr(connection, name)

        return Recording()

    def replaying(self, **params: Any) -> Any:
        answers = self.answers

        class Replaying:
            def call(self, function: str, options: dict | None = None, **kw: Any) -> dict:
                return answers[_call_key(function, kw)]

            def ping(self) -> None: ...
            def reopen(self) -> None: ...
            def close(self) -> None: ...

        return Replaying()


def pull_documents(home: Path, simulator: SapSimulator,
                   factory: Callable[..., Any] | None = None) -> tuple[float, int]:
    store = open_store(load_settings(home=home), create=True)
    client = client_for(simulator, factory)
    started, cpu = time.perf_counter(), time.process_time()
    result = pull(store, client, source="simulator", company_codes=["1000"],
                  entities=("billing_documents",))
    seconds = time.perf_counter() - started
    CPU_SECONDS.append(time.process_time() - cpu)
    store.engine.dispose()
    return seconds, result.counts["billing_documents"].fetched


def naive_pull(home: Path, simulator: SapSimulator, limit: int) -> tuple[float, int]:
    """The way to avoid: one ORM merge (a SELECT, then INSERT or UPDATE) per row."""
    store = open_store(load_settings(home=home), create=True)
    client = client_for(simulator)
    started, done = time.perf_counter(), 0
    for page in client.billing_documents("1000", since=None, after_key=None):
        with Session(store.engine) as session:
            for record in page.records:
                row = billing_document_row(record)
                session.merge(BillingDocumentRow(**row, synced_at=row["changed_at"]))
                done += 1
            session.commit()
        if done >= limit:
            break
    return time.perf_counter() - started, done


def own_share(work: Path, simulator: SapSimulator) -> None:
    """The full pull again into a fresh store, with SAP's answers replayed from memory."""
    recorder = Recorder(simulator)
    for _ in client_for(simulator, recorder.recording).billing_documents(
            "1000", since=None, after_key=None):
        pass  # the same calls a full pull makes, answered by the simulator and recorded
    seconds, rows = pull_documents(work / "replay", simulator, recorder.replaying)
    recorder.answers.clear()
    print(f"arbridge's share: {rows:>9,} documents in {seconds:7.2f}s = "
          f"{rows / seconds:>9,.0f} docs/s ({rows / CPU_SECONDS[-1]:,.0f} per CPU-second; "
          "SAP's answers replayed from memory)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--documents", type=int, default=200_000)
    parser.add_argument("--naive-sample", type=int, default=20_000)
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--seed-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_only:
        seed(args.seed_only, args.customers, args.documents)
        return
    with tempfile.TemporaryDirectory(prefix="arbridge-bench-") as tmp:
        work = Path(tmp)
        sim_path = work / "sap.db"
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--seed-only", str(sim_path), "--customers",
                        str(args.customers), "--documents", str(args.documents)], check=True)
        print(f"seeded {args.customers:,} customers and {args.documents:,} billing documents "
              f"in {time.perf_counter() - started:.1f}s")
        simulator = SapSimulator(sim_path)

        seconds, rows = pull_documents(work / "fast", simulator)
        full_rate = rows / seconds
        print(f"full pull:        {rows:>9,} documents in {seconds:7.2f}s = "
              f"{full_rate:>9,.0f} docs/s ({rows / CPU_SECONDS[-1]:,.0f} per CPU-second)")

        changed = random.Random(2).sample(
            [f"{90_000_001 + i:010d}" for i in range(args.documents)],
            int(args.documents * CHANGE_SHARE))
        simulator.reprice_billing_documents(changed, Decimal("1.05"))
        inc_seconds, inc_rows = pull_documents(work / "fast", simulator)
        print(f"incremental pull: {inc_rows:>9,} documents in {inc_seconds:7.2f}s "
              f"({len(changed):,} changed; {inc_seconds / seconds:.1%} of the full pull's time)")

        if not args.skip_naive:
            naive_seconds, naive_rows = naive_pull(work / "naive", simulator, args.naive_sample)
            naive_rate = naive_rows / naive_seconds
            print(f"naive ORM merge:  {naive_rows:>9,} documents in {naive_seconds:7.2f}s = "
                  f"{naive_rate:>9,.0f} docs/s (bulk upsert is {full_rate / naive_rate:.1f}x)")
        print(f"peak memory (this process): {peak_rss_mb():.0f} MB (the pulls above; the "
              "replayed answers below are held in memory on top)")
        own_share(work, simulator)


if __name__ == "__main__":
    main()
