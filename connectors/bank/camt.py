"""ISO 20022 camt.053 (statements) and camt.054 (debit/credit notifications), any version.

Namespaces are dropped after parsing, so 001.02 to 001.08 (and later) read the same way; the
elements whose place moved between versions (status, related-party names, amounts of a
transaction detail) are looked up at each place they have had. An entry with several
transaction details (a batch) becomes one entry per detail.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal, overload

from lxml import etree

from connectors.bank.model import BankEntry, BankStatement, Direction, RemittanceLine
from connectors.errors import StatementError

NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.05([34])\.001\.(\d\d)")
OPENING_CODES = ("OPBD", "PRCD")
CLOSING_CODES = ("CLBD",)
BOOKED = "BOOK"
MAX_AMOUNT = Decimal(10) ** 15
_DIRECTIONS: dict[str, Direction] = {"CRDT": "CRDT", "DBIT": "DBIT"}
_PARSER = dict(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


def looks_like_camt(head: bytes) -> bool:
    return b"camt.05" in head[:4096] or b"BkToCstmr" in head[:4096]


def read_xml(content: bytes, source: str) -> etree._Element:
    """Parse a bank or remittance XML file without entities or network; a file that is not
    XML raises :class:`StatementError` naming the line."""
    try:
        return etree.fromstring(content, etree.XMLParser(**_PARSER))
    except etree.XMLSyntaxError as exc:
        raise StatementError(source, f"line {exc.lineno}", f"not well-formed XML: {exc.msg}") \
            from None
    except ValueError as exc:
        raise StatementError(source, "file", f"not readable as XML: {exc}") from None


def _strip(root: etree._Element) -> None:
    for element in root.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.split("}", 1)[1]


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, element: etree._Element | None, reason: str) -> StatementError:
        where = f"line {element.sourceline} <{element.tag}>" if element is not None else "file"
        return StatementError(self.source, where, reason)

    def text(self, element: etree._Element, path: str) -> str:
        found = element.find(path)
        return (found.text or "").strip() if found is not None and found.text else ""

    def amount(self, element: etree._Element, path: str = "Amt") -> tuple[Decimal, str]:
        found = element.find(path)
        if found is None:
            raise self.fail(element, f"<{path}> is missing")
        try:
            value = Decimal((found.text or "").strip())
        except InvalidOperation:
            raise self.fail(found, f"amount {found.text!r} is not a number") from None
        # NaN and Infinity carry 'n', 'N' or 'F' as exponent, every finite number an int
        exponent = value.as_tuple().exponent
        if not isinstance(exponent, int) or value < 0 or value >= MAX_AMOUNT:
            raise self.fail(found, f"amount {found.text!r} must be a positive number below "
                                   f"{MAX_AMOUNT}")
        if exponent < -2:
            raise self.fail(found, f"amount {found.text!r} has more than two decimals")
        currency = found.get("Ccy", "").strip()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise self.fail(found, f"currency {currency!r} is not an ISO 4217 code")
        return value.quantize(Decimal("0.01")) if exponent > -2 else value, currency

    def direction(self, element: etree._Element) -> Direction:
        value = self.text(element, "CdtDbtInd")
        found = _DIRECTIONS.get(value)
        if found is None:
            raise self.fail(element, f"CdtDbtInd {value!r} must be CRDT or DBIT")
        return found

    @overload
    def day(self, element: etree._Element, path: str, required: Literal[True]) -> date: ...
    @overload
    def day(self, element: etree._Element, path: str, required: bool) -> date | None: ...

    def day(self, element: etree._Element, path: str, required: bool) -> date | None:
        found = element.find(path)
        if found is None:
            if required:
                raise self.fail(element, f"<{path}> is missing")
            return None
        raw = self.text(found, "Dt") or self.text(found, "DtTm")[:10]
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise self.fail(found, f"date {raw!r} is not YYYY-MM-DD") from None


def parse_camt(content: bytes, source: str) -> list[BankStatement]:
    """Statements (camt.053) or notifications (camt.054) in ``content``; raises
    :class:`StatementError` naming the line and element of the first problem."""
    root = read_xml(content, source)
    match = NAMESPACE.search(root.nsmap.get(None, "") or "") if root.nsmap else None
    _strip(root)
    reader = _Reader(source)
    if root.tag != "Document" or len(root) != 1:
        raise reader.fail(root, "not an ISO 20022 camt.053/camt.054 document")
    message = root[0]
    kind = {"BkToCstmrStmt": ("Stmt", "camt.053"),
            "BkToCstmrDbtCdtNtfctn": ("Ntfctn", "camt.054"),
            "BkToCstmrAcctRpt": ("Rpt", "camt.052")}.get(message.tag)
    if kind is None or kind[1] == "camt.052":
        raise reader.fail(message, "expected BkToCstmrStmt (camt.053) or "
                                   "BkToCstmrDbtCdtNtfctn (camt.054)")
    version = f"{kind[1]}.001.{match.group(2)}" if match else kind[1]
    statements = [_statement(reader, s, version) for s in message.findall(kind[0])]
    if not statements:
        raise reader.fail(message, f"no <{kind[0]}> in the file")
    return statements


def _account(reader: _Reader, stmt: etree._Element) -> tuple[str, str]:
    acct = stmt.find("Acct")
    if acct is None:
        raise reader.fail(stmt, "<Acct> is missing")
    number = reader.text(acct, "Id/IBAN") or reader.text(acct, "Id/Othr/Id")
    if not number:
        raise reader.fail(acct, "account has neither IBAN nor Othr/Id")
    return number, reader.text(acct, "Ccy")


def _balances(reader: _Reader, stmt: etree._Element) -> dict[str, Decimal]:
    found: dict[str, Decimal] = {}
    for bal in stmt.findall("Bal"):
        code = reader.text(bal, "Tp/CdOrPrtry/Cd") or reader.text(bal, "Tp/CdOrPrtry/Prtry")
        value, _ = reader.amount(bal)
        found.setdefault(code, value if reader.direction(bal) == "CRDT" else -value)
    return found


def _statement(reader: _Reader, stmt: etree._Element, version: str) -> BankStatement:
    account, currency = _account(reader, stmt)
    balances = _balances(reader, stmt)
    opening = next((balances[c] for c in OPENING_CODES if c in balances), None)
    closing = next((balances[c] for c in CLOSING_CODES if c in balances), None)
    entries: list[BankEntry] = []
    for ntry in stmt.findall("Ntry"):
        entries += _entries(reader, ntry, currency)
    ident = reader.text(stmt, "Id") or reader.text(stmt, "ElctrncSeqNb")
    if not ident:
        raise reader.fail(stmt, "statement <Id> is missing")
    period = stmt.find("FrToDt")
    from_day = to_day = None
    if period is not None:
        from_day = _day_of(reader, period, "FrDtTm")
        to_day = _day_of(reader, period, "ToDtTm")
    return BankStatement(account=account, currency=currency or (entries[0].currency
                         if entries else ""), statement_id=ident, opening=opening,
                         closing=closing, entries=tuple(entries), source=version,
                         from_date=from_day, to_date=to_day)


def _day_of(reader: _Reader, element: etree._Element, path: str) -> date | None:
    raw = reader.text(element, path)[:10]
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise reader.fail(element.find(path), f"date {raw!r} is not YYYY-MM-DD") from None


def _status(reader: _Reader, ntry: etree._Element) -> str:
    # 001.02-001.05: <Sts>BOOK</Sts>; 001.06 on: <Sts><Cd>BOOK</Cd></Sts>
    return reader.text(ntry, "Sts/Cd") or reader.text(ntry, "Sts/Prtry") or \
        reader.text(ntry, "Sts")


def _entries(reader: _Reader, ntry: etree._Element, account_ccy: str) -> list[BankEntry]:
    amount, currency = reader.amount(ntry)
    direction = reader.direction(ntry)
    status = _status(reader, ntry)
    if status and status != BOOKED:
        return []  # pending or information-only: not on the account yet
    booked = reader.day(ntry, "BookgDt", required=True)
    value_day = reader.day(ntry, "ValDt", required=False)
    reversal = reader.text(ntry, "RvslInd").lower() in ("true", "1")
    entry_ref = reader.text(ntry, "AcctSvcrRef") or reader.text(ntry, "NtryRef")
    info = reader.text(ntry, "AddtlNtryInf")
    details = ntry.findall("NtryDtls/TxDtls")
    if not details:
        return [BankEntry(amount=amount, currency=currency, direction=direction,
                          booking_date=booked, value_date=value_day, narrative=info,
                          bank_ref=entry_ref, reversal=reversal,
                          where=f"line {ntry.sourceline}")]
    result = []
    for index, tx in enumerate(details):
        result.append(_detail(reader, tx, ntry=ntry, amount=amount if len(details) == 1 else None,
                              currency=currency, direction=direction, booked=booked,
                              value_day=value_day, reversal=reversal, entry_ref=entry_ref,
                              index=index, info=info))
    total = sum((e.amount for e in result), Decimal("0"))
    if total != amount:
        raise reader.fail(ntry, f"transaction details add up to {total}, the entry says "
                                f"{amount}")
    return result


def _detail(reader: _Reader, tx: etree._Element, *, ntry: etree._Element,
            amount: Decimal | None, currency: str, direction: Direction, booked: date,
            value_day: date | None, reversal: bool, entry_ref: str, index: int,
            info: str) -> BankEntry:
    if tx.find("Amt") is not None:  # 001.03 on
        amount, currency = reader.amount(tx)
    elif tx.find("AmtDtls/TxAmt/Amt") is not None:
        amount, currency = reader.amount(tx, "AmtDtls/TxAmt/Amt")
    elif amount is None:
        raise reader.fail(tx, "a transaction detail of a batch has no amount")
    if tx.find("CdtDbtInd") is not None:
        direction = reader.direction(tx)
    party = "Dbtr" if direction == "CRDT" else "Cdtr"
    name = (reader.text(tx, f"RltdPties/{party}/Nm") or
            reader.text(tx, f"RltdPties/{party}/Pty/Nm"))
    account = (reader.text(tx, f"RltdPties/{party}Acct/Id/IBAN") or
               reader.text(tx, f"RltdPties/{party}Acct/Id/Othr/Id"))
    refs = tx.find("Refs")
    tx_ref = ""
    end_to_end = ""
    if refs is not None:
        tx_ref = reader.text(refs, "AcctSvcrRef") or reader.text(refs, "TxId")
        end_to_end = reader.text(refs, "EndToEndId")
        if end_to_end == "NOTPROVIDED":
            end_to_end = ""
    structured = [reader.text(s, "CdtrRefInf/Ref") for s in tx.findall("RmtInf/Strd")]
    reference = next((r for r in structured if r), "") or end_to_end
    unstructured = " ".join(u.text.strip() for u in tx.findall("RmtInf/Ustrd") if u.text)
    narrative = " ".join(p for p in (unstructured, reader.text(tx, "AddtlTxInf"), info) if p)
    return_reason = reader.text(tx, "RtrInf/Rsn/Cd") or reader.text(tx, "RtrInf/Rsn/Prtry")
    original = reader.text(tx, "RtrInf/OrgnlBkTxRef") or ""
    bank_ref = tx_ref or (f"{entry_ref}/{index + 1}" if entry_ref else "")
    return BankEntry(amount=amount, currency=currency, direction=direction,
                     booking_date=booked, value_date=value_day,
                     reference=reference, narrative=narrative, payer_name=name,
                     payer_account=account, bank_ref=bank_ref, reversal=reversal,
                     return_reason=return_reason, original_ref=original,
                     remittance=_remittance(reader, tx), where=f"line {tx.sourceline}")


def _remittance(reader: _Reader, tx: etree._Element) -> tuple[RemittanceLine, ...]:
    """Structured remittance (camt.054 and some camt.053): one line per referred document."""
    lines = []
    for strd in tx.findall("RmtInf/Strd"):
        number = reader.text(strd, "RfrdDocInf/Nb")
        if not number:
            continue
        amounts = strd.find("RfrdDocAmt")
        paid = deduction = Decimal("0.00")
        reason = ""
        if amounts is not None:
            if amounts.find("RmtdAmt") is not None:
                paid, _ = reader.amount(amounts, "RmtdAmt")
            elif amounts.find("DuePyblAmt") is not None:
                paid, _ = reader.amount(amounts, "DuePyblAmt")
            if amounts.find("DscntApldAmt/Amt") is not None:
                deduction, _ = reader.amount(amounts, "DscntApldAmt/Amt")
                reason = "discount"
            elif amounts.find("DscntApldAmt") is not None:
                deduction, _ = reader.amount(amounts, "DscntApldAmt")
                reason = "discount"
            if amounts.find("AdjstmntAmtAndRsn") is not None:
                adj, _ = reader.amount(amounts, "AdjstmntAmtAndRsn/Amt")
                deduction += adj
                reason = reader.text(amounts, "AdjstmntAmtAndRsn/Rsn") or reason or "adjustment"
        lines.append(RemittanceLine(invoice_ref=number, paid=paid, deduction=deduction,
                                    reason=reason))
    return tuple(lines)
