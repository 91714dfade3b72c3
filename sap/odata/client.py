"""The OData adapter: S/4HANA's released APIs over ``requests``.

* API_BILLING_DOCUMENT_SRV / A_BillingDocument: deltas on ``LastChangeDateTime`` with an
  overlap, keyset paging on ``BillingDocument`` and ``__next`` links; the items
  (A_BillingDocumentItem) expanded into the same response (``$expand=to_Item``).
* API_BUSINESS_PARTNER / A_Customer (+ company and sales-area entities, addresses): always a
  full read (A_Customer has no change time); unchanged rows are skipped by the store.
* API_OPLACCTGDOCITEMCUBE_SRV / A_OperationalAcctgDocItemCube: customer items, open (not
  cleared) or cleared in a date window, read per chunk of customers.

Errors are classified here, once: network failures and 5xx retry, 401/403 is configuration,
other 4xx carry SAP's own message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from typing import TypeVar

import requests
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from config.redaction import redact_url
from sap import call_timing
from sap.client import Page
from sap.errors import SapBusinessError, SapConfigError, SapDataError, SapUnavailable
from sap.odata import mapping as m
from sap.records import BillingDocument, ClearedItem, Customer, OpenItem

log = logging.getLogger(__name__)
ItemT = TypeVar("ItemT", OpenItem, ClearedItem)

BILLING = "/sap/opu/odata/sap/API_BILLING_DOCUMENT_SRV"
PARTNER = "/sap/opu/odata/sap/API_BUSINESS_PARTNER"
OPEN_ITEMS = "/sap/opu/odata/sap/API_OPLACCTGDOCITEMCUBE_SRV"
FILTER_CHUNK = 40
RETRY_ATTEMPTS = 4
BILLING_FIELDS = ("BillingDocument,BillingDocumentType,CompanyCode,SoldToParty,PayerParty,"
                  "BillingDocumentDate,TotalNetAmount,TaxAmount,TransactionCurrency,"
                  "PurchaseOrderByCustomer,AccountingDocument,FiscalYear,"
                  "BillingDocumentIsCancelled,LastChangeDateTime,CreationDate,"
                  "DocumentReferenceID,"
                  # the items, expanded in the same response (A_BillingDocumentItem)
                  "to_Item/BillingDocumentItem,to_Item/Material,"
                  "to_Item/BillingDocumentItemText,to_Item/BillingQuantity,"
                  "to_Item/BillingQuantityUnit,to_Item/NetAmount,to_Item/TaxAmount")


class ODataSapClient:
    """``SapClient`` over S/4HANA OData V2 (basic authentication)."""

    name = "odata"

    def __init__(self, *, base_url: str, user: str | None, password: str | None,
                 page_size: int = 5000, timeout_seconds: float = 60.0,
                 overlap_minutes: int = 5, verify_tls: bool = True,
                 session: requests.Session | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._page_size = page_size
        self._timeout = timeout_seconds
        self._overlap = timedelta(minutes=overlap_minutes)
        self._session = session or requests.Session()
        if user:
            self._session.auth = (user, password or "")
        self._session.verify = verify_tls
        self._session.headers.update({"Accept": "application/json"})

    # -- transport ----------------------------------------------------------------------------
    @retry(retry=retry_if_exception_type(SapUnavailable), stop=stop_after_attempt(RETRY_ATTEMPTS),
           wait=wait_exponential(multiplier=0.2, max=5), reraise=True)
    def get(self, url: str, params: dict[str, str] | None = None) -> dict:
        """GET one OData V2 response body (``d``)."""
        full = url if url.startswith("http") else self._base + url
        try:
            with call_timing.timed("odata", call_timing.odata_function(full)):
                response = self._session.get(full, params=params, timeout=self._timeout)
        except requests.RequestException as exc:
            raise SapUnavailable(f"SAP OData at {redact_url(self._base)} not reachable: "
                                 f"{type(exc).__name__}") from exc
        self._raise_for(response, full)
        try:
            return response.json()["d"]
        except (ValueError, KeyError) as exc:
            where = redact_url(full.split("?")[0])
            raise SapDataError(f"SAP OData {where} answered with no OData JSON "
                               "body") from exc

    def _raise_for(self, response: requests.Response, url: str) -> None:
        if response.status_code < 400:
            return
        where = redact_url(url.split("?")[0])
        try:
            detail = m.sap_error_message(response.json())
        except ValueError:
            detail = response.text[:200]
        if response.status_code in (401, 403):
            raise SapConfigError(f"SAP OData at {redact_url(self._base)} refused the logon "
                                 f"({response.status_code}). Check ARBRIDGE_SAP__ODATA_USER "
                                 "and ARBRIDGE_SAP__ODATA_PASSWORD.")
        if response.status_code >= 500 or response.status_code == 429:
            raise SapUnavailable(f"SAP OData {where} answered {response.status_code}: {detail}")
        raise SapBusinessError(f"SAP OData {where} answered {response.status_code}: {detail}")

    def csrf_token(self, service: str) -> str:
        """Fetch an ``X-CSRF-Token`` (kept with the session's cookies) for a later POST."""
        try:
            with call_timing.timed("odata", "csrf-token"):
                response = self._session.get(self._base + service + "/",
                                             timeout=self._timeout,
                                             headers={"X-CSRF-Token": "Fetch"})
        except requests.RequestException as exc:
            raise SapUnavailable(f"SAP OData at {redact_url(self._base)} not reachable") from exc
        self._raise_for(response, self._base + service)
        token = response.headers.get("X-CSRF-Token")
        if not token:
            raise SapDataError(f"SAP OData {service} returned no X-CSRF-Token")
        self._session.headers["X-CSRF-Token"] = token
        return token

    def _pages(self, path: str, params: dict[str, str]) -> Iterator[list[dict]]:
        """Results per response, following ``__next`` links."""
        url: str | None = path
        query: dict[str, str] | None = {**params, "$format": "json"}
        while url:
            body = self.get(url, query)
            results = body.get("results", [])
            if results:
                yield results
            url, query = body.get("__next"), None

    def _keyset(self, path: str, key: str, where: list[str], after_key: str | None,
                params: dict[str, str]) -> Iterator[list[dict]]:
        last = after_key
        while True:
            clauses = where + ([f"{key} gt {m.literal(last)}"] if last else [])
            fetched = 0
            for results in self._pages(path, {**params, "$filter": " and ".join(clauses),
                                              "$orderby": key, "$top": str(self._page_size)}):
                fetched += len(results)
                last = results[-1][key]
                yield results
            if fetched < self._page_size:
                return

    # -- SapClient ----------------------------------------------------------------------------
    def ping(self) -> None:
        self.get(BILLING + "/A_BillingDocument", {"$top": "1", "$format": "json",
                                                  "$select": "BillingDocument"})

    def today(self) -> date:
        return datetime.now(timezone.utc).date()

    def close(self) -> None:
        self._session.close()

    def billing_documents(self, company_code: str, *, since: str | None,
                          after_key: str | None) -> Iterator[Page[BillingDocument]]:
        where = [f"CompanyCode eq {m.literal(company_code)}"]
        if since:
            lower = datetime.fromisoformat(since.replace("Z", "+00:00")) - self._overlap
            where.append(f"LastChangeDateTime ge datetimeoffset'{m.odata_timestamp(lower)}'")
        for results in self._keyset(BILLING + "/A_BillingDocument", "BillingDocument", where,
                                    after_key, {"$select": BILLING_FIELDS,
                                                "$expand": "to_Item"}):
            records = [m.map_billing_document(r) for r in results]
            high = max(m.odata_timestamp(r.changed_at) for r in records)
            yield Page(records, last_key=records[-1].number, high_water=high)

    def customers(self, company_code: str, *, since: str | None,
                  after_key: str | None) -> Iterator[Page[Customer]]:
        expand = {"$expand": "to_CustomerCompany,to_CustomerSalesArea"}
        for results in self._keyset(PARTNER + "/A_Customer", "Customer", [], after_key, expand):
            contacts = self._contacts([r["Customer"] for r in results])
            records = []
            for entry in results:
                companies = (entry.get("to_CustomerCompany") or {}).get("results", [])
                for company in companies:
                    if company.get("CompanyCode") == company_code:
                        email, phone = contacts.get(entry["Customer"], (None, None))
                        records.append(m.map_customer(entry, company, email, phone))
            yield Page(records, last_key=results[-1]["Customer"],
                       high_water=m.odata_timestamp(datetime.now(timezone.utc)))

    def _contacts(self, partners: list[str]) -> dict[str, tuple[str | None, str | None]]:
        """Business partner -> (first e-mail, first phone) of its addresses."""
        found: dict[str, tuple[str | None, str | None]] = {}
        for start in range(0, len(partners), FILTER_CHUNK):
            chunk = partners[start:start + FILTER_CHUNK]
            clause = " or ".join(f"BusinessPartner eq {m.literal(p)}" for p in chunk)
            for results in self._pages(PARTNER + "/A_BusinessPartnerAddress",
                                       {"$filter": clause,
                                        "$expand": "to_EmailAddress,to_PhoneNumber"}):
                for address in results:
                    emails = (address.get("to_EmailAddress") or {}).get("results", [])
                    phones = (address.get("to_PhoneNumber") or {}).get("results", [])
                    found.setdefault(address["BusinessPartner"], (
                        emails[0].get("EmailAddress") if emails else None,
                        phones[0].get("PhoneNumber") if phones else None))
        return found

    def cleared_items(self, company_code: str, *, customers: list[str],
                      cleared_from: date | None, cleared_to: date,
                      after_key: str | None) -> Iterator[Page[ClearedItem]]:
        upper = f"datetime'{cleared_to.isoformat()}T00:00:00'"
        window = f"ClearingDate le {upper}"
        if cleared_from is not None:
            window += f" and ClearingDate ge datetime'{cleared_from.isoformat()}T00:00:00'"
        yield from self._customer_items(
            company_code, customers=customers, after_key=after_key,
            condition=f"ClearingAccountingDocument ne '' and {window}",
            mapper=m.map_cleared_item, high_water=cleared_to)

    def open_items(self, company_code: str, *, customers: list[str], key_date: date,
                   after_key: str | None) -> Iterator[Page[OpenItem]]:
        key = f"datetime'{key_date.isoformat()}T00:00:00'"
        yield from self._customer_items(
            company_code, customers=customers, after_key=after_key,
            condition=f"ClearingAccountingDocument eq '' and PostingDate le {key}",
            mapper=m.map_open_item, high_water=key_date)

    def _customer_items(self, company_code: str, *, customers: list[str],
                        after_key: str | None, condition: str,
                        mapper: Callable[[dict], ItemT],
                        high_water: date) -> Iterator[Page[ItemT]]:
        """Customer items of ``company_code`` matching ``condition``, one page per chunk of
        customers (in customer order, after ``after_key``), each row mapped by ``mapper``."""
        todo = sorted(c for c in customers if after_key is None or c > after_key)
        for start in range(0, len(todo), FILTER_CHUNK):
            scope = todo[start:start + FILTER_CHUNK]
            who = " or ".join(f"Customer eq {m.literal(c)}" for c in scope)
            where = (f"CompanyCode eq {m.literal(company_code)} and ({who}) and "
                     f"FinancialAccountType eq 'D' and {condition}")
            records: list[ItemT] = []
            for results in self._pages(OPEN_ITEMS + "/A_OperationalAcctgDocItemCube",
                                       {"$filter": where}):
                records += [mapper(r) for r in results]
            yield Page(records, last_key=scope[-1], high_water=high_water.strftime("%Y%m%d"),
                       scope=tuple(scope))
