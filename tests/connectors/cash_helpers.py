"""Helpers for cash application tests: pulling, picking open invoices, statement files."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from connectors.bank.camt_writer import Movement, write_camt053
from connectors.pull import PortalRules, pull
from sync.mirror.models import OpenItemRow


def pull_all(store, client) -> None:  # type: ignore[no-untyped-def]
    pull(store, client, source="simulator", company_codes=["1000"], rules=PortalRules())


def open_invoices(store, count: int, currency: str = "ZAR") -> list:  # type: ignore[no-untyped-def]
    """``count`` open invoice items of different customers (largest first)."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(OpenItemRow).where(
            OpenItemRow.amount > 0, OpenItemRow.currency == currency,
            OpenItemRow.billing_document.is_not(None)).order_by(
            OpenItemRow.customer, OpenItemRow.document)).all()
    chosen, customers = [], set()
    for row in rows:
        if row.customer not in customers:
            chosen.append(row)
            customers.add(row.customer)
        if len(chosen) == count:
            break
    return chosen


def statement_file(tmp_path: Path, name: str, movements: list[Movement]) -> Path:
    path = tmp_path / name
    path.write_bytes(write_camt053(statement_id=name, account="071234567", currency="ZAR",
                                   opening=Decimal("0.00"), movements=movements,
                                   day=date(2026, 11, 20)))
    return path
