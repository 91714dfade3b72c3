"""A remittance advice as every reader returns it (kept in :mod:`connectors.bank.model`, beside
the remittance lines a bank statement's entries carry, so the bank import needs nothing from
here)."""

from __future__ import annotations

from connectors.bank.model import RemittanceAdvice, RemittanceLine

__all__ = ["RemittanceAdvice", "RemittanceLine"]
