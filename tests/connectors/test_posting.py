"""Posting allocations to SAP exactly once, through the rfc adapter over the simulator (real
accounting state), with each fault and with a worker killed between post and commit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from config.cash import CashSettings
from connectors.bank.camt_writer import Movement
from connectors.bank.importer import import_statements
from connectors.cash import allocate
from connectors.posting import post_allocations
from sync.cash import allocations
from sync.mirror.models import OpenItemRow
from sync.work import claims
from tests.connectors.cash_helpers import open_invoices, pull_all, statement_file

CLEARING = CashSettings(posting="clearing")
ASSIGNMENT = CashSettings(posting="assignment")


def receipt_for(tmp_path: Path, rows, name: str = "s.xml", short: Decimal = Decimal("0")):  # type: ignore[no-untyped-def]
    movements = [Movement(amount=r.amount - short, bank_ref=f"{name}-{i}",
                          booking_date=date(2026, 11, 20),
                          reference=r.billing_document.lstrip("0"), payer="Somebody")
                 for i, r in enumerate(rows)]
    return statement_file(tmp_path, name, movements)


def prepare(pulled, tmp_path, count=1, short=Decimal("0")):  # type: ignore[no-untyped-def]
    rows = open_invoices(pulled, count)
    import_statements(pulled, receipt_for(tmp_path, rows, short=short))
    counts = allocate(pulled, CashSettings().policy)
    assert counts["auto"] == count
    return rows


def still_open(store, document: str) -> bool:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        return conn.execute(select(OpenItemRow).where(OpenItemRow.document == document)
                            ).first() is not None


def keys(store) -> list[str]:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        return [a.key for a in allocations.listing(conn)]


def test_clearing_posts_once_and_the_next_pull_shows_the_invoice_cleared(
        pulled, client, simulator, tmp_path) -> None:  # type: ignore[no-untyped-def]
    [row] = prepare(pulled, tmp_path)
    summary = post_allocations(pulled, client, CLEARING)
    assert summary.posted == 1
    [key] = keys(pulled)
    [document] = simulator.documents(reference=key)
    assert document["TCODE"] == "FB05" and not simulator.is_open(row.document)
    assert post_allocations(pulled, client, CLEARING).posted == 0  # nothing twice
    pull_all(pulled, client)
    assert not still_open(pulled, row.document)
    with pulled.engine.connect() as conn:
        [allocation] = allocations.listing(conn)
    assert allocation.state == "posted" and allocation.sap_document == document["BELNR"]
    assert allocation.messages[0]["TYPE"] == "S"  # BAPIRET2 kept with the allocation


def test_short_payment_leaves_a_residual_item(pulled, client, simulator, tmp_path) -> None:  # type: ignore[no-untyped-def]
    [row] = prepare(pulled, tmp_path, short=Decimal("10.00"))
    assert post_allocations(pulled, client, CLEARING).posted == 1
    pull_all(pulled, client)
    with pulled.engine.connect() as conn:
        residual = conn.execute(select(OpenItemRow).where(
            OpenItemRow.billing_document == row.billing_document)).one()
    assert residual.amount == Decimal("10.00") and residual.document != row.document


def test_way_a_payment_with_assignment_is_cleared_by_f13(pulled, client, simulator,
                                                         tmp_path) -> None:  # type: ignore[no-untyped-def]
    [row] = prepare(pulled, tmp_path)
    assert post_allocations(pulled, client, ASSIGNMENT).posted == 1
    [key] = keys(pulled)
    [document] = simulator.documents(reference=key)
    assert document["TCODE"] == "BAPI" and simulator.is_open(row.document)
    assert simulator.run_automatic_clearing() == 1
    pull_all(pulled, client)
    assert not still_open(pulled, row.document)


@pytest.mark.parametrize("way,function,fault", [
    ("clearing", "Z_ARB_POST_CLEARING", "commit_then_drop"),
    ("clearing", "Z_ARB_POST_CLEARING", "commit_then_timeout"),
    ("assignment", "BAPI_TRANSACTION_COMMIT", "commit_then_drop"),
    ("assignment", "BAPI_TRANSACTION_COMMIT", "commit_then_timeout"),
])
def test_posted_then_the_answer_is_lost_finds_the_document(pulled, client, simulator, tmp_path,
                                                           way, function, fault) -> None:  # type: ignore[no-untyped-def]
    prepare(pulled, tmp_path)
    getattr(simulator.faults, fault)(function)
    summary = post_allocations(pulled, client, CashSettings(posting=way))
    simulator.faults.clear()
    assert (summary.posted, summary.found) == (0, 1)
    assert len(simulator.documents(reference=keys(pulled)[0])) == 1
    assert post_allocations(pulled, client, CashSettings(posting=way)).posted == 0


@pytest.mark.parametrize("way,function", [("clearing", "Z_ARB_POST_CLEARING"),
                                          ("assignment", "BAPI_ACC_DOCUMENT_POST"),
                                          ("assignment", "BAPI_TRANSACTION_COMMIT")])
def test_call_lost_before_sap_ran_it_is_posted_later_once(pulled, client, simulator, tmp_path,
                                                          way, function) -> None:  # type: ignore[no-untyped-def]
    prepare(pulled, tmp_path)
    simulator.faults.fail_next(1, function)
    first = post_allocations(pulled, client, CashSettings(posting=way))
    assert (first.posted, first.deferred) == (0, 1)
    assert simulator.documents(reference=keys(pulled)[0]) == []
    again = post_allocations(pulled, client, CashSettings(posting=way))
    assert (again.posted, again.in_doubt) == (0, 1)  # SAP may still be executing it
    assert "in doubt" in again.left[0]
    after = datetime.now(timezone.utc) + timedelta(hours=2)  # SAP's longest execution is over
    assert post_allocations(pulled, client, CashSettings(posting=way), now=after).posted == 1
    assert len(simulator.documents(reference=keys(pulled)[0])) == 1


def test_commit_cancelled_by_timeout_rolls_back_and_posts_once_later(
        pulled, client, simulator, tmp_path) -> None:  # type: ignore[no-untyped-def]
    prepare(pulled, tmp_path)
    simulator.faults.slow("BAPI_TRANSACTION_COMMIT", 3)  # client timeout is 2 s
    assert post_allocations(pulled, client, ASSIGNMENT).deferred == 1
    simulator.faults.clear()
    assert simulator.documents(reference=keys(pulled)[0]) == []
    assert post_allocations(pulled, client, ASSIGNMENT).posted == 0  # still in doubt
    after = datetime.now(timezone.utc) + timedelta(hours=2)
    assert post_allocations(pulled, client, ASSIGNMENT, now=after).posted == 1
    assert len(simulator.documents(reference=keys(pulled)[0])) == 1


def test_sap_refusal_keeps_sap_message_for_a_person(pulled, client, simulator,
                                                    tmp_path) -> None:  # type: ignore[no-untyped-def]
    [row] = prepare(pulled, tmp_path)
    simulator.clear_open_item(row.document)  # someone cleared it by hand in SAP meanwhile
    summary = post_allocations(pulled, client, CLEARING)
    assert summary.failed == 1
    with pulled.engine.connect() as conn:
        [allocation] = allocations.listing(conn)
    assert allocation.state == "failed" and "is not open" in allocation.messages[0]["MESSAGE"]


def test_a_claimed_allocation_is_not_posted_by_a_second_worker(pulled, client, simulator,
                                                                tmp_path) -> None:  # type: ignore[no-untyped-def]
    prepare(pulled, tmp_path)
    now = datetime.now(timezone.utc)
    with pulled.engine.begin() as conn:
        [allocation_id] = allocations.postable(conn, now)
        taken = allocations.claim(conn, allocation_id, owner=claims.Owner.here("other"),
                                  now=now, lease=timedelta(minutes=5))
        assert taken is not None and taken.previous == "approved"
    with pulled.engine.connect() as conn:
        assert allocations.postable(conn, now) == []  # held by the other worker
    summary = post_allocations(pulled, client, CLEARING, now=now)
    assert (summary.posted, summary.found) == (0, 0)
    assert simulator.documents(reference=keys(pulled)[0]) == []


CHILD = textwrap.dedent("""
    import sys
    from config.cash import CashSettings
    from connectors.posting import post_allocations
    from sap.rfc.client import RfcSapClient
    from sap.simulator import SapSimulator
    from sync.store import Store
    from sync.db import make_engine
    sim = SapSimulator(sys.argv[1])
    sim.faults.kill_after(sys.argv[3])
    client = RfcSapClient(factory=sim.connect, params={"user": "ARBRIDGE"}, today=sim.today)
    post_allocations(Store(make_engine(sys.argv[2])), client, CashSettings(posting=sys.argv[4]),
                     owner="doomed")
    print("not killed")
