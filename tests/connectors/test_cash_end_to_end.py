"""End to end over the simulator: statement and remittance in, allocation posted, the next
pull shows the invoice cleared; a correcting journal moves it to another invoice and the next
pull shows that; a returned receipt re-opens what it paid."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from config.cash import CashSettings
from connectors.bank.camt_writer import Movement
from connectors.bank.importer import import_statements
from connectors.cash import allocate
from connectors.journals import request_correction, run_journals
from connectors.posting import post_allocations
from connectors.remittance.importer import import_advices
from sync.cash import allocations, journals
from sync.mirror.models import OpenItemRow
from tests.connectors.cash_helpers import open_invoices, pull_all, statement_file

CASH = CashSettings()
WAYS = [CashSettings(posting="clearing"), CashSettings(posting="assignment")]


def is_open(store, document: str) -> bool:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        return conn.execute(select(OpenItemRow.document).where(
            OpenItemRow.document == document)).first() is not None


@pytest.mark.parametrize("cash", WAYS, ids=["clearing", "assignment"])
def test_statement_and_remittance_to_sap_and_a_correcting_journal(pulled, client, simulator,
                                                                  tmp_path: Path, cash) -> None:  # type: ignore[no-untyped-def]
    first, second, other = open_invoices(pulled, 3)
    total = first.amount
    advice = tmp_path / "ra.csv"
    advice.write_text("Payer,Payment reference,Date,Invoice,Paid,Deduction,Reason\n"
                      f"Client,RA-777,2026-11-20,{first.billing_document.lstrip('0')},"
                      f"{first.amount},,\n")
    import_advices(pulled, advice)
    import_statements(pulled, statement_file(tmp_path, "s1.xml", [Movement(
        amount=total, bank_ref="B1", booking_date=date(2026, 11, 20), reference="RA-777",
        payer="Client")]))
    assert allocate(pulled, cash.policy)["auto"] == 1
    assert post_allocations(pulled, client, cash).posted == 1
    if cash.posting == "assignment":
        assert simulator.run_automatic_clearing() == 1  # the F.13 job
    pull_all(pulled, client)
    assert not is_open(pulled, first.document)
    with pulled.engine.connect() as conn:
        [allocation] = allocations.listing(conn)
    assert allocation.rule == "remittance" and allocation.evidence["advice"]

    # The administrator finds the money was for another invoice of another customer.
    target = other if other.amount >= total else second
    journal_id = request_correction(pulled, allocation.id,
                                    [target.billing_document.lstrip("0")],
                                    reason="customer paid the wrong invoice number",
                                    actor="thandi")
    assert run_journals(pulled, client, cash) == {"done": 1, "failed": 0, "pending": 0}
    if cash.posting == "assignment":
        simulator.run_automatic_clearing()
    with pulled.engine.connect() as conn:
        journal = journals.get(conn, journal_id)
        old = allocations.get(conn, allocation.id)
    assert journal.actor == "thandi" and journal.state == "done"
    assert set(journal.documents) == {"payment", "reset", "reversal", "repost"}
    assert old.state == "reversed"
    [reversal] = [d for d in simulator.documents() if d["BELNR"] == journal.documents["reversal"]]
    assert reversal["TCODE"] == "FB08"
    pull_all(pulled, client)
    assert is_open(pulled, first.document)
    with pulled.engine.connect() as conn:
        residual = conn.execute(select(OpenItemRow.amount).where(
            OpenItemRow.billing_document == target.billing_document)).scalars().all()
    if cash.posting == "clearing":
        assert not is_open(pulled, target.document)
        assert residual == ([target.amount - total] if target.amount > total else [])
    else:  # F.13 clears only what nets to zero; a partial payment waits beside the invoice
        assert is_open(pulled, target.document) == (target.amount > total)
    assert run_journals(pulled, client, cash) == {"done": 0, "failed": 0, "pending": 0}


def test_returned_receipt_reopens_the_invoice_it_paid(pulled, client, simulator,
                                                      tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    [row] = open_invoices(pulled, 1)
    import_statements(pulled, statement_file(tmp_path, "s1.xml", [Movement(
        amount=row.amount, bank_ref="DO-1", booking_date=date(2026, 11, 20),
        reference=row.billing_document.lstrip("0"), payer="Client",
        payer_account="62000011111")]))
    allocate(pulled, CASH.policy)
    post_allocations(pulled, client, CASH)
    assert not simulator.is_open(row.document)
    import_statements(pulled, statement_file(tmp_path, "s2.xml", [Movement(
        amount=row.amount, bank_ref="DO-1R", booking_date=date(2026, 11, 21),
        direction="DBIT", reversal=True, return_reason="MD06", original_ref="DO-1")]))
    assert run_journals(pulled, client, CASH)["done"] == 1
    assert simulator.is_open(row.document)
    pull_all(pulled, client)
    assert is_open(pulled, row.document)
    assert allocate(pulled, CASH.policy) == {"auto": 0, "proposed": 0, "unallocated": 0}



JOURNAL_CHILD = """
import sys
from config.cash import CashSettings
from connectors.journals import run_journals
from sap.rfc.client import RfcSapClient
from sap.simulator import SapSimulator
from sync.db import make_engine
from sync.store import Store
sim = SapSimulator(sys.argv[1])
sim.faults.kill_after(sys.argv[3])
client = RfcSapClient(factory=sim.connect, params={"user": "ARBRIDGE"}, today=sim.today)
run_journals(Store(make_engine(sys.argv[2])), client, CashSettings(posting=sys.argv[4]),
             owner="doomed")
