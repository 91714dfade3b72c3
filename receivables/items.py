"""A customer (AR) item, open or cleared: what SAP returns for BSID and BSAD, what the mirror
holds, and what the age analysis, the statements and the matcher read.

One definition below both ``sap`` and ``sync`` rather than a copy in each: the SAP adapters
build these records, the store's readers build the same records from the mirror's rows, and
the rule of when an item was open is written once, here.

Records are treated as immutable but not declared ``frozen``: a frozen dataclass costs three
times as much to build, and a full pull builds hundreds of thousands of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(slots=True)
class OpenItem:
    """An AR open item (BSID via BAPI_AR_ACC_GETOPENITEMS; S/4 operational acctg doc item).

    ``amount`` is signed: debits (invoices) positive, credits (payments, credit notes) negative.
    """

    company_code: str
    customer: str
    document: str
    fiscal_year: int
    line: int
    amount: Decimal
    currency: str
    posting_date: date
    document_date: date
    due_date: date
    reference: str | None
    assignment: str | None
    doc_type: str
    billing_document: str | None

    @property
    def key(self) -> str:
        """The item as arbridge names it (an allocation's item): company code, document,
        fiscal year and line, joined by slashes."""
        return f"{self.company_code}/{self.document}/{self.fiscal_year}/{self.line}"

    def open_at(self, as_of: date) -> bool:
        """Open at the end of ``as_of``: posted on or before it (an item open today was not
        cleared before)."""
        return self.posting_date <= as_of


@dataclass(slots=True)
class ClearedItem(OpenItem):
    """A customer item cleared in SAP (BSAD via BAPI_AR_ACC_GETBALANCEDITEMS; S/4 the same
    operational accounting item with a clearing document): kept so that the ledger can be
    rebuilt as it stood at any past date."""

    clearing_date: date | None = None
    clearing_document: str | None = None

    def open_at(self, as_of: date) -> bool:
        """Open at the end of ``as_of``: posted on or before it and not yet cleared on it."""
        return self.posting_date <= as_of and (self.clearing_date is None
                                              or self.clearing_date > as_of)
