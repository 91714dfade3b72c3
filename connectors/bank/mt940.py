"""SWIFT MT940 through the ``mt-940`` library: multi-statement files split, RC/RD reversal
marks honoured, structured :86: fields (``/EREF/``, ``/REMI/``, ``/ORDP/`` … and German
``?20``–``?33`` sub-fields) read where the bank uses them."""

from __future__ import annotations

import logging
import re
from datetime import date
from decimal import Decimal
from typing import overload

import mt940 as mt940lib

from connectors.bank.encoding import decode_text
from connectors.bank.model import BankEntry, BankStatement, Direction
from connectors.errors import StatementError

TAG = re.compile(r"^:(\d\d[A-Z]?):")
FRAMING = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufeff]")
LINE_61 = re.compile(r"^(\d{6})(\d{4})?(RC|RD|C|D)[A-Z]?(\d{1,12},\d{0,2})[A-Z0-9]{4}")
SLASH_KEYS = ("EREF", "REMI", "ORDP", "BENM", "CNTP", "IREF", "MARF", "PURP", "RTRN", "NAME",
              "ACCW", "KREF", "CREF", "SVWZ", "USTD", "STRD", "IBAN", "BIC", "TRTP", "ADDR",
              "ISDT", "CSID", "SUM")
IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$")
IBAN_LENGTHS = {"AT": 20, "BE": 16, "CH": 21, "DE": 22, "ES": 24, "FR": 27, "GB": 22, "IT": 27,
                "LU": 20, "NL": 18, "PL": 28}
SLASH_FIELD = re.compile(r"/(" + "|".join(SLASH_KEYS) + r")/")
QUESTION_FIELD = re.compile(r"\?(\d\d)")
REQUIRED = ("20", "25", "60", "62")

# the library logs every failed pattern at ERROR; arbridge reports the one that matters
logging.getLogger("mt940").setLevel(logging.CRITICAL)


def looks_like_mt940(head: bytes) -> bool:
    text = head[:4096].decode("latin-1")
    return bool(re.search(r"^(?:\{4:)?:20:", text, re.M) and re.search(r"^:60[FM]:", text, re.M))


def _message_text(line: str) -> str:
    """A line as the statement sees it: SWIFT framing (SOH, ETX, SUB) dropped, and what
    follows an inline ``{4:`` block opener (``{1:…}{2:…}{4::20:REF``) kept."""
    line = FRAMING.sub("", line).rstrip()
    if "{4:" in line:
        line = line.split("{4:", 1)[1]
    return line


def _split(text: str, source: str) -> list[tuple[int, str]]:
    """(first line number, text) per statement: a statement starts at each ``:20:`` and ends
    at the next one or at a statement end (``-``, ``-}``, a SWIFT trailer block, ``:940:``).

    Lines outside statements are the bank's own and are left out, as the ``mt-940`` library
    ignores them: ABN AMRO's ``ABNANL2A / 940 / ABNANL2A`` preamble, ING's and Rabobank's
    ``:940:`` header, SWIFT ``{1:…}{2:…}{4:`` blocks, blank lines. A field tag there
    (``:61:`` before any ``:20:``) is not a preamble but a broken statement, and refuses the
    whole file naming its line."""
    chunks: list[tuple[int, list[str]]] = []
    inside = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _message_text(raw)
        if line.startswith(":20:"):
            chunks.append((number, []))
            inside = True
        elif line in ("-", "-}", ":940:") or line.startswith(("-}", "{5:", "{S:")):
            inside = False
            continue
        elif not inside:
            tag = TAG.match(line)
            if tag:
                raise StatementError(source, f"line {number}",
                                     f"field :{tag.group(1)}: outside a statement (no :20: "
                                     "statement reference before it)")
            continue
        chunks[-1][1].append(line)
    if not chunks:
        raise StatementError(source, "line 1", "no :20: statement reference: not an MT940 file")
    return [(start, "\n".join(_without_statement_info(lines)) + "\n")
            for start, lines in chunks]


def _without_statement_info(lines: list[str]) -> list[str]:
    """Drop an :86: that follows the closing balance (ING's ``/SUM/`` totals, a bank's note
    on the statement): it describes the statement, and the library would add it to the
    last entry's narrative."""
    kept: list[str] = []
    closed = skipping = False
    for line in lines:
        tag = TAG.match(line)
        if tag:
            closed = closed or tag.group(1).startswith("62")
            skipping = closed and tag.group(1) == "86"
        if not skipping:
            kept.append(line)
    return kept


def _check(chunk: str, start: int, source: str) -> None:
    seen: set[str] = set()
    for offset, line in enumerate(chunk.splitlines()):
        match = TAG.match(line)
        if not match:
            continue
        tag = match.group(1)
        seen.add(tag[:2])
        if tag == "61" and not LINE_61.match(line[4:]):
            raise StatementError(source, f"line {start + offset} (field 61)",
                                 "statement line is not date, C/D/RC/RD mark, amount, type")
    missing = [t for t in REQUIRED if t not in seen]
    if missing:
        raise StatementError(source, f"statement at line {start}",
                             f"field :{missing[0]}: is missing")


def structured_86(details: str) -> dict[str, str]:
    """``/KEY/value`` or ``?NNvalue`` sub-fields of :86:, joined where a key repeats."""
    text = details.replace("\n", "")
    found: dict[str, str] = {}
    if SLASH_FIELD.search(text):
        parts = SLASH_FIELD.split(text)
        for key, value in zip(parts[1::2], parts[2::2], strict=False):
            found[key] = (found.get(key, "") + value.strip("/ ")).strip()
    elif QUESTION_FIELD.search(text):
        parts = QUESTION_FIELD.split(text)
        for key, value in zip(parts[1::2], parts[2::2], strict=False):
            name = {"32": "NAME", "33": "NAME", "31": "ACCW", "30": "BIC"}.get(key)
            if name is None and "20" <= key <= "29" or "60" <= key <= "63":
                name = "REMI"
            if name:
                found[name] = (found.get(name, "") + value).strip()
    return found


