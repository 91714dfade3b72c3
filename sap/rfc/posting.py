"""Postings over RFC (mixed into ``RfcSapClient``): payments (both ways), look-up by
idempotency key, reset of clearing, reversal the way the document was posted (REV_POST for
interface documents, the FB08 wrapper for FB05's).

Posting calls are never retried here: a timeout or a dropped connection may hide a document
that SAP did post, so the caller looks it up by its key (:meth:`find_posting`) first. Reads for
the look-up go through the retried ``call``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sap import bapi, call_timing
from sap.errors import SapTimeout, SapUnavailable
from sap.posting import (
    DocumentHeader,
    PaymentPosting,
    Posted,
    ReversalTerms,
    check,
    clearing_params,
    document_post_params,
    fb08_params,
    messages_of,
    rev_post_params,
    split_obj_key,
)
from sap.rfc.table import quote

if TYPE_CHECKING:
    from sap.rfc.client import RfcConnection

log = logging.getLogger(__name__)
CLEARING_FUNCTION = "Z_ARB_POST_CLEARING"
RESET_FUNCTION = "Z_ARB_RESET_CLEARING"
REVERSE_FUNCTION = "Z_ARB_REVERSE_DOCUMENT"


class RfcPosting:
    """Needs ``_connection()``, ``_reopen()``, ``_timeout``, ``_where``, ``call`` and
    ``read_table`` from the adapter it is mixed into."""

    # what the adapter provides (``sap.rfc.client.RfcSapClient``), declared for the checker
    _timeout: float
    _where: str

    if TYPE_CHECKING:
        def _connection(self) -> RfcConnection: ...
        def _reopen(self) -> None: ...
        def read_table(self, table: str, fields: Sequence[str], where: str = "",
                       rowcount: int = 0) -> list[dict[str, str]]: ...

    def call_once(self, function: str, **params: Any) -> dict:
        """One remote call, never retried; on a broken or timed-out call the connection is
        reopened (which ends SAP's session and any uncommitted work) and the error raised."""
        conn = self._connection()
        try:
            with call_timing.timed("rfc", function):
                return conn.call(function, options={"timeout": self._timeout}, **params)
        except Exception as exc:
            error = bapi.classify_rfc_error(exc, function, self._where)
            if isinstance(error, (SapUnavailable, SapTimeout)):
                self._reopen()
            raise error from exc

    def post_payment(self, posting: PaymentPosting) -> Posted:
        if posting.way == "clearing":
            result = self.call_once(CLEARING_FUNCTION, **clearing_params(posting))
            messages = messages_of(result, "ET_RETURN")
            check(messages, f"the clearing for {posting.key}")
            return Posted(document=result["E_BELNR"], fiscal_year=int(result["E_GJAHR"]),
                          messages=tuple(messages))
        result = self.call_once("BAPI_ACC_DOCUMENT_POST", **document_post_params(posting))
        messages = messages_of(result)
        if any(m["TYPE"] in ("E", "A") for m in messages):
            self.call_once("BAPI_TRANSACTION_ROLLBACK")
        check(messages, f"the payment {posting.key}")
        commit = self.call_once("BAPI_TRANSACTION_COMMIT", WAIT="X")
        messages += messages_of(commit)
        check(messages, f"the commit of {posting.key}")
        belnr, _, gjahr = split_obj_key(result["OBJ_KEY"])
        return Posted(document=belnr, fiscal_year=gjahr, messages=tuple(messages))

    def find_posting(self, company_code: str, key: str) -> Posted | None:
        """The document carrying ``key`` in its reference, if SAP has one, with what it
        holds (customers, amount paid into the bank account, currency) to be checked."""
        rows = self.read_table("BKPF", ["BELNR", "GJAHR", "STBLG", "WAERS"],
                               f"BUKRS = {quote(company_code)} AND XBLNR = {quote(key)}")
        if not rows:
            return None
        row = next((r for r in rows if not r["STBLG"]), rows[0])  # the live one, if any
        lines = self.read_table("BSEG", ["KOART", "SHKZG", "WRBTR", "KUNNR"],
                                f"BUKRS = {quote(company_code)} AND BELNR = "
                                f"{quote(row['BELNR'])} AND GJAHR = {quote(row['GJAHR'])}")
        paid = sum((Decimal(str(line["WRBTR"]).strip() or "0") for line in lines
                    if line["KOART"] == "S" and line["SHKZG"] == "S"), Decimal("0"))
        return Posted(document=row["BELNR"], fiscal_year=int(row["GJAHR"]),
                      messages=({"TYPE": "I", "ID": "ARB", "NUMBER": "001",
                                 "MESSAGE": f"found by reference {key}"},),
                      reversed_by=row["STBLG"] or None, company_code=company_code,
                      customers=tuple(sorted({line["KUNNR"] for line in lines
                                              if line["KOART"] == "D"})),
                      amount=paid, currency=row["WAERS"])

    def reversal_of(self, company_code: str, document: str, fiscal_year: int) -> str | None:
        rows = self.read_table("BKPF", ["STBLG"],
                               f"BUKRS = {quote(company_code)} AND BELNR = {quote(document)} "
                               f"AND GJAHR = {quote(f'{fiscal_year:04d}')}")
        return (rows[0]["STBLG"] or None) if rows else None

    def clearing_documents(self, company_code: str, document: str, fiscal_year: int,
                           customer: str) -> list[tuple[str, int]]:
        """The clearing documents that cleared the customer's items of the document (itself
        for FB05), by full key: numbers repeat across years and document types never do."""
        rows = self.read_table("BSAD", ["AUGBL", "AUGDT"],
                               f"BUKRS = {quote(company_code)} AND BELNR = {quote(document)} "
                               f"AND GJAHR = {quote(f'{fiscal_year:04d}')} "
                               f"AND KUNNR = {quote(customer)}")
        found = set()
        for augbl, augdt in sorted({(r["AUGBL"], r["AUGDT"]) for r in rows if r["AUGBL"]}):
            # the clearing date is the clearing document's posting date: its header gives the
            # fiscal year, whatever the fiscal year variant
            header = self.read_table("BKPF", ["GJAHR"],
                                     f"BUKRS = {quote(company_code)} AND BELNR = "
                                     f"{quote(augbl)} AND BUDAT = {quote(augdt)}")
            found.add((augbl, int(header[0]["GJAHR"]) if header else int(augdt[:4])))
        return sorted(found)

    def reset_clearing(self, company_code: str, document: str,
                       fiscal_year: int) -> list[dict[str, str]]:
        result = self.call_once(RESET_FUNCTION, I_BUKRS=company_code, I_AUGBL=document,
                                I_GJAHR=f"{fiscal_year:04d}")
        messages = messages_of(result, "ET_RETURN")
        check(messages, f"the reset of clearing {document} {fiscal_year}")
        return messages

    def document_header(self, company_code: str, document: str,
                        fiscal_year: int) -> DocumentHeader | None:
        rows = self.read_table("BKPF", ["BUDAT", "AWTYP", "AWKEY", "AWSYS", "STBLG"],
                               f"BUKRS = {quote(company_code)} AND BELNR = {quote(document)} "
                               f"AND GJAHR = {quote(f'{fiscal_year:04d}')}")
        if not rows:
            return None
        row = rows[0]
        budat = row["BUDAT"]
        return DocumentHeader(company_code=company_code, document=document,
                              fiscal_year=fiscal_year,
                              posting_date=date(int(budat[:4]), int(budat[4:6]), int(budat[6:8])),
                              reference_type=row["AWTYP"], reference_key=row["AWKEY"],
                              logical_system=row["AWSYS"], reversed_by=row["STBLG"] or None)

    def reverse_document(self, header: DocumentHeader, terms: ReversalTerms, *,
                         key: str) -> Posted:
        what = f"the reversal of {header.document} {header.fiscal_year}"
        if not header.by_interface:  # FI's own document (FB05): FB08, which commits itself
            result = self.call_once(REVERSE_FUNCTION, **fb08_params(header, terms, key))
            messages = messages_of(result, "ET_RETURN")
            check(messages, what)
            return Posted(document=result["E_BELNR"], fiscal_year=int(result["E_GJAHR"]),
                          messages=tuple(messages))
        result = self.call_once("BAPI_ACC_DOCUMENT_REV_POST",
                                **rev_post_params(header, terms, key))
        messages = messages_of(result)
        if any(m["TYPE"] in ("E", "A") for m in messages):
            self.call_once("BAPI_TRANSACTION_ROLLBACK")
        check(messages, what)
        commit = self.call_once("BAPI_TRANSACTION_COMMIT", WAIT="X")
        messages += messages_of(commit)
        check(messages, f"the commit of {what}")
        belnr, _, gjahr = split_obj_key(result["OBJ_KEY"])
        return Posted(document=belnr, fiscal_year=gjahr, messages=tuple(messages))
