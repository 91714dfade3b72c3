"""The RFC adapter: SAP over pyrfc, or over anything with pyrfc's ``Connection`` interface.

Reads use RFC_READ_TABLE, paged so that no row is missed whatever order SAP returns rows in
(see ``sap.rfc.paging``), and BAPI_AR_ACC_GETOPENITEMS for open items. Remote calls are
retried by tenacity inside one pull step; the connection is reopened after a communication
failure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
from operator import itemgetter
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from sap import bapi, call_timing
from sap.client import Page
from sap.errors import SapConfigError, SapDataError, SapTimeout, SapUnavailable
from sap.records import BillingDocument, ClearedItem, Customer, OpenItem
from sap.rfc.paging import KeyRange, joined, pages, split
from sap.rfc.posting import RfcPosting
from sap.rfc.table import field_groups, in_list, parse_column, parse_rows, quote, where_lines

log = logging.getLogger(__name__)

RETRY_ATTEMPTS = 4
IN_LIST_CHUNK = 500
DENSE_FACTOR = 3
EARLIEST_CLEARING = date(1990, 1, 1)  # DATE_FROM when a full read asks for every clearing
OPEN_ITEM_CUSTOMERS_PER_PAGE = 100
KEY_PAGES = 5  # a key-only read asks for up to this many pages' worth of keys
SAP_TIMEZONE = "Africa/Johannesburg"

VBRK_FIELDS = ["VBELN", "FKART", "WAERK", "FKDAT", "BUKRS", "KUNAG", "KUNRG", "NETWR",
               "MWSBK", "BELNR", "GJAHR", "FKSTO", "ERDAT", "ERZET", "AEDAT", "SFAKN",
               "XBLNR"]
# the items: what was billed, SAP's VAT per item, and the sales order (AUBEL) for the PO number
VBRP_FIELDS = ["VBELN", "POSNR", "MATNR", "ARKTX", "FKIMG", "VRKME", "NETWR", "MWSBP", "AUBEL"]
KNB1_FIELDS = ["KUNNR", "BUKRS", "ZTERM", "ERDAT"]
KNA1_FIELDS = ["KUNNR", "NAME1", "NAME2", "ORT01", "LAND1", "STCEG", "TELF1", "ADRNR", "ERDAT"]


class RfcConnection(Protocol):
    """What arbridge uses of ``pyrfc.Connection``."""

    def call(self, func_name: str, options: dict | None = None, **params: Any) -> dict: ...
    def ping(self) -> None: ...
    def reopen(self) -> None: ...
    def close(self) -> None: ...


def _retry_reads() -> Callable:
    return retry(
        retry=retry_if_exception_type((SapUnavailable, SapTimeout)),
        stop=stop_after_attempt(RETRY_ATTEMPTS),
        wait=wait_exponential(multiplier=0.2, max=5),
        reraise=True,
    )


class RfcSapClient(RfcPosting):
    """``SapClient`` over RFC. ``factory(**params)`` opens a Connection (default pyrfc's)."""

    name = "rfc"

    def __init__(self, *, factory: Callable[..., RfcConnection], params: dict[str, Any],
                 page_size: int = 5000, timeout_seconds: float = 60.0, overlap_days: int = 0,
                 where: str = "SAP", today: Callable[[], date] = date.today) -> None:
        self._factory = factory
        self._params = params
        self._page_size = page_size
        self._timeout = timeout_seconds
        self._overlap = timedelta(days=overlap_days)
        self._where = where
        self._today = today
        self._tz = ZoneInfo(SAP_TIMEZONE)
        self._conn: RfcConnection | None = None
        self._key_rows = page_size * KEY_PAGES
        self._decimals: dict[str, int] | None = None

    # -- connection ---------------------------------------------------------------------------
    def _connection(self) -> RfcConnection:
        if self._conn is None:
            try:
                self._conn = self._factory(**self._params)
            except Exception as exc:  # pyrfc raises its own classes; classify them once
                raise bapi.classify_rfc_error(exc, "logon", self._where) from exc
        return self._conn

    @_retry_reads()
    def call(self, function: str, **params: Any) -> dict:
        """Call a function module; reconnect and retry on communication failures."""
        conn = self._connection()
        try:
            with call_timing.timed("rfc", function):
                return conn.call(function, options={"timeout": self._timeout}, **params)
        except Exception as exc:
            error = bapi.classify_rfc_error(exc, function, self._where)
            if isinstance(error, (SapUnavailable, SapTimeout)):
                log.warning("SAP %s failed, reopening the connection: %s", function, error)
                self._reopen()
            raise error from exc

    def _reopen(self) -> None:
        """pyrfc's ``reopen()``; if even that fails, a fresh connection on the next call."""
        if self._conn is None:
            return
        try:
            self._conn.reopen()
        except Exception:  # the partner may still be down; the next call opens a new one
            log.debug("reopening the SAP connection failed", exc_info=True)
            self._drop()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # closing a broken connection may fail too; nothing to do
                log.debug("closing a broken SAP connection failed", exc_info=True)

    def ping(self) -> None:
        self.call("RFC_PING")

    def today(self) -> date:
        return self._today()

    def close(self) -> None:
        self._drop()

    # -- RFC_READ_TABLE -----------------------------------------------------------------------
    def read_table(self, table: str, fields: Sequence[str], where: str = "",
                   rowcount: int = 0) -> list[dict[str, str]]:
        """One RFC_READ_TABLE call; rows as dicts, in the order SAP gave them (none)."""
        result = self.call("RFC_READ_TABLE", QUERY_TABLE=table, DELIMITER="|",
                           FIELDS=[{"FIELDNAME": f} for f in fields],
                           OPTIONS=where_lines(where), ROWCOUNT=rowcount)
        return parse_rows(result, table)

    def read_column(self, table: str, field: str, where: str = "",
                    rowcount: int = 0) -> list[str]:
        """One field's values (one RFC_READ_TABLE call), without building a dict per row."""
        result = self.call("RFC_READ_TABLE", QUERY_TABLE=table, DELIMITER="|",
                           FIELDS=[{"FIELDNAME": field}], OPTIONS=where_lines(where),
                           ROWCOUNT=rowcount)
        return parse_column(result, table)

    def field_lengths(self, table: str) -> dict[str, int]:
        """Every field of ``table`` with its length in characters, from SAP itself
        (RFC_READ_TABLE with NO_DATA: the layout, however wide, and no rows)."""
        result = self.call("RFC_READ_TABLE", QUERY_TABLE=table, NO_DATA="X", FIELDS=[],
                           OPTIONS=[])
        return {f["FIELDNAME"]: int(f["LENGTH"]) for f in result["FIELDS"]}

    def read_wide(self, table: str, fields: Sequence[str], keys: Sequence[str],
                  where: str = "") -> list[dict[str, str]]:
        """Rows of ``fields`` even when they exceed 512 characters: one call per field group
        (lengths as SAP reports them), joined on the key. Every call reads the whole
        ``where``: with no ROWCOUNT, each returns all matching rows, in whatever order."""
        lengths = self.field_lengths(table)
        groups = field_groups([(f, lengths[f]) for f in fields], keys)
        rows = self.read_table(table, groups[0], where)
        index = {tuple(r[k] for k in keys): r for r in rows}
        for group in groups[1:]:
            for extra in self.read_table(table, group, where):
                row = index.get(tuple(extra[k] for k in keys))
                if row is not None:
                    row.update(extra)
        return rows

    def _complete_keys(self, table: str, key: str, where: str,
                       whole: KeyRange) -> Iterator[tuple[KeyRange, list[str]]]:
        """Key ranges covering ``whole`` in key order, each with all of its keys, sorted.

        A key-only read with ROWCOUNT one above the limit is complete when it returns no more
        than the limit; otherwise its keys are a sample, and the range is split at them."""
        todo = [whole]
        while todo:
            part = todo.pop()
            values = self.read_column(table, key, joined(where, part.clause(key)),
                                      self._key_rows + 1)
            keys = sorted(set(values))
            if len(values) <= self._key_rows:
                yield part, keys
            else:
                log.debug("%s: more than %d keys in %s, splitting", table, self._key_rows, part)
                parts = split(part, keys)
                if part in parts:  # one key value on more rows than a read returns
                    raise SapDataError(f"{table}: {key} is not unique within {part}; cannot "
                                       "page by it")
                todo.extend(reversed(parts))

    def _keyset(self, table: str, fields: Sequence[str], key: str, where: str,
                after_key: str | None) -> Iterator[tuple[list[dict[str, str]], str]]:
        """Pages of ``table`` after ``after_key`` in key order, each sorted, with the key a
        resumed pull continues after. No row is missed whatever order SAP returns rows in."""
        parts = self._complete_keys(table, key, where, KeyRange(after_key, None))
        for page, last_key in pages(parts, self._page_size):
            rows = self.read_table(table, fields, joined(where, page.clause(key)))
            if not rows:
                continue
            rows.sort(key=itemgetter(key))
            yield rows, max(last_key, rows[-1][key])

    def _in_chunks(self, table: str, fields: Sequence[str], field: str, values: Sequence[str],
                   where: str = "") -> list[dict[str, str]]:
        rows: list[dict[str, str]] = []
        unique = sorted(set(v for v in values if v))
        for start in range(0, len(unique), IN_LIST_CHUNK):
            clause = in_list(field, unique[start:start + IN_LIST_CHUNK])
            rows += self.read_table(table, fields, f"{where} AND {clause}" if where else clause)
        return rows

    def _by_keys(self, table: str, fields: Sequence[str], field: str, values: Sequence[str],
                 where: str = "") -> list[dict[str, str]]:
        """Rows whose ``field`` is one of ``values``. Dense numeric keys (consecutive document
        numbers) are read as one range and filtered here; sparse ones as IN lists."""
        wanted = sorted(set(v for v in values if v))
        if not wanted:
            return []
        # the range read is filtered here, so only its ends need be numbers to judge density
        if wanted[0].isdigit() and wanted[-1].isdigit() and \
                int(wanted[-1]) - int(wanted[0]) < DENSE_FACTOR * len(wanted):
            bounds = f"{field} >= {quote(wanted[0])} AND {field} <= {quote(wanted[-1])}"
            keep = set(wanted)
            rows = self.read_table(table, fields, f"{where} AND {bounds}" if where else bounds)
            return [r for r in rows if r[field] in keep]
        return self._in_chunks(table, fields, field, wanted, where)

    def _since(self, since: str | None) -> str | None:
        if not since:
            return None
        day = date(int(since[:4]), int(since[4:6]), int(since[6:8])) - self._overlap
        return day.strftime("%Y%m%d")

    # -- billing documents --------------------------------------------------------------------
    def currency_decimals(self) -> dict[str, int]:
        """TCURX, read once: currencies whose amounts do not have two decimals."""
        if self._decimals is None:
            rows = self.read_table("TCURX", ["CURRKEY", "CURRDEC"])
            self._decimals = {r["CURRKEY"]: int(r["CURRDEC"] or 0) for r in rows}
        return self._decimals

    def billing_documents(self, company_code: str, *, since: str | None,
                          after_key: str | None) -> Iterator[Page[BillingDocument]]:
        where = f"BUKRS = {quote(company_code)}"
        lower = self._since(since)
        if lower:
            where += f" AND ( ERDAT >= {quote(lower)} OR AEDAT >= {quote(lower)} )"
        decimals = self.currency_decimals()
        for rows, last_key in self._keyset("VBRK", VBRK_FIELDS, "VBELN", where, after_key):
            high_water = max(max(map(itemgetter("ERDAT"), rows)),
                             max(map(itemgetter("AEDAT"), rows)))
            if lower:  # a full read finds the originals themselves, FKSTO set by VF11
                rows += self._cancelled_originals(rows)
            items, po_numbers = self._items_and_pos([r["VBELN"] for r in rows])
            records = [bapi.map_billing_document(r, po_numbers.get(r["VBELN"]), self._tz,
                                                 decimals, items.get(r["VBELN"]))
                       for r in rows]
            bapi.mark_cancelled(records)
            yield Page(records, last_key=last_key, high_water=high_water)

    def _cancelled_originals(self, rows: list[dict[str, str]]) -> list[dict[str, str]]:
        """The invoices cancelled by cancellation documents (SFAKN) on this page but not on it:
        VF11 need not change the original's change date, so a delta would not find it."""
        present = {r["VBELN"] for r in rows}
        wanted = [r["SFAKN"] for r in rows if r.get("SFAKN") and r["SFAKN"] not in present]
        if not wanted:
            return []
        return sorted(self._by_keys("VBRK", VBRK_FIELDS, "VBELN", wanted),
                      key=lambda r: r["VBELN"])

    def _items_and_pos(self, numbers: list[str]
                       ) -> tuple[dict[str, list[dict[str, str]]], dict[str, str]]:
        """The billing documents' items (VBRP rows per document, in the order SAP gave them)
        and customer PO numbers (VBRP-AUBEL of the first item, by POSNR -> VBKD-BSTKD,
        header row), from one read of VBRP and one of VBKD."""
        items: dict[str, list[dict[str, str]]] = {}
        for item in self._by_keys("VBRP", VBRP_FIELDS, "VBELN", numbers):
            items.setdefault(item["VBELN"], []).append(item)
        order_of = {vbeln: min(rows, key=itemgetter("POSNR"))["AUBEL"]
                    for vbeln, rows in items.items()}
        heads = self._by_keys("VBKD", ["VBELN", "BSTKD"], "VBELN", list(order_of.values()),
                              "POSNR = '000000'")
        po_of_order = {h["VBELN"]: h["BSTKD"] for h in heads}
        return items, {vbeln: po_of_order.get(aubel, "") for vbeln, aubel in order_of.items()}

    # -- customers ----------------------------------------------------------------------------
    def customers(self, company_code: str, *, since: str | None,
                  after_key: str | None) -> Iterator[Page[Customer]]:
        lower = self._since(since)
        if lower is None:
            for knb1, last_key in self._keyset("KNB1", KNB1_FIELDS, "KUNNR",
                                               f"BUKRS = {quote(company_code)}", after_key):
                yield self._customer_page(knb1, last_key, stamp=max(r["ERDAT"] for r in knb1))
            return
        changed = self._changed_customers(company_code, lower)
        keys = sorted(k for k in changed if after_key is None or k > after_key)
        for start in range(0, len(keys), self._page_size):
            chunk = keys[start:start + self._page_size]
            knb1 = self._in_chunks("KNB1", KNB1_FIELDS, "KUNNR", chunk,
                                   f"BUKRS = {quote(company_code)}")
            if knb1:
                knb1.sort(key=lambda r: r["KUNNR"])
                yield self._customer_page(knb1, chunk[-1], stamp=max(changed[k] for k in chunk))

    def _changed_customers(self, company_code: str, lower: str) -> dict[str, str]:
        """Customer number -> latest change date: new in KNA1/KNB1, or changed according to
        change documents: class DEBI (the customer master; object id = customer number) and
        class ADRESSE (its address and e-mail; object id = 4-character group + address
        number)."""
        changed: dict[str, str] = {}
        sources = [
            ("KNA1", ["KUNNR", "ERDAT"], f"ERDAT >= {quote(lower)}", "KUNNR", "ERDAT"),
            ("KNB1", ["KUNNR", "ERDAT"],
             f"BUKRS = {quote(company_code)} AND ERDAT >= {quote(lower)}", "KUNNR", "ERDAT"),
            ("CDHDR", ["OBJECTID", "UDATE"],
             f"OBJECTCLAS = 'DEBI' AND UDATE >= {quote(lower)}", "OBJECTID", "UDATE"),
        ]
        for table, fields, where, key, stamp in sources:
            for row in self.read_table(table, fields, where):
                changed[row[key]] = max(changed.get(row[key], ""), row[stamp])
        address_changed: dict[str, str] = {}
        for row in self.read_table("CDHDR", ["OBJECTID", "UDATE"],
                                   f"OBJECTCLAS = 'ADRESSE' AND UDATE >= {quote(lower)}"):
            number = bapi.address_number(row["OBJECTID"])
            address_changed[number] = max(address_changed.get(number, ""), row["UDATE"])
        if address_changed:
            for row in self._in_chunks("KNA1", ["KUNNR", "ADRNR"], "ADRNR",
                                       list(address_changed)):
                stamp = address_changed[row["ADRNR"]]
                changed[row["KUNNR"]] = max(changed.get(row["KUNNR"], ""), stamp)
        return changed

    def _customer_page(self, knb1: list[dict[str, str]], last_key: str,
                       stamp: str) -> Page[Customer]:
        numbers = [r["KUNNR"] for r in knb1]
        kna1 = {r["KUNNR"]: r for r in self._in_chunks("KNA1", KNA1_FIELDS, "KUNNR", numbers)}
        addresses = [r["ADRNR"] for r in kna1.values()]
        email_of = bapi.company_emails(self._in_chunks(
            "ADR6", ["ADDRNUMBER", "PERSNUMBER", "CONSNUMBER", "FLGDEFAULT", "SMTP_ADDR"],
            "ADDRNUMBER", addresses))
        group_of: dict[str, str] = {}
        for row in sorted(self._in_chunks("KNVV", ["KUNNR", "VKORG", "KVGR1"], "KUNNR", numbers),
                          key=lambda r: (r["KUNNR"], r["VKORG"])):
            group_of.setdefault(row["KUNNR"], row["KVGR1"])
        records = [
            bapi.map_customer(kna1[r["KUNNR"]], r, email_of.get(kna1[r["KUNNR"]]["ADRNR"]),
                              group_of.get(r["KUNNR"]))
            for r in knb1 if r["KUNNR"] in kna1
        ]
        return Page(records, last_key=last_key, high_water=stamp)

    # -- open items ---------------------------------------------------------------------------
    def open_items(self, company_code: str, *, customers: list[str], key_date: date,
                   after_key: str | None) -> Iterator[Page[OpenItem]]:
        todo = sorted(c for c in customers if after_key is None or c > after_key)
        for start in range(0, len(todo), OPEN_ITEM_CUSTOMERS_PER_PAGE):
            scope = todo[start:start + OPEN_ITEM_CUSTOMERS_PER_PAGE]
            records: list[OpenItem] = []
            for customer in scope:
                result = self.call("BAPI_AR_ACC_GETOPENITEMS", COMPANYCODE=company_code,
                                   CUSTOMER=customer, KEYDATE=key_date)
                bapi.check_return(result, "BAPI_AR_ACC_GETOPENITEMS",
                                  f"customer {customer} in {company_code}")
                records += [bapi.map_open_item(line) for line in result["LINEITEMS"]]
            yield Page(records, last_key=scope[-1], high_water=key_date.strftime("%Y%m%d"),
                       scope=tuple(scope))


    def cleared_items(self, company_code: str, *, customers: list[str],
                      cleared_from: date | None, cleared_to: date,
                      after_key: str | None) -> Iterator[Page[ClearedItem]]:
        """BAPI_AR_ACC_GETBALANCEDITEMS per customer: the clearing transactions of the window
        (the clearing entries and the items they cleared, together)."""
        todo = sorted(c for c in customers if after_key is None or c > after_key)
        lower = cleared_from or EARLIEST_CLEARING
        for start in range(0, len(todo), OPEN_ITEM_CUSTOMERS_PER_PAGE):
            scope = todo[start:start + OPEN_ITEM_CUSTOMERS_PER_PAGE]
            records: list[ClearedItem] = []
            for customer in scope:
                result = self.call("BAPI_AR_ACC_GETBALANCEDITEMS", COMPANYCODE=company_code,
                                   CUSTOMER=customer, DATE_FROM=lower, DATE_TO=cleared_to)
                bapi.check_return(result, "BAPI_AR_ACC_GETBALANCEDITEMS",
                                  f"customer {customer} in {company_code}")
                records += [bapi.map_cleared_item(line) for line in result["LINEITEMS"]]
            yield Page(records, last_key=scope[-1], high_water=cleared_to.strftime("%Y%m%d"),
                       scope=tuple(scope))

def import_factory(spec: str) -> Callable[..., RfcConnection]:
    """Resolve ``'module:callable'`` (default ``pyrfc:Connection``) to a connection factory."""
    module_name, _, attribute = spec.partition(":")
    try:
        module = __import__(module_name, fromlist=[attribute or "Connection"])
    except ImportError as exc:
        hint = " Install it with: pip install 'arbridge[rfc]' (needs SAP's NW RFC SDK)." \
            if module_name == "pyrfc" else ""
        raise SapConfigError(f"cannot import {module_name!r} for the SAP RFC connection."
                             + hint) from exc
    try:
        return getattr(module, attribute or "Connection")
    except AttributeError as exc:
        raise SapConfigError(f"{module_name!r} has no {attribute!r}: check "
                             "ARBRIDGE_SAP__CONNECTION_FACTORY") from exc
