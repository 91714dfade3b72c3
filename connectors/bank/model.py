"""What every statement parser returns: plain statements and entries, Decimal with currency."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

Direction = Literal["CRDT", "DBIT"]


@dataclass(frozen=True, slots=True)
class RemittanceLine:
    """One invoice a payment covers, as the payer or its bank reported it."""

    invoice_ref: str
    paid: Decimal
    deduction: Decimal = Decimal("0.00")
    reason: str = ""


@dataclass(frozen=True, slots=True)
class BankEntry:
    """One booked movement on the account (one transaction detail of a batch entry).

    ``amount`` is positive; ``direction`` says credit (money in) or debit. A reversal
    (``reversal`` True, or a ``return_reason``) undoes an earlier entry of the opposite
    direction; ``original_ref`` names it where the bank says so.
    """

    amount: Decimal
    currency: str
    direction: Direction
    booking_date: date
    value_date: date | None = None
    reference: str = ""
    narrative: str = ""
    payer_name: str = ""
    payer_account: str = ""
    bank_ref: str = ""
    reversal: bool = False
    return_reason: str = ""
    original_ref: str = ""
    remittance: tuple[RemittanceLine, ...] = ()
    where: str = ""

    @property
    def signed(self) -> Decimal:
        return self.amount if self.direction == "CRDT" else -self.amount

    @property
    def is_receipt(self) -> bool:
        """Money in that is not the undoing of a payment out."""
        return self.direction == "CRDT" and not self.reversal and not self.return_reason

    @property
    def undoes_receipt(self) -> bool:
        """A debit that gives back an earlier receipt (bounced debit order, recall)."""
        return self.direction == "DBIT" and (self.reversal or bool(self.return_reason))


@dataclass(frozen=True, slots=True)
class BankStatement:
    """One statement (or notification) of one account."""

    account: str
    currency: str
    statement_id: str
    opening: Decimal | None
    closing: Decimal | None
    entries: tuple[BankEntry, ...]
    source: str
    from_date: date | None = None
    to_date: date | None = None
    unbalanced: bool = False
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def entries_total(self) -> Decimal:
        return sum((e.signed for e in self.entries), Decimal("0.00"))


def _norm(text: str) -> str:
    return " ".join(text.split()).upper()


def entry_identities(account: str, entries: tuple[BankEntry, ...]) -> list[str]:
    """A stable identity per entry, the same whichever statement (or overlap) carries it.

    Built from the account, the bank's own entry reference when it gives one, else from the
    booking date, signed amount, reference and narrative; identical entries within one
    statement are told apart by their order among their twins (as OCA's
    ``unique_import_id`` does with the bank's sequence).
    """
    seen: dict[str, int] = {}
    result = []
    for entry in entries:
        if entry.bank_ref:  # the bank's own reference: the same in a camt.054 and a camt.053
            base = "|".join((_norm(account), entry.currency, entry.booking_date.isoformat(),
                             str(entry.signed), _norm(entry.bank_ref)))
        else:
            base = "|".join((_norm(account), entry.currency, entry.booking_date.isoformat(),
                             str(entry.signed), _norm(entry.reference),
                             _norm(entry.narrative),
                             "R" if entry.reversal or entry.return_reason else ""))
        count = seen.get(base, 0)
        seen[base] = count + 1
        digest = hashlib.sha256(f"{base}|{count}".encode()).hexdigest()[:32]
        result.append(digest)
    return result


@dataclass(frozen=True, slots=True)
class RemittanceAdvice:
    payer: str
    payment_reference: str
    advice_date: date
    currency: str
    lines: tuple[RemittanceLine, ...]
    where: str = ""

    @property
    def total(self) -> Decimal:
        return sum((line.paid for line in self.lines), Decimal("0.00"))

    @property
    def identity(self) -> str:
        """The same advice sent twice (or in two formats) is one advice."""
        body = "|".join(f"{x.invoice_ref}:{x.paid}:{x.deduction}" for x in self.lines)
        text = f"{self.payer.upper()}|{self.payment_reference.upper()}|{self.advice_date}|{body}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]