def parse_mt940(content: bytes, source: str) -> list[BankStatement]:
    text = decode_text(content)
    statements = []
    for start, chunk in _split(text, source):
        _check(chunk, start, source)
        transactions = mt940lib.models.Transactions()
        try:
            transactions.parse(chunk)
        except Exception as exc:  # noqa: BLE001 - the library raises bare errors on bad input
            raise _library_error(exc, chunk, start, source) from None
        statements.append(_statement(transactions, start, source))
    return statements


def _library_error(exc: Exception, chunk: str, start: int, source: str) -> StatementError:
    """Name the field and line the library could not read (it says which tag in its args)."""
    tag = exc.args[1] if len(exc.args) >= 3 else None
    value = exc.args[2] if len(exc.args) >= 3 else None
    tag_id = getattr(tag, "id", None)
    if tag_id is not None:
        for offset, line in enumerate(chunk.splitlines()):
            if line.startswith(f":{tag_id}:"):
                shown = (str(value).splitlines() or [""])[0][:40]
                return StatementError(source, f"line {start + offset} (field {tag_id})",
                                      f"{shown!r} cannot be read")
    return StatementError(source, f"statement at line {start}",
                          f"cannot be read as MT940 ({type(exc).__name__})")


def _statement(transactions: mt940lib.models.Transactions, start: int,
               source: str) -> BankStatement:
    data = transactions.data
    opening = data.get("final_opening_balance") or data.get("intermediate_opening_balance")
    closing = data.get("final_closing_balance") or data.get("intermediate_closing_balance")
    if opening is None or closing is None:
        raise StatementError(source, f"statement at line {start}",
                             "opening (:60F:) or closing (:62F:) balance cannot be read")
    currency = opening.amount.currency
    entries = []
    for transaction in transactions:
        entries.append(_entry(transaction.data, currency, start, source))
    ident = f"{data.get('transaction_reference', '')}/{data.get('statement_number', '')}" \
            f"/{data.get('sequence_number', '') or ''}"
    account = str(data.get("account_identification", "")).strip()
    if account.endswith(currency) and len(account) > len(currency):  # ING, Rabobank: IBAN+EUR
        account = account[:-len(currency)].strip()
    return BankStatement(
        account=account, currency=currency,
        statement_id=ident, opening=Decimal(opening.amount.amount),
        closing=Decimal(closing.amount.amount), entries=tuple(entries), source="mt940",
        from_date=_day(opening.date), to_date=_day(closing.date))


def _iban_first(text: str) -> tuple[str, str]:
    """(IBAN, rest) of a text that may begin with an IBAN of a known length."""
    length = IBAN_LENGTHS.get(text[:2])
    if length and len(text) >= length and IBAN.match(text[:length]):
        return text[:length], text[length:].strip()
    return "", text


@overload
def _day(value: date) -> date: ...
@overload
def _day(value: None) -> None: ...

def _day(value: date | None) -> date | None:
    return date(value.year, value.month, value.day) if value is not None else None


def _entry(tx: dict, currency: str, start: int, source: str) -> BankEntry:
    status = tx.get("status") or ""
    amount = abs(Decimal(tx["amount"].amount))
    direction: Direction = "CRDT" if status in ("C", "RD") else "DBIT"
    details = str(tx.get("transaction_details") or "")
    fields = structured_86(details)
    customer_ref = str(tx.get("customer_reference") or "")
    # German banks' ?-sub-fields are read by the library itself (GV codes, SEPA EREF+/SVWZ+)
    reference = fields.get("EREF") or fields.get("KREF") or str(
        tx.get("end_to_end_reference") or "") or (
        customer_ref if customer_ref.upper() != "NONREF" else "")
    narrative = re.sub(r"^(USTD|STRD)/+", "", fields.get("REMI", "")) or fields.get("SVWZ") \
        or fields.get("USTD") or str(tx.get("purpose") or "") or details
    name = fields.get("ORDP") or fields.get("NAME") or fields.get("BENM") or ""
    account = fields.get("ACCW", "") or fields.get("IBAN", "") or str(
        tx.get("gvc_applicant_iban") or "")
    if not name and tx.get("applicant_name"):  # the library may join ?31 (IBAN) and ?32
        iban, name = _iban_first(str(tx["applicant_name"]))
        account = account or iban
    extra = str(tx.get("extra_details") or "").strip()  # Rabobank: the :61:'s second line
    if not account and IBAN.match(extra):
        account = extra
    if "CNTP" in fields:  # ING style: /CNTP/IBAN/BIC/NAME/CITY/
        parts = [p for p in fields["CNTP"].split("/")]
        account = account or (parts[0] if parts else "")
        name = name or (parts[2] if len(parts) > 2 else "")
    return BankEntry(
        amount=amount, currency=str(tx.get("currency") or currency), direction=direction,
        booking_date=_day(tx.get("entry_date") or tx["date"]), value_date=_day(tx.get("date")),
        reference=reference.strip(), narrative=" ".join(narrative.split()),
        payer_name=name.strip(), payer_account=account.strip(),
        bank_ref=str(tx.get("bank_reference") or ""), reversal=status in ("RC", "RD"),
        return_reason=fields.get("RTRN", ""), where=f"statement at line {start}")
