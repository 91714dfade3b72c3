"""The demo's cash-application part: write the bank files once (consistent with the open items
of the first run), import them, allocate, post to the simulator, pull again, and report the
``bank``, ``allocations`` and ``journals`` sections of ``arbridge demo --json``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy import select

from config.settings import Settings
from connectors.bank.demo_files import OpenInvoice, demo_files
from connectors.bank.importer import import_statements
from connectors.cash_run import run_cash
from connectors.journals import request_correction, run_journals
from connectors.remittance.importer import import_advices
from sap.factory import make_sap_client
from sync.cash import allocations, journals
from sync.cash import store as cash_store
from sync.cash import summary as cash_summary
from sync.mirror.models import CustomerRow, OpenItemRow
from sync.store import Store
from workers.cli.sap import run_pull

FILES = ("statement-1.xml", "statement-2.xml", "remittance.csv", "corrections.json")


def _write_once(folder: Path, store: Store, day) -> bool:  # type: ignore[no-untyped-def]
    if all((folder / name).exists() for name in FILES):
        return True
    with store.engine.connect() as conn:
        rows = conn.execute(select(OpenItemRow.customer, CustomerRow.name,
                                   OpenItemRow.billing_document, OpenItemRow.amount).join(
            CustomerRow, (CustomerRow.number == OpenItemRow.customer) &
            (CustomerRow.company_code == OpenItemRow.company_code)).where(
            OpenItemRow.amount > 0, OpenItemRow.currency == "ZAR",
            OpenItemRow.billing_document.is_not(None)).order_by(
            OpenItemRow.customer, OpenItemRow.billing_document)).all()
    files = demo_files([OpenInvoice(*r) for r in rows], day)
    if files is None:
        return False
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name, content in zip(FILES, (files.statement, files.overlap, files.remittance.encode(),
                                     json.dumps(files.corrections).encode()), strict=False):
        fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
    return True


def cash_demo(settings: Settings, store: Store) -> dict[str, Any]:
    client = make_sap_client(settings)
    try:
        folder = settings.home / "bank"
        if _write_once(folder, store, client.today()):
            import_advices(store, folder / "remittance.csv")
            for name in FILES[:2]:
                import_statements(store, folder / name)
        run_cash(settings, store, client)
        _correct(folder / FILES[3], settings, store, client)
    finally:
        client.close()
    run_pull(settings, full=False, show_progress=False)
    return sections(store)


def _correct(notes: Path, settings: Settings, store: Store, client) -> None:  # type: ignore[no-untyped-def]
    """The administrator's corrections (a payer quoted the wrong invoice): one correcting
    journal per noted receipt, once."""
    if not notes.exists():
        return
    wanted = json.loads(notes.read_text())
    with store.engine.connect() as conn:
        refs = dict(conn.execute(select(cash_store.ENTRIES.c.id, cash_store.ENTRIES.c.bank_ref)
                                 ).all())
        corrected = {j.allocation_id for j in journals.listing(conn)}
        todo = [(a.id, wanted[refs[a.receipt_id]]) for a in allocations.listing(conn, "posted")
                if refs.get(a.receipt_id) in wanted and a.id not in corrected
                and a.rule != "correction"]
    for allocation_id, invoice in todo:
        request_correction(store, allocation_id, [invoice], reason="the payer quoted the "
                           "wrong invoice number (demo)", actor="demo administrator")
    if todo:
        run_journals(store, client, settings.cash)


def sections(store: Store) -> dict[str, Any]:
    with store.engine.connect() as conn:
        rows = allocations.listing(conn)
        still_open = {(d or "").lstrip("0") for d in conn.execute(
            select(OpenItemRow.billing_document)).scalars()}
        waiting = cash_summary.unallocated(conn)  # as the dashboard and bank unallocated
        bank = cash_store.counts(conn)
        corrections = len(journals.listing(conn))
    posted = [a for a in rows if a.state == "posted"]
    # an invoice with a residual item (short payment) is still open
    cleared = {i["invoice"] for a in posted for i in a.items} - still_open
    return {
        "bank": bank,
        "allocations": {"auto": sum(a.automatic for a in rows),
                        "proposed": waiting.proposed,
                        "unallocated": waiting.count, "posted": len(posted),
                        "cleared_in_sap": len(cleared)},
        "journals": {"corrections": corrections},
    }


def cash_line(cash: dict[str, Any]) -> str:
    a = cash["allocations"]
    return (f"cash: {cash['bank']['receipts']} receipts on {cash['bank']['statements']} "
            f"statements: {a['auto']} allocated automatically, {a['proposed']} proposed, "
            f"{a['unallocated']} unallocated; {a['posted']} posted to SAP, "
            f"{a['cleared_in_sap']} invoices cleared there (arbridge bank unallocated, "
            "arbridge allocations)")
