"""Remittance spreadsheets (CSV and Excel) through per-customer column profiles.

Rows with the same payer and payment reference are one advice; each row is one invoice line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from config.cash import RemittanceProfile
from connectors.bank.model import RemittanceLine
from connectors.errors import StatementError
from connectors.remittance.model import RemittanceAdvice

DEFAULT_PROFILE = RemittanceProfile(payer="Payer", payment_reference="Payment reference",
                                    date="Date", invoice="Invoice", paid="Paid",
                                    deduction="Deduction", reason="Reason")


def _rows_csv(content: bytes, profile: RemittanceProfile) -> Iterator[tuple[int, list[Any]]]:
    text = content.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=profile.delimiter)
    number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise StatementError("remittance", f"line {reader.line_num}",
                                 f"not readable as CSV ({exc})") from None
        number = reader.line_num
        yield number, row


def _rows_excel(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a broken file
        raise StatementError("workbook", "file", f"not a readable Excel file "
                                                 f"({type(exc).__name__})") from None
    yield from enumerate(rows, start=1)


# "1234.56", "1,234.56", "1 234.56", "R 1 234.56", "ZAR1234": a decimal point, thousands in
# groups of three. A decimal comma ("43 676,19") is refused rather than guessed: read wrongly it
# would be a hundred times the amount.
_AMOUNT = re.compile(r"(?:R|ZAR)?\s?(-?)(\d{1,3}(?:[ ,\u00a0]\d{3})+|\d+)(\.\d{1,2})?")


def _money(value: Any, where: str, column: str, source: str) -> Decimal:
    if value is None or value == "":
        return Decimal("0.00")
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):  # Excel
        text = f"{Decimal(str(value)):.2f}"  # a float's noise (…0000001) rounds away
    else:
        text = str(value).strip()
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise StatementError(source, where, f"{column} {value!r} is not an amount (write it "
                                            "as 1234.56 or 1,234.56: a decimal point, no comma)")
    sign, whole, cents = match.groups()
    amount = Decimal(sign + re.sub(r"[ ,\u00a0]", "", whole) + (cents or ""))
    if amount < 0:
        raise StatementError(source, where, f"{column} {value!r} is negative: a credit note or "
                                            "a negative line is for a person to allocate, not "
                                            "a remittance line (remove the line)")
    if abs(amount) >= Decimal(10) ** 15:
        raise StatementError(source, where, f"{column} {value!r} is not an amount")
    return amount.quantize(Decimal("0.01"))


def _day(value: Any, fmt: str, where: str, source: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return datetime.strptime(str(value).strip(), fmt).date()
    except ValueError:
        raise StatementError(source, where, f"date {value!r} does not match {fmt}") from None


def parse_sheet(content: bytes, source: str,
                profile: RemittanceProfile = DEFAULT_PROFILE) -> list[RemittanceAdvice]:
    excel = Path(source).suffix.lower() in (".xlsx", ".xlsm")
    try:
        return _parse_rows(_rows_excel(content) if excel else _rows_csv(content, profile),
                           source, profile)
    except StatementError as exc:
        if exc.source in ("remittance", "workbook"):  # raised below the file name
            raise StatementError(source, exc.where, exc.reason) from None
        raise


def _parse_rows(rows: Iterator[tuple[int, list[Any]]], source: str,
                profile: RemittanceProfile) -> list[RemittanceAdvice]:
    header: dict[str, int] | None = None
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for number, row in rows:
        cells = ["" if c is None else c for c in row]
        if header is None:
            names = [str(c).strip().lower() for c in cells]
            if profile.invoice.lower() in names:
                header = {n: i for i, n in enumerate(names)}
                needed = [c for c in (profile.payment_reference, profile.date, profile.invoice,
                                      profile.paid, profile.payer) if c]
                missing = [c for c in needed if c.lower() not in header]
                if missing:
                    raise StatementError(source, f"line {number}", f"column {missing[0]!r} is "
                                                                   "missing")
            continue
        if not any(str(c).strip() for c in cells):
            continue
        where = f"line {number}"

        def get(column: str | None, row_cells: list[Any] = cells) -> Any:  # noqa: B023 - this iteration
            if not column:
                return ""
            index = header[column.lower()] if header and column.lower() in header else None  # noqa: B023 - called in this iteration
            return row_cells[index] if index is not None and index < len(row_cells) else ""

        payer = str(get(profile.payer) or profile.payer_name or "").strip()
        reference = str(get(profile.payment_reference)).strip()
        invoice = str(get(profile.invoice)).strip()
        if not reference or not invoice or not payer:
            raise StatementError(source, where, "payer, payment reference and invoice are "
                                                "required on every line")
        line = RemittanceLine(invoice_ref=invoice,
                              paid=_money(get(profile.paid), where, profile.paid, source),
                              deduction=_money(get(profile.deduction), where,
                                               profile.deduction or "", source),
                              reason=str(get(profile.reason) or "").strip())
        group = grouped.setdefault((payer, reference), {
            "date": _day(get(profile.date), profile.date_format, where, source),
            "lines": [], "where": where})
        group["lines"].append(line)
    if header is None:
        raise StatementError(source, "line 1", f"no header line with column "
                                               f"{profile.invoice!r}")
    if not grouped:
        raise StatementError(source, "file", "no remittance lines after the header")
    return [RemittanceAdvice(payer=payer, payment_reference=reference,
                             advice_date=g["date"], currency="ZAR", lines=tuple(g["lines"]),
                             where=g["where"]) for (payer, reference), g in grouped.items()]
