"""Errors the connectors raise on purpose, each under its category in ``config.errors``::

    ArbridgeError
    ├── RetriableError
    │   ├── DeliveryFailed         a notification channel did not take the message: the
    │   │                          delivery is retried later
    │   └── PdfNotReady            the invoice's PDF is not there yet, or still being written
    └── InputError
        ├── PdfInvalid             the file is there but is not a usable invoice PDF
        ├── SplitRefused           an allocation's split does not fit the receipt or invoices
        ├── StatementError         a bank statement or remittance file cannot be read: refused
        │                          whole, naming the file, the line or element and the reason
        └── UnbalancedStatement    opening balance plus entries is not the closing balance

SAP's own errors are in ``sap.errors``; what to do about each category is in ``config.errors``.
"""

from __future__ import annotations

from config.errors import InputError, RetriableError


class DeliveryFailed(RetriableError):
    """A channel did not take the message; the delivery is retried later."""


class PdfNotReady(RetriableError):
    """The invoice's PDF is not there yet, or is still being written: wait for it."""


class PdfInvalid(InputError):
    """The file is there but is not a usable invoice PDF; the message says why."""


class SplitRefused(InputError):
    """The split does not fit the receipt or the invoices (nothing was stored)."""


class StatementError(InputError):
    """The file cannot be read as a statement; the message names the file, the line or
    element, and the reason."""

    def __init__(self, source: str, where: str, reason: str) -> None:
        super().__init__(f"{source}: {where}: {reason}. Nothing was imported.")
        self.source, self.where, self.reason = source, where, reason


class UnbalancedStatement(InputError):
    """Opening balance plus entries does not give the closing balance."""