""")


@pytest.mark.parametrize("way,kill_after,posted_before_crash", [
    ("assignment", "BAPI_ACC_DOCUMENT_POST", False),   # between the post and the commit
    ("assignment", "BAPI_TRANSACTION_COMMIT", True),   # after the commit
    ("clearing", "Z_ARB_POST_CLEARING", True),
])
def test_worker_killed_mid_posting_leaves_exactly_one_document(
        pulled, client, simulator, tmp_path, way, kill_after, posted_before_crash) -> None:  # type: ignore[no-untyped-def]
    [row] = prepare(pulled, tmp_path)
    child = subprocess.run([sys.executable, "-c", CHILD, str(simulator.path),
                            str(pulled.engine.url.render_as_string(hide_password=False)),
                            kill_after, way], capture_output=True, text=True, timeout=120,
                           cwd=Path(__file__).resolve().parents[2])
    assert child.returncode == -9, child.stderr
    key = keys(pulled)[0]
    assert len(simulator.documents(reference=key)) == (1 if posted_before_crash else 0)
    with pulled.engine.connect() as conn:
        assert allocations.listing(conn)[0].state == "posting"  # claimed, lease running
    later = datetime.now(timezone.utc) + timedelta(hours=2)  # lease and SAP's longest run over
    summary = post_allocations(pulled, client, CashSettings(posting=way), now=later)
    assert (summary.found, summary.posted) == ((1, 0) if posted_before_crash else (0, 1))
    assert len(simulator.documents(reference=key)) == 1
    if way == "assignment":
        simulator.run_automatic_clearing()
    assert not simulator.is_open(row.document)


def test_a_posted_allocation_teaches_the_payer_account_for_proposals(pulled, client,
                                                                      tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pulled.engine.connect() as conn:
        rows = conn.execute(select(OpenItemRow).where(
            OpenItemRow.amount > 0, OpenItemRow.currency == "ZAR",
            OpenItemRow.billing_document.is_not(None)).order_by(OpenItemRow.document)).all()
    by_customer: dict[str, list] = {}
    for row in rows:
        by_customer.setdefault(row.customer, []).append(row)
    first, later = next(v for v in by_customer.values() if len(v) >= 2)[:2]
    import_statements(pulled, statement_file(tmp_path, "a.xml", [Movement(
        amount=first.amount, bank_ref="A1", booking_date=date(2026, 11, 20),
        reference=first.billing_document.lstrip("0"), payer_account="62-000-777")]))
    allocate(pulled, CashSettings().policy)
    assert post_allocations(pulled, client, CLEARING).posted == 1
    import_statements(pulled, statement_file(tmp_path, "b.xml", [Movement(
        amount=later.amount, bank_ref="B1", booking_date=date(2026, 11, 21),
        narrative="THANK YOU", payer_account="62000777")]))
    assert allocate(pulled, CashSettings().policy) == {"auto": 0, "proposed": 1,
                                                       "unallocated": 0}
    with pulled.engine.connect() as conn:
        proposal = allocations.listing(conn, "proposed")[0]
    assert proposal.rule == "payer" and proposal.customer == first.customer
    assert "bank account" in proposal.evidence["matched_on"]
    assert [i["document"] for i in proposal.items] == [later.document]


def test_two_workers_at_once_post_each_allocation_once(pulled, simulator, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import threading

    from sap.rfc.client import RfcSapClient

    prepare(pulled, tmp_path, count=6)
    barrier = threading.Barrier(2)
    summaries = []

    def worker(name: str) -> None:
        sap = RfcSapClient(factory=simulator.connect, params={"user": name},
                           timeout_seconds=30, today=simulator.today)
        barrier.wait()
        summaries.append(post_allocations(pulled, sap, CLEARING, owner=name))
        sap.close()

    threads = [threading.Thread(target=worker, args=(f"W{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(s.posted for s in summaries) == 6
    for key in keys(pulled):
        assert len(simulator.documents(reference=key)) == 1


def test_two_matching_runs_on_the_same_snapshot_allocate_a_receipt_once(pulled, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from connectors.cash import _receipts, open_items
    from sync.cash.matching import match

    rows = open_invoices(pulled, 2)
    import_statements(pulled, receipt_for(tmp_path, rows))
    with pulled.engine.connect() as conn:  # both runs read before either writes
        decisions = match(_receipts(conn), open_items(conn))
    now = datetime.now(timezone.utc)
    with pulled.engine.begin() as conn:
        assert allocations.store_decisions(conn, decisions, now)["auto"] == 2
    with pulled.engine.begin() as conn:
        assert allocations.store_decisions(conn, decisions, now)["auto"] == 0
    assert len(keys(pulled)) == 2


def test_sap_unreachable_posts_nothing_and_the_next_run_looks_up_then_posts(
        pulled, client, simulator, tmp_path) -> None:  # type: ignore[no-untyped-def]
    prepare(pulled, tmp_path)
    client.close()
    simulator.faults.unreachable = True
    summary = post_allocations(pulled, client, CLEARING)
    assert (summary.posted, summary.deferred) == (0, 1) and summary.errors
    simulator.faults.clear()
    with pulled.engine.connect() as conn:
        assert allocations.listing(conn)[0].state == "posting"  # SAP is asked first next time
    later = datetime.now(timezone.utc) + timedelta(hours=2)
    assert post_allocations(pulled, client, CLEARING, now=later).posted == 1
    assert len(simulator.documents(reference=keys(pulled)[0])) == 1


def test_a_receipt_whose_allocation_sap_refused_can_be_allocated_again_by_hand(
        pulled, client, simulator, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """SAP refused the allocation (the invoice was cleared by hand meanwhile): the receipt
    stayed 'allocated' and the receipts page refused every new allocation of it, while a
    journal corrects only posted ones: the money was stuck."""
    from connectors.cash_actions import Split, allocate_by_hand

    [row] = prepare(pulled, tmp_path)
    simulator.clear_open_item(row.document)
    assert post_allocations(pulled, client, CLEARING).failed == 1
    with pulled.engine.connect() as conn:
        [failed] = allocations.listing(conn)
    other = next(r for r in open_invoices(pulled, 3) if r.document != row.document)
    amount = min(other.amount, row.amount)
    new_id = allocate_by_hand(pulled, failed.receipt_id, [Split(other.billing_document,
                                                                amount)],
                              actor="thandi", on_account=True)
    with pulled.engine.connect() as conn:
        assert allocations.get(conn, new_id).state == "approved"


RUN = textwrap.dedent("""
    import json, sys, time
    from config.cash import CashSettings
    from connectors.posting import post_allocations
    from sap.rfc.client import RfcSapClient
    from sap.simulator import SapSimulator
    from sync.db import make_engine
    from sync.store import Store
    sim = SapSimulator(sys.argv[1])
    sim.faults.slow("Z_ARB_POST_CLEARING", 0.3)  # each post takes a while: the runs overlap
    client = RfcSapClient(factory=sim.connect, params={"user": sys.argv[3]},
                          timeout_seconds=30, today=sim.today)
    store = Store(make_engine(sys.argv[2]))
    time.sleep(max(0.0, float(sys.argv[4]) - time.time()))  # both start at the same moment
    summary = post_allocations(store, client, CashSettings(posting="clearing"),
                               owner=sys.argv[3])
    print(json.dumps({"posted": summary.posted, "found": summary.found,
                      "skipped": summary.skipped, "errors": summary.errors}))
