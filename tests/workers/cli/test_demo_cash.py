"""The demo's cash part: files consistent with the simulator's open items, imported,
allocated, posted, pulled again; a second run adds and posts nothing."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from sap.simulator import SapSimulator
from sync.store import open_store
from workers.cli.demo_cash import cash_demo
from workers.cli.sap import run_pull


def test_demo_cash_sections_and_second_run_adds_nothing(settings, seeded_template: Path) -> None:  # type: ignore[no-untyped-def]
    settings.simulator_path.write_bytes(seeded_template.read_bytes())
    simulator = SapSimulator(settings.simulator_path)
    run_pull(settings, full=False, show_progress=False, create_store=True)
    store = open_store(settings, create=True)
    first = cash_demo(settings, store)
    # 3 by reference, 1 with leading zeros, 1 for three invoices, 1 short, 1 over, 1
    # truncated reference (a proposal by name), 1 unknown payer, 1 quoting the wrong invoice
    # (corrected by a journal); the overlapping statement repeats one of them
    assert first["bank"] == {"statements": 2, "receipts": 10}
    assert first["allocations"] == {"auto": 8, "proposed": 1, "unallocated": 1, "posted": 8,
                                    "cleared_in_sap": 9}  # the short-paid one keeps a residual
    assert first["journals"] == {"corrections": 1}
    documents = len(simulator.documents())
    assert cash_demo(settings, store) == first
    assert len(simulator.documents()) == documents
    mode = (settings.home / "bank" / "statement-1.xml").stat().st_mode & 0o777
    assert mode == 0o600
    from datetime import date

    from connectors.cash import unallocated_receipts

    waiting = unallocated_receipts(store, date.today())
    assert [w["state"] for w in waiting] == ["proposed", "open"]
    assert waiting[0]["suggestions"][0]["rule"] == "payer"  # the truncated reference
    assert waiting[1]["payer_name"] == "J SMITH"


def test_approving_the_demo_proposal_posts_it(settings, seeded_template: Path) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime, timezone

    from connectors.cash_run import run_cash
    from sap.factory import make_sap_client
    from sync.cash import allocations

    settings.simulator_path.write_bytes(seeded_template.read_bytes())
    run_pull(settings, full=False, show_progress=False, create_store=True)
    store = open_store(settings, create=True)
    cash_demo(settings, store)
    with store.engine.begin() as conn:
        [proposal] = allocations.listing(conn, "proposed")
        allocations.approve(conn, proposal.id, actor="thandi", now=datetime.now(timezone.utc))
    client = make_sap_client(settings)
    try:
        assert run_cash(settings, store, client)["posted"] == 1
    finally:
        client.close()
    run_pull(settings, full=False, show_progress=False)
    assert cash_demo(settings, store)["allocations"]["posted"] == 9


def _balances(path: Path) -> dict[tuple[str, str], Decimal]:
    """Each customer's balance in SAP per currency: open debits less open credits."""
    db = sqlite3.connect(path)
    try:
        rows = db.execute("SELECT KUNNR, WAERS, SHKZG, WRBTR FROM BSID").fetchall()
    finally:
        db.close()
    balances: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for kunnr, waers, shkzg, wrbtr in rows:
        balances[(kunnr, waers)] += Decimal(wrbtr) if shkzg == "S" else -Decimal(wrbtr)
    return balances


def test_demo_changes_each_customer_balance_in_sap_by_exactly_what_was_allocated(
        settings) -> None:  # type: ignore[no-untyped-def]
    """After the demo (postings, a correcting journal: reset, reversal, re-post), every
    customer's balance in SAP moved by the receipts allocated to them and nothing else: no
    other customer's item cleared by a reversal whose number it happened to share."""
    from sync.cash import allocations

    SapSimulator(settings.simulator_path).seed()  # the demo's own book: 500 customers
    before = _balances(settings.simulator_path)
    run_pull(settings, full=False, show_progress=False, create_store=True)
    store = open_store(settings, create=True)
    cash_demo(settings, store)
    after = _balances(settings.simulator_path)
    with store.engine.connect() as conn:
        posted = allocations.listing(conn, "posted")
    allocated: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for allocation in posted:
        allocated[(allocation.customer, allocation.currency)] += Decimal(allocation.amount)
    changed = {k: after.get(k, Decimal(0)) - before.get(k, Decimal(0))
               for k in set(before) | set(after)}
    changed = {k: v for k, v in changed.items() if v}
    assert changed == {k: -v for k, v in allocated.items() if v}
    assert len(posted) >= 8
