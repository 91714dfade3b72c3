"""Import a statement file into the store: parse (pure), check balances, then write every
statement and entry in one transaction. Entries already known by their identity are counted
as duplicates and add nothing; a returned or reversed entry is linked to the receipt it undoes.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from config.cash import CsvProfile
from connectors.bank.model import BankEntry, BankStatement, RemittanceLine, entry_identities
from connectors.bank.parse import check_balances, parse_statements
from connectors.errors import StatementError
from sync import audit
from sync.cash import store as cash_store
from sync.store import Store

log = logging.getLogger(__name__)
MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass
class ImportResult:
    statements: int = 0
    entries: int = 0
    receipts: int = 0
    credit_total: dict[str, Decimal] = field(default_factory=dict)
    debit_total: dict[str, Decimal] = field(default_factory=dict)
    imported: int = 0
    duplicates: int = 0
    unbalanced: int = 0
    returned: list[int] = field(default_factory=list)

    def as_json(self) -> dict:
        """Exactly the keys ``arbridge bank import --json`` promises."""
        return {"statements": self.statements, "entries": self.entries,
                "receipts": self.receipts,
                "credit_total": {k: str(v) for k, v in sorted(self.credit_total.items())},
                "debit_total": {k: str(v) for k, v in sorted(self.debit_total.items())},
                "imported": self.imported, "duplicates": self.duplicates}


def read_file(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise StatementError(str(path), "file", f"{size} bytes is more than a statement "
                                                    f"file may be ({MAX_FILE_BYTES})")
        return path.read_bytes()
    except OSError as exc:
        raise StatementError(str(path), "file", f"cannot be read ({exc.strerror})") from None


def statement_identity(statement: BankStatement) -> str:
    text = f"{statement.account}|{statement.source.split('.')[0]}|{statement.statement_id}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def import_statements(store: Store, path: Path, *, fmt: str = "auto",
                      allow_unbalanced: bool = False,
                      profiles: dict[str, CsvProfile] | None = None,
                      actor: str = audit.SYSTEM_ACTOR,
                      now: datetime | None = None) -> ImportResult:
    """Parse and store ``path``; nothing is written unless the whole file is good."""
    content = read_file(path)
    statements = parse_statements(content, str(path), fmt, profiles)
    statements = check_balances(statements, str(path), allow_unbalanced=allow_unbalanced)
    now = now or datetime.now(timezone.utc)
    for attempt in (1, 2):
        result = ImportResult(statements=len(statements))
        try:
            with store.engine.begin() as conn:
                for statement in statements:
                    _store_statement(conn, statement, path.name, result, now)
                audit.record(conn, [audit.event(
                    action="bank statement imported", entity="bank_statement", key=path.name,
                    actor=actor, at=now, detail=result.as_json())])
            break
        except IntegrityError:
            # the same file imported at the same moment by another process: once more, and
            # every entry it stored is now a duplicate
            if attempt == 2:
                raise
    if result.returned:  # returned receipts re-open what they paid (a journal each)
        from connectors.journals import request_returns

        request_returns(store, result.returned, now=now)
    log.info("bank import %s: %s", path.name, result.as_json())
    return result


def _count(result: ImportResult, entry: BankEntry) -> None:
    result.entries += 1
    totals = result.credit_total if entry.direction == "CRDT" else result.debit_total
    totals[entry.currency] = totals.get(entry.currency, Decimal("0.00")) + entry.amount
    if entry.is_receipt:
        result.receipts += 1


def _store_statement(conn: Connection, statement: BankStatement, file_name: str,
                     result: ImportResult, now: datetime) -> None:
    identity = statement_identity(statement)
    statement_id = cash_store.statement_id_by_identity(conn, identity)
    if statement_id is None:
        statement_id = cash_store.insert_statement(conn, {
            "identity": identity, "account": statement.account[:40],
            "currency": statement.currency or "", "statement_ref": statement.statement_id[:80],
            "source": statement.source, "file_name": file_name[:255],
            "opening": statement.opening, "closing": statement.closing,
            "from_date": statement.from_date, "to_date": statement.to_date,
            "unbalanced": statement.unbalanced, "entries": len(statement.entries),
            "imported_at": now})
    if statement.unbalanced:
        result.unbalanced += 1
    identities = entry_identities(statement.account, statement.entries)
    known = cash_store.known_identities(conn, identities)
    for entry, ident in zip(statement.entries, identities, strict=False):
        _count(result, entry)
        if ident in known:
            result.duplicates += 1
            continue
        known.add(ident)
        entry_id = cash_store.insert_entry(conn, _entry_row(entry, ident, statement_id,
                                                           statement.account, now))
        result.imported += 1
        if entry.remittance and entry.is_receipt:
            from connectors.bank.model import RemittanceAdvice

            advice = RemittanceAdvice(payer=entry.payer_name,
                                      payment_reference=entry.reference or entry.bank_ref,
                                      advice_date=entry.booking_date, currency=entry.currency,
                                      lines=entry.remittance)
            if cash_store.advice_exists(conn, advice.identity):
                continue
            cash_store.insert_advice(conn, {
                "identity": advice.identity, "payer": entry.payer_name[:140],
                "payment_reference": (entry.reference or entry.bank_ref)[:140],
                "advice_date": entry.booking_date, "currency": entry.currency,
                "total": sum((line.paid for line in entry.remittance), Decimal("0.00")),
                "source": f"{file_name} {entry.where}"[:255], "receipt_id": entry_id,
                "created_at": now}, [line_row(line) for line in entry.remittance])
        if entry.undoes_receipt:
            undone = cash_store.link_return(conn, entry_id, entry)
            if undone is not None:
                result.returned.append(undone)


def line_row(line: RemittanceLine) -> dict[str, Any]:
    return {"invoice_ref": line.invoice_ref[:40], "paid": line.paid,
            "deduction": line.deduction, "reason": line.reason[:140]}


def _entry_row(entry: BankEntry, identity: str, statement_id: int, account: str,
               now: datetime) -> dict:
    return {"identity": identity, "statement_id": statement_id, "account": account[:40],
            "currency": entry.currency, "direction": entry.direction, "amount": entry.amount,
            "booking_date": entry.booking_date, "value_date": entry.value_date,
            "reference": entry.reference[:140], "narrative": entry.narrative,
            "payer_name": entry.payer_name[:140], "payer_account": entry.payer_account[:40],
            "bank_ref": entry.bank_ref[:80], "reversal": entry.reversal,
            "return_reason": entry.return_reason[:35], "original_ref": entry.original_ref[:80],
            "is_receipt": entry.is_receipt, "state": "open" if entry.is_receipt else "none",
            "remittance": json.dumps([line_row(x) | {"paid": str(x.paid),
                                                      "deduction": str(x.deduction)}
                                      for x in entry.remittance]),
            "created_at": now}


__all__ = ["ImportResult", "import_statements"]
