"""Postings to SAP: what arbridge asks for (records) and the pure mapping to and from the
BAPIs and the shipped ABAP wrappers (see ``sap/abap/``).

Two ways, as SAP shops work:

* ``assignment`` (way a): the incoming payment is posted to the customer with
  BAPI_ACC_DOCUMENT_POST, one customer line per invoice carrying the invoice number in the
  assignment (ALLOC_NMBR), so the automatic clearing run F.13 clears it; committed with
  BAPI_TRANSACTION_COMMIT on the same connection.
* ``clearing`` (way b): one call to ``Z_ARB_POST_CLEARING``, a remote-enabled wrapper around
  POSTING_INTERFACE_CLEARING (FB05), which clears the invoices, creates residual items for short
  payments and posts any excess on account, and commits.

The idempotency key (``ARB`` + kind + installation id + 8 base-36 characters, 16 in all) goes into
the document's reference (BKPF-XBLNR) and
header text before the call, so that after a timeout or a drop the document is looked up by it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from sap.errors import SapBusinessError

Way = Literal["clearing", "assignment"]
FAILURE = frozenset({"E", "A"})


@dataclass(frozen=True, slots=True)
class ClearItem:
    """One open item the payment settles; ``residual`` stays open as a new item."""

    document: str
    fiscal_year: int
    line: int
    invoice: str
    applied: Decimal
    residual: Decimal = Decimal("0.00")
    reason: str = ""
    #: the invoice's assignment (BSEG-ZUONR) exactly as SAP holds it, leading zeros and all:
    #: way (a) writes it on the payment line so that F.13 groups the two (OB74: ZUONR)
    assignment: str = ""

    @property
    def clearing_assignment(self) -> str:
        """What F.13 must find equal on the invoice: its own assignment, else the billing
        document as SAP stores it (ten digits, leading zeros: ALPHA conversion)."""
        if self.assignment:
            return self.assignment[:18]
        return self.invoice.zfill(10) if self.invoice.isdigit() else self.invoice[:18]


@dataclass(frozen=True, slots=True)
class PaymentPosting:
    key: str
    company_code: str
    customer: str
    currency: str
    amount: Decimal
    document_date: date
    posting_date: date
    items: tuple[ClearItem, ...]
    on_account: Decimal
    bank_gl: str
    doc_type: str = "DZ"
    way: Way = "clearing"
    text: str = ""


@dataclass(frozen=True, slots=True)
class Posted:
    """A document in SAP: number, year, and the BAPIRET2 messages that came with it."""

    document: str
    fiscal_year: int
    messages: tuple[dict[str, str], ...] = field(default=())
    reversed_by: str | None = None
    # what a document found by key holds, to check it is the posting asked for
    company_code: str = ""
    customers: tuple[str, ...] = ()
    amount: Decimal | None = None
    currency: str = ""

    def as_messages(self) -> list[dict[str, str]]:
        return list(self.messages)

    def mismatch(self, *, company_code: str, customer: str, amount: Decimal,
                 currency: str) -> str | None:
        """Why this found document is not the posting asked for (None if it is): company
        code, customer, amount and currency must all be equal."""
        wrong = []
        if self.company_code != company_code:
            wrong.append(f"company code {self.company_code or '?'} (not {company_code})")
        if self.customers != (customer,):
            wrong.append(f"customer {', '.join(self.customers) or '?'} (not {customer})")
        if self.amount is None or self.amount != Decimal(amount):
            wrong.append(f"amount {self.amount} (not {Decimal(amount)})")
        if self.currency != currency:
            wrong.append(f"currency {self.currency or '?'} (not {currency})")
        return "; ".join(wrong) or None


class PostingRefused(SapBusinessError):
    """SAP refused the posting (BAPIRET2 type E/A); the messages go to a person."""

    def __init__(self, message: str, messages: list[dict[str, str]]) -> None:
        super().__init__(message)
        self.messages = messages


def messages_of(result: dict[str, Any], table: str = "RETURN") -> list[dict[str, str]]:
    raw = result.get(table) or []
    if isinstance(raw, dict):
        raw = [raw]
    return [{k: str(m.get(k, "")).strip() for k in ("TYPE", "ID", "NUMBER", "MESSAGE")}
            for m in raw if m.get("TYPE") or m.get("MESSAGE")]


def check(messages: list[dict[str, str]], what: str) -> None:
    errors = [m for m in messages if m["TYPE"] in FAILURE]
    if errors:
        text = "; ".join(f"{m['MESSAGE']} [{m['ID']}{m['NUMBER']}]" for m in errors)
        raise PostingRefused(f"SAP refused {what}: {text}", messages)


def document_post_params(p: PaymentPosting, user: str = "ARBRIDGE") -> dict[str, Any]:
    """BAPI_ACC_DOCUMENT_POST parameters for a payment on account with each invoice's own
    assignment (way a), so F.13 on the criterion assignment (OB74) clears it. The reference
    (REF_DOC_NO, BKPF-XBLNR) is the idempotency key, never an invoice's: the reference must not
    be an F.13 criterion. Amounts in document currency; customer lines are credits (negative):
    the BAPI derives posting key 11 (credit memo) for them, 40 for the bank line."""
    header = {"BUS_ACT": "RFBU", "USERNAME": user, "HEADER_TXT": f"arbridge {p.key}"[:25],
              "COMP_CODE": p.company_code, "DOC_DATE": p.document_date,
              "PSTNG_DATE": p.posting_date, "DOC_TYPE": p.doc_type, "REF_DOC_NO": p.key}
    gl = [{"ITEMNO_ACC": "0000000001", "GL_ACCOUNT": p.bank_gl, "ALLOC_NMBR": p.key,
           "ITEM_TEXT": (p.text or f"Receipt {p.key}")[:50]}]
    receivable, amounts = [], [{"ITEMNO_ACC": "0000000001", "CURRENCY": p.currency,
                                "AMT_DOCCUR": p.amount}]
    number = 1
    for item in p.items:
        number += 1
        receivable.append({"ITEMNO_ACC": f"{number:010d}", "CUSTOMER": p.customer,
                           "ALLOC_NMBR": item.clearing_assignment,
                           "ITEM_TEXT": f"Payment invoice {item.invoice}"[:50]})
        amounts.append({"ITEMNO_ACC": f"{number:010d}", "CURRENCY": p.currency,
                        "AMT_DOCCUR": -item.applied})
    if p.on_account > 0:
        number += 1
        receivable.append({"ITEMNO_ACC": f"{number:010d}", "CUSTOMER": p.customer,
                           "ALLOC_NMBR": p.key, "ITEM_TEXT": "Payment on account"})
        amounts.append({"ITEMNO_ACC": f"{number:010d}", "CURRENCY": p.currency,
                        "AMT_DOCCUR": -p.on_account})
    return {"DOCUMENTHEADER": header, "ACCOUNTGL": gl, "ACCOUNTRECEIVABLE": receivable,
            "CURRENCYAMOUNT": amounts}


def clearing_params(p: PaymentPosting) -> dict[str, Any]:
    """Z_ARB_POST_CLEARING parameters (way b)."""
    return {"I_BUKRS": p.company_code, "I_KUNNR": p.customer, "I_WAERS": p.currency,
            "I_BLDAT": p.document_date, "I_BUDAT": p.posting_date, "I_BLART": p.doc_type,
            "I_XBLNR": p.key, "I_BKTXT": f"arbridge {p.key}"[:25], "I_HKONT": p.bank_gl,
            "I_WRBTR": p.amount, "I_ON_ACCOUNT": p.on_account,
            "IT_CLEAR": [{"BELNR": i.document, "GJAHR": f"{i.fiscal_year:04d}",
                          "BUZEI": f"{i.line:03d}", "WRBTR": i.applied,
                          "RESIDUAL": i.residual, "SGTXT": (i.reason or "")[:50],
                          "WAERS": p.currency}
                         for i in p.items]}


@dataclass(frozen=True, slots=True)
class DocumentHeader:
    """What a reversal needs to know of an FI document (BKPF)."""

    company_code: str
    document: str
    fiscal_year: int
    posting_date: date
    reference_type: str  # AWTYP: BKPFF through the accounting interface, BKPF FI's own (FB05)
    reference_key: str  # AWKEY
    logical_system: str  # AWSYS
    reversed_by: str | None = None

    @property
    def by_interface(self) -> bool:
        """Reversed with BAPI_ACC_DOCUMENT_REV_POST (else with FB08, the shipped wrapper)."""
        return self.reference_type == "BKPFF"


@dataclass(frozen=True, slots=True)
class ReversalTerms:
    """Reason and posting date of a reversal, as SAP's rules require: a reason without an
    alternative posting date (T041C-XABWD empty, 01 as delivered) only with the original's
    posting date; another date needs a reason that allows it (02 as delivered)."""

    reason: str
    posting_date: date


def reversal_terms(original: DocumentHeader, today: date, *, date_rule: str,
                   same_date_reason: str, other_date_reason: str) -> ReversalTerms:
    """``date_rule``: ``original`` (always the original's date, e.g. its period still open),
    ``today`` (always SAP's today), or ``period`` (the original's date while its month is
    today's month, else today: the usual rule when earlier periods are closed)."""
    if date_rule == "original":
        day = original.posting_date
    elif date_rule == "today":
        day = today
    else:
        same_period = (original.posting_date.year, original.posting_date.month) == \
            (today.year, today.month)
        day = original.posting_date if same_period else today
    reason = same_date_reason if day == original.posting_date else other_date_reason
    return ReversalTerms(reason=reason, posting_date=day)


def rev_post_params(header: DocumentHeader, terms: ReversalTerms, key: str) -> dict[str, Any]:
    """BAPI_ACC_DOCUMENT_REV_POST names the original by its reference (AWTYP, AWKEY, AWSYS)."""
    return {"REVERSAL": {"OBJ_TYPE": header.reference_type, "OBJ_SYS": header.logical_system,
                         "OBJ_KEY_R": header.reference_key, "OBJ_KEY": key,
                         "PSTNG_DATE": terms.posting_date, "COMP_CODE": header.company_code,
                         "REASON_REV": terms.reason},
            "BUS_ACT": "RFBU"}


def fb08_params(header: DocumentHeader, terms: ReversalTerms, key: str) -> dict[str, Any]:
    """Z_ARB_REVERSE_DOCUMENT (FB08) names the original by company code, number and year."""
    return {"I_BUKRS": header.company_code, "I_BELNR": header.document,
            "I_GJAHR": f"{header.fiscal_year:04d}", "I_STGRD": terms.reason,
            "I_BUDAT": terms.posting_date, "I_XBLNR": key}


def split_obj_key(obj_key: str) -> tuple[str, str, int]:
    """OBJ_KEY of an FI document: BELNR (10) + BUKRS (4) + GJAHR (4)."""
    return obj_key[:10], obj_key[10:14], int(obj_key[14:18])
