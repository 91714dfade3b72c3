"""Errors of statement and remittance import: the file is refused whole, nothing changes."""

from __future__ import annotations

from config.errors import InputError


class StatementError(InputError):
    """The file cannot be read as a statement; the message names the file, the line or
    element, and the reason."""

    def __init__(self, source: str, where: str, reason: str) -> None:
        super().__init__(f"{source}: {where}: {reason}. Nothing was imported.")
        self.source, self.where, self.reason = source, where, reason


class UnbalancedStatement(InputError):
    """Opening balance plus entries does not give the closing balance."""
