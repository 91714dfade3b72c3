"""Helpers for the exactly-once posting tests: receipts for chosen invoices, a client per
worker, a second store, and what SAP holds per key."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from config.cash import CashSettings
from connectors.bank.camt_writer import Movement
from connectors.bank.importer import import_statements
from connectors.cash import allocate
from sap.rfc.client import RfcSapClient
from sync.cash import allocations
from tests.connectors.cash_helpers import statement_file


def receipts_for(store, tmp_path: Path, rows, name: str) -> list[int]:  # type: ignore[no-untyped-def]
    """Import one receipt per invoice row and allocate them: the new allocations' ids."""
    import_statements(store, statement_file(tmp_path, name, [
        Movement(amount=r.amount, bank_ref=f"{name}-{i}", booking_date=date(2026, 11, 20),
                 reference=r.billing_document.lstrip("0"), payer="Somebody")
        for i, r in enumerate(rows)]))
    with store.engine.connect() as conn:
        before = {a.id for a in allocations.listing(conn)}
    assert allocate(store, CashSettings().policy)["auto"] == len(rows)
    with store.engine.connect() as conn:
        return sorted(a.id for a in allocations.listing(conn) if a.id not in before)


def worker_client(simulator, name: str, timeout: float = 30) -> RfcSapClient:  # type: ignore[no-untyped-def]
    return RfcSapClient(factory=simulator.connect, params={"user": name},
                        timeout_seconds=timeout, today=simulator.today)


def live_documents(simulator, key: str) -> list[dict]:  # type: ignore[no-untyped-def]
    """Documents carrying ``key`` that no reversal has undone."""
    return [d for d in simulator.documents(reference=key) if not d.get("STBLG")]


def by_id(store, ids: list[int]) -> list[allocations.Allocation]:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        return [allocations.get(conn, i) for i in ids]


ZERO = Decimal("0")
