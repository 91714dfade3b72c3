"""CSV exports of South African banks, read through named column profiles.

The built-in profiles follow the columns of each bank's online-banking CSV export; a bank
that changes its export, or any other bank, is a user profile in ``[cash.csv_profiles.NAME]``.
A CSV export carries no opening balance: when it has a running balance column, the opening
balance is the first row's balance less its amount, and every row must follow from the one
before it.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from config.cash import CsvProfile
from connectors.bank.model import BankEntry, BankStatement
from connectors.errors import StatementError

BUILTIN: dict[str, CsvProfile] = {
    "standardbank": CsvProfile(date="Date", date_format="%Y%m%d", amount="Amount",
                               description="Description", reference="Reference",
                               balance="Balance", account_pattern=r"Account\D*(\d{6,})"),
    "fnb": CsvProfile(date="Date", date_format="%d %b %Y", amount="Amount",
                      description="Description", balance="Balance", reference="Reference",
                      account_pattern=r"Account\D*(\d{6,})"),
    "absa": CsvProfile(date="Date", date_format="%Y/%m/%d", amount="Amount",
                       description="Description", balance="Balance",
                       account_pattern=r"Account\D*(\d{6,})"),
    "nedbank": CsvProfile(date="Transaction date", date_format="%d/%m/%Y", amount="Amount",
                          description="Description", reference="Reference", balance="Balance",
                          account_pattern=r"Account\D*(\d{6,})"),
    "capitec": CsvProfile(date="Transaction Date", date_format="%Y-%m-%d",
                          credit="Money In", debit="Money Out", description="Description",
                          balance="Balance", account_pattern=r"Account\D*(\d{6,})"),
}


def profile_named(name: str, user: dict[str, CsvProfile]) -> CsvProfile:
    key = name.lower().replace(" ", "").replace("_", "")
    if name in user:
        return user[name]
    if key in BUILTIN:
        return BUILTIN[key]
    known = ", ".join(sorted({*BUILTIN, *user}))
    raise StatementError(f"csv:{name}", "profile", f"no CSV profile {name!r} (known: {known}; "
                         "add your own under [cash.csv_profiles] in arbridge.toml)")


def _money(raw: str, profile: CsvProfile, where: str, source: str, column: str) -> Decimal:
    text = raw.strip().replace(" ", "").replace("R", "")
    if profile.decimal_comma:
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    negative = text.endswith("-") or (text.startswith("(") and text.endswith(")"))
    text = text.strip("()-+") if negative else text
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise StatementError(source, where, f"{column} {raw!r} is not an amount") from None
    if not value.is_finite() or abs(value) >= Decimal(10) ** 15:
        raise StatementError(source, where, f"{column} {raw!r} is not an amount")
    return -value if negative else value


def _header(lines: list[str], profile: CsvProfile, source: str) -> int:
    wanted = profile.date.strip().lower()
    for index, line in enumerate(lines):
        cells = [c.strip().strip('"').lower() for c in line.split(profile.delimiter)]
        if wanted in cells:
            return index
    raise StatementError(source, "line 1", f"no header line with column {profile.date!r}")


def parse_csv(content: bytes, source: str, profile: CsvProfile,
              profile_name: str) -> list[BankStatement]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    lines = text.splitlines()
    start = _header(lines, profile, source)
    account = ""
    if profile.account_pattern:
        for line in lines[:start]:
            found = re.search(profile.account_pattern, line, re.I)
            if found:
                account = found.group(1)
                break
    try:
        return _parse(lines, start, account, source, profile, profile_name)
    except csv.Error as exc:
        raise StatementError(source, "file", f"not readable as CSV ({exc})") from None


def _parse(lines: list[str], start: int, account: str, source: str, profile: CsvProfile,
           profile_name: str) -> list[BankStatement]:
    reader = csv.reader(io.StringIO("\n".join(lines[start:]), newline=""),
                        delimiter=profile.delimiter)
    header = [h.strip().lower() for h in next(reader)]
    column = {name: i for i, name in enumerate(header)}

    def col(name: str | None, required: bool = False) -> int | None:
        if name is None:
            return None
        index = column.get(name.strip().lower())
        if index is None and required:
            raise StatementError(source, f"line {start + 1}", f"column {name!r} is missing")
        return index

    c_date, c_desc = col(profile.date, True), col(profile.description, True)
    c_amount, c_credit, c_debit = col(profile.amount), col(profile.credit), col(profile.debit)
    if c_amount is None and c_credit is None:
        raise StatementError(source, f"line {start + 1}",
                             "profile needs an amount column or credit/debit columns")
    c_ref, c_balance, c_acct = col(profile.reference), col(profile.balance), \
        col(profile.payer_account)
    entries: list[BankEntry] = []
    balances: list[Decimal] = []
    for offset, row in enumerate(reader, start=start + 2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"line {offset}"
        if len(row) < len(header):
            raise StatementError(source, where, f"{len(row)} fields, the header has "
                                                f"{len(header)}")

        def cell(index: int | None) -> str:  # noqa: B023 - called in this iteration only
            return row[index].strip() if index is not None else ""  # noqa: B023 - called in this iteration

        try:
            day = datetime.strptime(cell(c_date), profile.date_format).date()
        except ValueError:
            raise StatementError(source, where, f"date {cell(c_date)!r} does not match "
                                                f"{profile.date_format}") from None
        if c_amount is not None:
            signed = _money(cell(c_amount), profile, where, source, profile.amount or "")
        else:
            credit = _money(cell(c_credit) or "0", profile, where, source, profile.credit or "")
            debit = _money(cell(c_debit) or "0", profile, where, source, profile.debit or "")
            signed = abs(credit) - abs(debit)
        if c_balance is not None and cell(c_balance):
            balances.append(_money(cell(c_balance), profile, where, source, profile.balance
                                   or ""))
        entries.append(BankEntry(
            amount=abs(signed), currency=profile.currency,
            direction="CRDT" if signed >= 0 else "DBIT", booking_date=day,
            reference=cell(c_ref), narrative=cell(c_desc), payer_account=cell(c_acct),
            where=where))
    if not entries:
        raise StatementError(source, f"line {start + 1}", "no transactions after the header")
    opening = closing = None
    if len(balances) == len(entries):
        opening = balances[0] - entries[0].signed
        closing = balances[-1]
    first, last = entries[0].booking_date, entries[-1].booking_date
    return [BankStatement(account=account or f"csv:{profile_name}", currency=profile.currency,
                          statement_id=f"{min(first, last)}..{max(first, last)}",
                          opening=opening, closing=closing, entries=tuple(entries),
                          source=f"csv:{profile_name}", from_date=min(first, last),
                          to_date=max(first, last))]