print("not killed")
"""


@pytest.mark.parametrize("way,kill_after", [
    ("clearing", "Z_ARB_RESET_CLEARING"), ("clearing", "Z_ARB_REVERSE_DOCUMENT"),
    ("assignment", "BAPI_ACC_DOCUMENT_REV_POST"), ("assignment", "BAPI_TRANSACTION_COMMIT")])
def test_journal_interrupted_by_a_crash_finishes_with_one_reversal_and_one_repost(
        pulled, client, simulator, tmp_path: Path, way: str, kill_after: str) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys
    from datetime import datetime, timedelta, timezone

    first, other = open_invoices(pulled, 2)
    import_statements(pulled, statement_file(tmp_path, "s.xml", [Movement(
        amount=first.amount, bank_ref="K1", booking_date=date(2026, 11, 20),
        reference=first.billing_document.lstrip("0"))]))
    cash = CashSettings(posting=way)  # type: ignore[arg-type]
    allocate(pulled, cash.policy)
    post_allocations(pulled, client, cash)
    simulator.run_automatic_clearing()
    with pulled.engine.connect() as conn:
        [allocation] = allocations.listing(conn)
    journal_id = request_correction(pulled, allocation.id, [other.billing_document],
                                    reason="wrong invoice", actor="thandi")
    child = subprocess.run([sys.executable, "-c", JOURNAL_CHILD, str(simulator.path),
                            pulled.engine.url.render_as_string(hide_password=False),
                            kill_after, way], capture_output=True, text=True, timeout=120,
                           cwd=Path(__file__).resolve().parents[2])
    assert child.returncode == -9, child.stderr
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    assert run_journals(pulled, client, cash, now=later)["done"] == 1
    with pulled.engine.connect() as conn:
        journal = journals.get(conn, journal_id)
        repost_key = allocations.get(conn, journal.new_allocation_id).key
    reversals = [d for d in simulator.documents() if d["TCODE"] == "FB08"]
    assert [d["BELNR"] for d in reversals] == [journal.documents["reversal"]]
    reposts = simulator.documents(reference=repost_key)
    assert len(reposts) == 1 and reposts[0]["BELNR"] == journal.documents["repost"]
    assert simulator.is_open(first.document)


def test_two_correcting_journals_of_one_allocation_at_once_one_is_refused(
        pulled, client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A double click on 'request correcting journal' (or two people) recorded two journals
    of one allocation: SAP got two reversals of the one payment and a failed re-post."""
    import threading

    from config.errors import InputError

    first, other = open_invoices(pulled, 2)
    import_statements(pulled, statement_file(tmp_path, "s.xml", [Movement(
        amount=first.amount, bank_ref="K1", booking_date=date(2026, 11, 20),
        reference=first.billing_document.lstrip("0"))]))
    allocate(pulled, CASH.policy)
    post_allocations(pulled, client, CASH)
    with pulled.engine.connect() as conn:
        [allocation] = allocations.listing(conn)
    barrier, outcomes = threading.Barrier(2), []

    def person(name: str) -> None:
        barrier.wait()
        try:
            outcomes.append(request_correction(pulled, allocation.id,
                                               [other.billing_document],
                                               reason="wrong invoice", actor=name))
        except InputError as refused:
            outcomes.append(str(refused))

    threads = [threading.Thread(target=person, args=(n,)) for n in ("thandi", "sipho")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(type(o).__name__ for o in outcomes) == ["int", "str"], outcomes
    assert "already" in next(o for o in outcomes if isinstance(o, str))
    with pulled.engine.connect() as conn:
        assert len(journals.listing(conn)) == 1


def test_a_journal_refused_half_way_says_where_it_stands_and_resumes(
        pulled, client, simulator, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Way (b): the clearing is reset, then SAP refuses the reversal (a reason T041C does not
    know). The journal says the invoice is open again and the payment not reversed; resumed
    with a reason SAP accepts, it reverses with FB08 (an FB05 document) and re-posts once."""
    from connectors.journals import resume

    first, other = open_invoices(pulled, 2)
    import_statements(pulled, statement_file(tmp_path, "s.xml", [Movement(
        amount=first.amount, bank_ref="H1", booking_date=date(2026, 11, 20),
        reference=first.billing_document.lstrip("0"))]))
    allocate(pulled, CASH.policy)
    post_allocations(pulled, client, CASH)
    with pulled.engine.connect() as conn:
        [allocation] = allocations.listing(conn)
    journal_id = request_correction(pulled, allocation.id, [other.billing_document],
                                    reason="wrong invoice", actor="thandi")
    wrong = CashSettings(reversal_reason="99", reversal_reason_other_date="99")
    assert run_journals(pulled, client, wrong) == {"done": 0, "failed": 1, "pending": 0}
    with pulled.engine.connect() as conn:
        journal = journals.get(conn, journal_id)
        assert allocations.get(conn, allocation.id).state == "posted"
    assert journal.state == "failed" and journal.documents["stopped_at"] == "reversal"
    assert journal.documents["reset"] == [f"{allocation.sap_document}/"
                                          f"{allocation.sap_fiscal_year}"]
    assert "stopped at step 2 of 3 (reversal)" in journal.message
    assert "OPEN in SAP again" in journal.message and "T041C" in journal.message
    assert simulator.is_open(first.document)  # what the message says is so in SAP

    resume(pulled, journal_id, actor="thandi")
    assert run_journals(pulled, client, CASH) == {"done": 1, "failed": 0, "pending": 0}
    with pulled.engine.connect() as conn:
        journal = journals.get(conn, journal_id)
    [reversal] = [d for d in simulator.documents() if d["STBLG"] == "" and
                  d["BKTXT"] == f"Reversal of {allocation.sap_document}"]
    assert reversal["BELNR"] == journal.documents["reversal"] and reversal["AWTYP"] == "BKPF"
    assert "stopped_at" not in journal.documents and journal.documents["repost"]
    assert simulator.is_open(first.document) and not simulator.is_open(other.document)
