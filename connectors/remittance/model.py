"""A remittance advice as every reader returns it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from connectors.bank.model import RemittanceLine


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
