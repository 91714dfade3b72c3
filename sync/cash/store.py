"""Store access for cash application: statements, entries, remittance advices, payer accounts.

Plain functions over a SQLAlchemy connection, in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from sync.cash.models import (
    AllocationRow,
    BankEntryRow,
    BankStatementRow,
    PayerAccountRow,
    RemittanceAdviceRow,
    RemittanceLineRow,
)
from sync.tables import inserted_id, table_of
from sync.upsert import upsert

STATEMENTS = table_of(BankStatementRow)
ENTRIES = table_of(BankEntryRow)
ADVICES = table_of(RemittanceAdviceRow)
LINES = table_of(RemittanceLineRow)
ALLOCATIONS = table_of(AllocationRow)
PAYER_ACCOUNTS = table_of(PayerAccountRow)
IDENTITY_CHUNK = 500


class Returned(Protocol):
    """What a returned or reversed debit tells (read-only: a frozen ``BankEntry`` fits)."""

    @property
    def amount(self) -> Decimal: ...
    @property
    def currency(self) -> str: ...
    @property
    def booking_date(self) -> date: ...
    @property
    def original_ref(self) -> str: ...
    @property
    def reference(self) -> str: ...
    @property
    def payer_account(self) -> str: ...
    @property
    def narrative(self) -> str: ...


def statement_id_by_identity(conn: Connection, identity: str) -> int | None:
    return conn.execute(select(STATEMENTS.c.id).where(STATEMENTS.c.identity == identity)
                        ).scalar_one_or_none()


def insert_statement(conn: Connection, row: dict[str, Any]) -> int:
    return inserted_id(conn.execute(insert(STATEMENTS).values(**row)))


def known_identities(conn: Connection, identities: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(identities), IDENTITY_CHUNK):
        chunk = identities[start:start + IDENTITY_CHUNK]
        found.update(conn.execute(select(ENTRIES.c.identity).where(
            ENTRIES.c.identity.in_(chunk))).scalars())
    return found


def insert_entry(conn: Connection, row: dict[str, Any]) -> int:
    return inserted_id(conn.execute(insert(ENTRIES).values(**row)))


def insert_advice(conn: Connection, row: dict[str, Any], lines: list[dict[str, Any]]) -> int:
    advice_id = inserted_id(conn.execute(insert(ADVICES).values(**row)))
    if lines:
        conn.execute(insert(LINES), [{**line, "advice_id": advice_id} for line in lines])
    return advice_id


def advice_exists(conn: Connection, identity: str) -> bool:
    return conn.execute(select(ADVICES.c.id).where(ADVICES.c.identity == identity)).first() \
        is not None


def link_return(conn: Connection, entry_id: int, entry: Returned) -> int | None:
    """Link a returned/reversed debit to the receipt it undoes: the bank's original reference
    if given, else the latest earlier receipt of the same amount and reference or payer
    account that is not already undone. Marks that receipt ``returned``; returns its id."""
    base = and_(ENTRIES.c.is_receipt.is_(True), ENTRIES.c.state != "returned",
                ENTRIES.c.currency == entry.currency, ENTRIES.c.amount == entry.amount,
                ENTRIES.c.booking_date <= entry.booking_date)
    clues = []
    if entry.original_ref:
        clues.append(ENTRIES.c.bank_ref == entry.original_ref)
    if entry.reference:
        clues.append(ENTRIES.c.reference == entry.reference)
    if entry.payer_account:
        clues.append(ENTRIES.c.payer_account == entry.payer_account)
    quoted = [t for t in entry.narrative.split() if len(t) >= 5]
    if quoted:  # "Recalled 90000021": the receipt's reference quoted in the narrative
        clues.append(ENTRIES.c.reference.in_(quoted))
    if not clues:
        return None
    receipt = conn.execute(select(ENTRIES.c.id).where(base, or_(*clues)).order_by(
        ENTRIES.c.booking_date.desc(), ENTRIES.c.id.desc()).limit(1)).scalar_one_or_none()
    if receipt is None:
        return None
    conn.execute(update(ENTRIES).where(ENTRIES.c.id == entry_id).values(reverses_id=receipt))
    conn.execute(update(ENTRIES).where(ENTRIES.c.id == receipt).values(state="returned"))
    return int(receipt)


def open_receipts(conn: Connection, states: Iterable[str] = ("open",)) -> list[dict[str, Any]]:
    """Receipts in ``states``, oldest first."""
    return [dict(r._mapping) for r in conn.execute(
        select(ENTRIES).where(ENTRIES.c.is_receipt.is_(True), ENTRIES.c.state.in_(list(states)))
        .order_by(ENTRIES.c.booking_date, ENTRIES.c.id))]


def take_receipt(conn: Connection, receipt_id: int, state: str) -> bool:
    """``open`` → ``state`` if still open: of two matching runs at once, only one allocates a
    receipt."""
    result = conn.execute(update(ENTRIES).where(ENTRIES.c.id == receipt_id,
                                                ENTRIES.c.state == "open").values(state=state))
    return result.rowcount == 1


def set_receipt_state(conn: Connection, receipt_id: int, state: str) -> None:
    conn.execute(update(ENTRIES).where(ENTRIES.c.id == receipt_id).values(state=state))


def advices(conn: Connection, *, unused_only: bool = True) -> list[dict[str, Any]]:
    """Remittance advices with their lines (``lines``), not yet used by an allocation."""
    query = select(ADVICES)
    rows = [dict(r._mapping) for r in conn.execute(query.order_by(ADVICES.c.id))]
    lines: dict[int, list[dict[str, Any]]] = {}
    for line in conn.execute(select(LINES).order_by(LINES.c.id)):
        lines.setdefault(line.advice_id, []).append(dict(line._mapping))
    for row in rows:
        row["lines"] = lines.get(row["id"], [])
    return rows


def payer_accounts(conn: Connection) -> dict[str, str]:
    return dict(conn.execute(select(PAYER_ACCOUNTS.c.account, PAYER_ACCOUNTS.c.customer)).all())


def learn_payer_account(conn: Connection, account: str, company_code: str, customer: str,
                        now: datetime) -> None:
    if not account:
        return
    upsert(conn, PAYER_ACCOUNTS, [{"account": account, "company_code": company_code,
                                   "customer": customer, "confirmations": 1,
                                   "updated_at": now}], keys=("account",))


def counts(conn: Connection) -> dict[str, int]:
    statements = conn.execute(select(func.count()).select_from(STATEMENTS)).scalar_one()
    receipts = conn.execute(select(func.count()).select_from(ENTRIES).where(
        ENTRIES.c.is_receipt.is_(True))).scalar_one()
    return {"statements": int(statements), "receipts": int(receipts)}
