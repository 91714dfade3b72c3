"""Property: whatever two or three posting runs overlap, with whatever leases, and whatever
SAP does to their calls (slow, cancelled by the timeout, executed after the timeout, the
connection dropped before or after, the run killed right after a call), SAP ends with exactly
one live document per allocation and arbridge's record is SAP's.

Runs are threads against one simulator and one store (SQLite and PostgreSQL); a killed run
raises out of the call and records nothing more, its claims left to run out. Small books (two
allocations an example) and few examples keep it fast; no shrinking, a deadline per example.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from config.cash import CashSettings
from connectors.posting import post_allocations
from sap.rfc.client import RfcSapClient
from tests.connectors.cash_helpers import open_invoices
from tests.connectors.posting_helpers import by_id, live_documents, receipts_for, worker_client

TIMEOUT = 2.0  # each run's SAP call timeout, seconds
LONGEST = 4.0  # SAP's longest execution after a call was sent (late calls finish within it)
FUNCTIONS = {"clearing": ["Z_ARB_POST_CLEARING"],
             "assignment": ["BAPI_ACC_DOCUMENT_POST", "BAPI_TRANSACTION_COMMIT"]}


class Killed(BaseException):
    """The run's process died right after a call: nothing more is recorded."""


class DiesAfterPosting:
    """The rfc adapter of a run that is killed right after its first posting call."""

    def __init__(self, inner: RfcSapClient) -> None:
        self.inner, self.name = inner, "rfc"

    def post_payment(self, posting: Any) -> Any:
        try:
            self.inner.post_payment(posting)
        except Exception:  # noqa: BLE001,S110 - whatever SAP answered, the process is gone
            pass
        raise Killed

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@dataclass(frozen=True)
class Run:
    start: float
    killed: bool


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    way = draw(st.sampled_from(["clearing", "assignment"]))
    return {"way": way, "function": draw(st.sampled_from(FUNCTIONS[way])),
            "fault": draw(st.sampled_from(["none", "slow", "timeout", "late", "drop_before",
                                           "drop_after"])),
            "late": draw(st.sampled_from([2.5, 3.0])),
            "lease": draw(st.sampled_from([1, 2, 3])),
            "runs": draw(st.lists(st.builds(Run, st.sampled_from([0.0, 0.5, 1.25, 2.5]),
                                            st.booleans()), min_size=2, max_size=3))}


def _fault(simulator, scenario: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    faults, function = simulator.faults, scenario["function"]
    match scenario["fault"]:
        case "slow":
            faults.slow(function, TIMEOUT * 0.75)  # longer than the shortest leases
        case "timeout":
            faults.slow(function, TIMEOUT * 1.5)  # cancelled: SAP never runs it
        case "late":
            faults.late(function, scenario["late"])  # SAP runs it after the caller gave up
        case "drop_before":
            faults.fail_next(1, function)
        case "drop_after":
            faults.commit_then_drop(function)


def test_any_interleaving_of_runs_and_faults_leaves_one_document_per_allocation(
        pulled, client, simulator, tmp_path) -> None:  # type: ignore[no-untyped-def]
    invoices = iter(open_invoices(pulled, 40))
    examples = iter(range(1000))

    @settings(max_examples=10, deadline=timedelta(seconds=45), derandomize=True,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(scenarios())
    @example({"way": "assignment", "function": "BAPI_TRANSACTION_COMMIT", "fault": "late",
              "late": 3.0, "lease": 1, "runs": [Run(0.0, False), Run(2.5, False)]})
    @example({"way": "clearing", "function": "Z_ARB_POST_CLEARING", "fault": "slow",
              "late": 3.0, "lease": 1, "runs": [Run(0.0, False), Run(1.25, False)]})
    def check(scenario: dict[str, Any]) -> None:
        rows = [next(invoices), next(invoices)]
        ids = receipts_for(pulled, tmp_path, rows, f"p{next(examples)}.xml")
        cash = CashSettings(posting=scenario["way"], lease_seconds=scenario["lease"],
                            sap_max_execution_seconds=LONGEST)
        _fault(simulator, scenario)

        def run(n: int, spec: Run) -> None:
            time.sleep(spec.start)
            sap = worker_client(simulator, f"R{n}", timeout=TIMEOUT)
            try:
                post_allocations(pulled, DiesAfterPosting(sap) if spec.killed else sap, cash,
                                 owner=f"run{n}")
            except Killed:
                pass
            finally:
                sap.close()

        threads = [threading.Thread(target=run, args=(n, spec))
                   for n, spec in enumerate(scenario["runs"])]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        simulator.faults.clear()
        simulator.faults.settle()  # SAP finishes whatever it still executes
        later = datetime.now(timezone.utc) + timedelta(minutes=1)  # leases and LONGEST over
        post_allocations(pulled, client, cash, now=later)
        for allocation in by_id(pulled, ids):
            documents = live_documents(simulator, allocation.key)
            assert len(documents) == 1, (scenario, allocation.id, documents)
            assert (allocation.state, allocation.sap_document) == \
                ("posted", documents[0]["BELNR"]), scenario

    check()