""")


def test_two_posting_runs_in_two_processes_at_once_post_each_allocation_once(
        pulled, simulator, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json
    import time

    from sync.audit_models import AuditEventRow

    prepare(pulled, tmp_path, count=6)
    url = pulled.engine.url.render_as_string(hide_password=False)
    start = time.time() + 4  # both processes have imported everything by then
    runs = [subprocess.Popen([sys.executable, "-c", RUN, str(simulator.path), url, name,
                              str(start)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, cwd=Path(__file__).resolve().parents[2])
            for name in ("host-a", "host-b")]
    results = []
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert [r["errors"] for r in results] == [[], []]
    assert sum(r["posted"] for r in results) == 6 and sum(r["found"] for r in results) == 0
    for key in keys(pulled):
        assert len(simulator.documents(reference=key)) == 1
    with pulled.engine.connect() as conn:
        assert {a.state for a in allocations.listing(conn)} == {"posted"}
        events = conn.execute(select(AuditEventRow.action, AuditEventRow.detail).where(
            AuditEventRow.entity == "claim:allocation")).all()
        claimed = conn.execute(select(AuditEventRow.entity_key).where(
            AuditEventRow.entity == "allocation",
            AuditEventRow.action == "allocation claimed")).scalars().all()
        ids = [str(a.id) for a in allocations.listing(conn)]
    assert sorted(claimed) == sorted(ids)  # each one taken to post by one run, once
    # a run may still claim one the other has just posted: it gives that claim straight back
    taken = [e for e in events if e.action == "claim taken"]
    assert sum(e.action == "claim released" for e in events) == len(taken) >= 6
    owners = {json.loads(e.detail)["owner"].split("/")[2].rsplit("-", 1)[0] for e in taken}
    assert owners <= {"host-a", "host-b"}


@pytest.mark.parametrize("criteria,cleared", [(("ZUONR",), True),            # docs/sap-abap.md
                                              (("ZUONR", "XBLNR"), False)])  # the old README's
def test_way_a_is_cleared_by_f13_under_the_documented_ob74_configuration(
        pulled, client, simulator, tmp_path, criteria, cleared) -> None:  # type: ignore[no-untyped-def]
    """The sort key puts the billing document, with its leading zeros, in the invoice's
    assignment; arbridge repeats exactly that on the payment line, so F.13 on the assignment
    alone clears it. The payment's reference is arbridge's key, never the invoice's, so the
    reference must not be a criterion."""
    with pulled.engine.connect() as conn:
        row = conn.execute(select(OpenItemRow).where(
            OpenItemRow.amount > 0, OpenItemRow.currency == "ZAR",
            OpenItemRow.assignment == OpenItemRow.billing_document).order_by(
            OpenItemRow.document)).first()
    assert row is not None and row.assignment.startswith("00")
    import_statements(pulled, receipt_for(tmp_path, [row]))
    assert allocate(pulled, CashSettings().policy)["auto"] == 1
    assert post_allocations(pulled, client, ASSIGNMENT).posted == 1
    [key] = keys(pulled)
    [document] = simulator.documents(reference=key)
    assert document["AWTYP"] == "BKPFF" and document["AWSYS"]  # through the interface
    line = simulator.connect().call("RFC_READ_TABLE", QUERY_TABLE="BSEG", DELIMITER="|",
                                    FIELDS=[{"FIELDNAME": "BSCHL"}, {"FIELDNAME": "ZUONR"}],
                                    OPTIONS=[{"TEXT": f"BELNR = '{document['BELNR']}' AND "
                                                      "KOART = 'D'"}])["DATA"]
    assert [r["WA"].split("|") for r in line] == [["11", row.assignment]]  # key 11, not 15
    simulator.set_clearing_criteria(*criteria)
    assert simulator.run_automatic_clearing() == (1 if cleared else 0)
    assert simulator.is_open(row.document) is not cleared
