"""The SAP port: what arbridge asks of any SAP system, whichever adapter answers.

Pull methods stream :class:`Page` objects so that memory stays flat whatever the volume. Each
page carries the cursor value that is safe to store once the page is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Generic, Protocol, TypeVar

from sap.posting import DocumentHeader, PaymentPosting, Posted, ReversalTerms
from sap.records import BillingDocument, ClearedItem, Customer, OpenItem

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of records, in key order.

    Attributes:
        records: the parsed records.
        last_key: the highest key this page covers; a resumed pull continues after it.
        high_water: the latest change stamp seen on this page (adapter format, sortable as text).
        scope: for snapshots (open items), the keys the page is complete for, even those that
            returned no record: stored rows of these keys that are not in ``records`` are gone.
    """

    records: list[T]
    last_key: str
    high_water: str | None = None
    scope: tuple[str, ...] = field(default=(), compare=False)


class SapClient(Protocol):
    """One seam to SAP. Adapters: ``sap.rfc.client.RfcSapClient``,
    ``sap.odata.client.ODataSapClient``."""

    name: str

    def ping(self) -> None:
        """Reach SAP and log on; raise ``SapConfigError``/``SapUnavailable`` if not."""

    def customers(
        self, company_code: str, *, since: str | None, after_key: str | None
    ) -> Iterator[Page[Customer]]:
        """Customers of ``company_code`` created or changed since ``since`` (all if None),
        in customer-number order, starting after ``after_key``."""

    def billing_documents(
        self, company_code: str, *, since: str | None, after_key: str | None
    ) -> Iterator[Page[BillingDocument]]:
        """Billing documents created or changed since ``since`` (all if None), in number
        order, starting after ``after_key``."""

    def open_items(
        self, company_code: str, *, customers: list[str], key_date: date, after_key: str | None
    ) -> Iterator[Page[OpenItem]]:
        """Open items at ``key_date`` of the given customers (sorted), after ``after_key``;
        each page is complete for the customers in its ``scope``."""

    def cleared_items(
        self, company_code: str, *, customers: list[str], cleared_from: date | None,
        cleared_to: date, after_key: str | None
    ) -> Iterator[Page[ClearedItem]]:
        """Items of the given customers (sorted) cleared between ``cleared_from`` (``None``:
        since ever) and ``cleared_to``, after ``after_key``; each page is complete for the
        customers in its ``scope`` and that window."""

    def today(self) -> date:
        """SAP's current date (the simulator's clock, or the client's date)."""

    # -- postings (cash application); see sap/posting.py ---------------------------------------
    def post_payment(self, posting: PaymentPosting) -> Posted:
        """Post (and commit) an incoming payment; never retried inside: on ``SapTimeout`` or
        ``SapUnavailable`` the caller looks the document up with :meth:`find_posting`."""

    def find_posting(self, company_code: str, key: str) -> Posted | None:
        """The document whose reference is the idempotency ``key``, if any."""

    def clearing_documents(self, company_code: str, document: str, fiscal_year: int,
                           customer: str) -> list[tuple[str, int]]:
        """The clearing documents (AUGBL and its fiscal year) that cleared the customer's items
        of the document (company code, number, fiscal year)."""

    def reset_clearing(self, company_code: str, document: str,
                       fiscal_year: int) -> list[dict[str, str]]:
        """Reset the clearing made by the clearing document (FBRA); BAPIRET2 messages."""

    def document_header(self, company_code: str, document: str,
                        fiscal_year: int) -> DocumentHeader | None:
        """The document's header (BKPF), if SAP has it."""

    def reverse_document(self, header: DocumentHeader, terms: ReversalTerms, *,
                         key: str) -> Posted:
        """Reverse the document the way it was posted: BAPI_ACC_DOCUMENT_REV_POST for
        interface documents, the FB08 wrapper for FI's own; committed and checked."""

    def reversal_of(self, company_code: str, document: str, fiscal_year: int) -> str | None:
        """The number of the document that reversed ``document``, if any."""

    def close(self) -> None:
        """Release the connection."""

