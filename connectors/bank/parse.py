"""Read a statement file in any supported format and check its balances (pure)."""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from config.cash import CsvProfile
from connectors.bank.camt import looks_like_camt, parse_camt
from connectors.bank.csv_profiles import parse_csv, profile_named
from connectors.bank.encoding import sniff_head
from connectors.bank.model import BankStatement
from connectors.bank.mt940 import looks_like_mt940, parse_mt940
from connectors.errors import StatementError, UnbalancedStatement

Format = Literal["auto", "camt", "mt940"] | str


def parse_statements(content: bytes, source: str, fmt: str = "auto",
                     profiles: dict[str, CsvProfile] | None = None) -> list[BankStatement]:
    """Statements in ``content``. ``fmt`` is auto, camt, mt940 or csv:PROFILE."""
    if fmt.startswith("csv:"):
        name = fmt[4:]
        return parse_csv(content, source, profile_named(name, profiles or {}), name)
    head = sniff_head(content)  # a UTF-16 file is detected by its text, not its bytes
    if fmt == "camt" or (fmt == "auto" and looks_like_camt(head)):
        return parse_camt(content, source)
    if fmt == "mt940" or (fmt == "auto" and looks_like_mt940(head)):
        return parse_mt940(content, source)
    if fmt != "auto":
        raise StatementError(source, "format", f"unknown format {fmt!r}: use auto, camt, "
                                               "mt940 or csv:PROFILE")
    raise StatementError(source, "line 1", "neither camt.053/054 XML nor MT940; for a bank's "
                                           "CSV export give --format csv:PROFILE")


def check_balances(statements: list[BankStatement], source: str, *,
                   allow_unbalanced: bool) -> list[BankStatement]:
    """Refuse a statement whose opening balance plus entries is not its closing balance,
    or, with ``allow_unbalanced``, flag it. Statements without balances (camt.054
    notifications, CSV without a balance column) have nothing to check."""
    checked = []
    for statement in statements:
        if statement.opening is None or statement.closing is None:
            checked.append(statement)
            continue
        expected = statement.opening + statement.entries_total
        if expected == statement.closing:
            checked.append(statement)
            continue
        if not allow_unbalanced:
            raise UnbalancedStatement(
                f"{source}: statement {statement.statement_id} of account {statement.account} "
                f"does not balance: opening balance {statement.opening} plus entries "
                f"{statement.entries_total} gives {expected}, the closing balance is "
                f"{statement.closing}. Nothing was imported; ask the bank for a complete "
                "statement or import with --allow-unbalanced.")
        checked.append(replace(statement, unbalanced=True))
    return checked
