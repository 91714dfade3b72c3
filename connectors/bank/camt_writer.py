"""Write a camt.053.001.08 statement: for the demo and for tests, so that what the bank would
send is produced by the same rules the parser reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


@dataclass(frozen=True, slots=True)
class Movement:
    amount: Decimal
    bank_ref: str
    booking_date: date
    direction: str = "CRDT"
    reference: str = ""
    narrative: str = ""
    payer: str = ""
    payer_account: str = ""
    reversal: bool = False
    return_reason: str = ""
    original_ref: str = ""


def _bal(code: str, amount: Decimal, currency: str, day: date) -> str:
    sign = "CRDT" if amount >= 0 else "DBIT"
    return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"{currency}\">"
            f"{abs(amount):.2f}</Amt><CdtDbtInd>{sign}</CdtDbtInd><Dt><Dt>{day.isoformat()}"
            f"</Dt></Dt></Bal>")


def _entry(m: Movement, currency: str) -> str:
    party = "Dbtr" if m.direction == "CRDT" else "Cdtr"
    parties = ""
    if m.payer or m.payer_account:
        parties = "<RltdPties>"
        if m.payer:
            parties += f"<{party}><Pty><Nm>{escape(m.payer)}</Nm></Pty></{party}>"
        if m.payer_account:
            parties += (f"<{party}Acct><Id><Othr><Id>{escape(m.payer_account)}</Id></Othr></Id>"
                        f"</{party}Acct>")
        parties += "</RltdPties>"
    refs = f"<Refs><AcctSvcrRef>{escape(m.bank_ref)}</AcctSvcrRef>"
    refs += f"<EndToEndId>{escape(m.reference) or 'NOTPROVIDED'}</EndToEndId></Refs>"
    remittance = f"<RmtInf><Ustrd>{escape(m.narrative)}</Ustrd></RmtInf>" if m.narrative else ""
    returned = ""
    if m.return_reason:
        returned = (f"<RtrInf><OrgnlBkTxRef>{escape(m.original_ref)}</OrgnlBkTxRef><Rsn><Cd>"
                    f"{escape(m.return_reason)}</Cd></Rsn></RtrInf>")
    reversal = "<RvslInd>true</RvslInd>" if m.reversal else ""
    return (f"<Ntry><Amt Ccy=\"{currency}\">{m.amount:.2f}</Amt><CdtDbtInd>{m.direction}"
            f"</CdtDbtInd>{reversal}<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>"
            f"{m.booking_date.isoformat()}</Dt></BookgDt><ValDt><Dt>{m.booking_date.isoformat()}"
            f"</Dt></ValDt><AcctSvcrRef>{escape(m.bank_ref)}</AcctSvcrRef><NtryDtls><TxDtls>"
            f"{refs}<Amt Ccy=\"{currency}\">{m.amount:.2f}</Amt><CdtDbtInd>{m.direction}"
            f"</CdtDbtInd>{parties}{remittance}{returned}</TxDtls></NtryDtls></Ntry>")


def write_camt053(*, statement_id: str, account: str, currency: str, opening: Decimal,
                  movements: list[Movement], day: date) -> bytes:
    closing = opening + sum((m.amount if m.direction == "CRDT" else -m.amount
                             for m in movements), Decimal("0.00"))
    body = "".join(_entry(m, currency) for m in movements)
    xml = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"{NS}\">"
           f"<BkToCstmrStmt><GrpHdr><MsgId>{escape(statement_id)}</MsgId><CreDtTm>"
           f"{day.isoformat()}T06:00:00</CreDtTm></GrpHdr><Stmt><Id>{escape(statement_id)}</Id>"
           f"<Acct><Id><Othr><Id>{escape(account)}</Id></Othr></Id><Ccy>{currency}</Ccy></Acct>"
           f"{_bal('OPBD', opening, currency, day)}{_bal('CLBD', closing, currency, day)}"
           f"{body}</Stmt></BkToCstmrStmt></Document>\n")
    return xml.encode()
