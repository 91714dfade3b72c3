"""Pure mapping at the RFC seam: BAPI return messages, pyrfc errors, rows into records.

Everything here is plain data in, records or classified errors out, so it is tested without
SAP. The adapter (``sap/rfc.py``) only moves data.
"""

from __future__ import annotations

from datetime import date, timedelta, tzinfo
from decimal import Decimal
from operator import itemgetter

from sap.abap_values import EMPTY_DATE, KNOWN_DATES, to_amount, to_date, to_datetime
from sap.errors import (
    SapBusinessError,
    SapCallError,
    SapConfigError,
    SapDataError,
    SapError,
    SapTimeout,
    SapUnavailable,
)
from sap.records import BillingDocument, BillingItem, ClearedItem, Customer, OpenItem

FAILURE_TYPES = frozenset({"E", "A"})


def check_return(result: dict, function: str, subject: str = "") -> None:
    """Raise :class:`SapBusinessError` if BAPIRET2/BAPIRETURN holds a message of type E or A."""
    messages = result.get("RETURN") or []
    if isinstance(messages, dict):
        messages = [messages]
    for message in messages:
        if message.get("TYPE") in FAILURE_TYPES:
            where = f" for {subject}" if subject else ""
            code = message.get("ID", "") + message.get("NUMBER", "") or message.get("CODE", "")
            raise SapBusinessError(
                f"SAP {function}{where} failed: {message.get('MESSAGE', '').strip()}"
                + (f" [{code}]" if code else ""))


#: pyrfc's exception classes (all under RFCError/RFCLibError), most specific first, and what
#: each means for arbridge. Matched by class name along the MRO, so the simulator's look-alike
#: classes and the real ones classify the same, whether or not pyrfc is importable.
_KINDS: tuple[tuple[str, str], ...] = (
    ("CommunicationError", "unavailable"),       # network broke: retry after reopen()
    ("LogonError", "logon"),                     # user, password or client wrong
    ("ExternalAuthorizationError", "authority"),  # S_RFC missing for the function
    ("ABAPApplicationError", "application"),     # RAISE in the function module
    ("ABAPRuntimeError", "runtime"),             # short dump (ST22)
    ("RFCTypeError", "call"),                    # a value of the wrong type
    ("ExternalRuntimeError", "call"),            # e.g. RFC_INVALID_PARAMETER
    ("ExternalApplicationError", "call"),
)
_TIMEOUT_KEYS = frozenset({"RFC_CANCELED", "RFC_TIMEOUT"})
_TRANSIENT_KEYS = frozenset({"RFC_COMMUNICATION_FAILURE", "RFC_CLOSED", "RFC_INVALID_HANDLE",
                             "RFC_RETRY", "RFC_MEMORY_INSUFFICIENT"})
_AUTHORITY_KEYS = frozenset({"NOT_AUTHORIZED", "RFC_AUTHORIZATION_FAILURE"})


def _kind(exc: BaseException, key: str) -> str:
    if key in _TIMEOUT_KEYS:
        return "timeout"
    if key in _AUTHORITY_KEYS:
        return "authority"
    names = [klass.__name__ for klass in type(exc).__mro__]
    for name, kind in _KINDS:
        if name in names:
            return kind
    if key in _TRANSIENT_KEYS or isinstance(exc, (ConnectionError, TimeoutError)):
        return "unavailable"
    return "call"  # an RFC library error of another kind, or not pyrfc's at all: permanent


def classify_rfc_error(exc: BaseException, function: str, where: str) -> SapError:
    """One place that turns a pyrfc (or pyrfc-compatible) exception into arbridge's errors.

    Only a broken connection is retried (``SapUnavailable``), and a cancelled call is an
    uncertain outcome (``SapTimeout``); everything else is permanent and fails at once.
    """
    key = getattr(exc, "key", "") or ""
    message = (getattr(exc, "message", "") or str(exc)).strip().replace("\n", " ")
    kind = _kind(exc, key)
    if kind == "timeout":
        return SapTimeout(f"SAP call {function} at {where} timed out: {message}")
    if kind == "unavailable":
        return SapUnavailable(f"SAP at {where} not reachable ({function}): {message}")
    if kind == "logon" and "client" in message.lower():
        return SapConfigError(f"SAP logon at {where} refused: {message}. Check the SAP client "
                              "(ARBRIDGE_SAP__CLIENT): the system has no such client.")
    if kind == "logon":
        return SapConfigError(f"SAP logon at {where} refused: {message}. Check the SAP user and "
                              "password (ARBRIDGE_SAP__USER / ARBRIDGE_SAP__PASSWD).")
    if kind == "authority":
        return SapConfigError(f"the SAP user at {where} may not do {function}: {message}. "
                              "Ask for the authorisations listed in the README (S_RFC, "
                              "S_TABU_DIS / S_TABU_NAM).")
    if kind == "application":
        return SapBusinessError(f"SAP {function} failed: {key}: {message}")
    if kind == "runtime":
        return SapBusinessError(f"SAP {function} ended in a runtime error (see ST22 in SAP): "
                                f"{key}: {message}")
    return SapCallError(f"SAP refused the call of {function} at {where} "
                        f"({type(exc).__name__} {key}): {message}. Not retried: a parameter "
                        "or value SAP does not accept will not change; report it.")


def map_customer(kna1: dict[str, str], knb1: dict[str, str], email: str | None,
                 kvgr1: str | None) -> Customer:
    number = kna1["KUNNR"]
    return Customer(
        number=number,
        company_code=knb1["BUKRS"],
        name=" ".join(p for p in (kna1.get("NAME1", ""), kna1.get("NAME2", "")) if p),
        vat_number=kna1.get("STCEG") or None,
        payment_terms=knb1.get("ZTERM") or None,
        email=email or None,
        phone=kna1.get("TELF1") or None,
        city=kna1.get("ORT01") or None,
        country=kna1.get("LAND1") or None,
        customer_group=kvgr1 or None,
        changed_on=to_date(kna1.get("ERDAT", ""), table="KNA1", field="ERDAT", key=number),
    )


def address_number(objectid: str) -> str:
    """The address number in an ADRESSE change document's object id (4-character address
    group, then the 10-character address number)."""
    return objectid[4:14].strip() if len(objectid) > 10 else objectid.strip()


def company_emails(adr6: list[dict[str, str]]) -> dict[str, str]:
    """Address number -> the company's own e-mail address. ADR6 holds the company's
    addresses (PERSNUMBER empty) and its contact persons' under the same address number: take
    the company's, the one flagged as default (FLGDEFAULT) first, else the lowest sequence."""
    best: dict[str, tuple[tuple[bool, str], str]] = {}
    for row in adr6:
        if row.get("PERSNUMBER") or not row.get("SMTP_ADDR"):
            continue
        rank = (row.get("FLGDEFAULT") != "X", row.get("CONSNUMBER", ""))
        current = best.get(row["ADDRNUMBER"])
        if current is None or rank < current[0]:
            best[row["ADDRNUMBER"]] = (rank, row["SMTP_ADDR"])
    return {number: email for number, (_, email) in best.items()}


def external_amount(internal: Decimal, places: int) -> Decimal:
    """A CURR amount as RFC_READ_TABLE gives it (stored with two decimals whatever the
    currency) to the real amount: 1.00 JPY stored is 100 yen, 123.45 KWD stored is 12.345."""
    return internal.scaleb(2 - places).quantize(Decimal(1).scaleb(-places))


def map_billing_document(vbrk: dict[str, str], bstkd: str | None, tz: tzinfo,
                         decimals: dict[str, int] | None = None,
                         vbrp: list[dict[str, str]] | None = None) -> BillingDocument:
    """VBRK row (and its VBRP rows, any order) to a record; NETWR/MWSBK and the items'
    NETWR/MWSBP converted with the currency's decimals (TCURX)."""
    number = vbrk["VBELN"]
    known = KNOWN_DATES.get  # the common case: a day already parsed
    created = known(vbrk["ERDAT"]) or to_date(vbrk["ERDAT"], table="VBRK", field="ERDAT",
                                              key=number)
    aedat = vbrk["AEDAT"]
    changed = None if aedat == EMPTY_DATE else known(aedat) or \
        to_date(aedat, table="VBRK", field="AEDAT", key=number)
    billing_date = known(vbrk["FKDAT"]) or to_date(vbrk["FKDAT"], table="VBRK", field="FKDAT",
                                                   key=number)
    if billing_date is None or created is None:
        raise SapDataError(f"VBRK {number}: billing date or creation date is empty")
    if changed and changed > created:
        changed_at = to_datetime(changed, None, tz)
    else:
        changed_at = to_datetime(created, vbrk.get("ERZET"), tz)
    net = to_amount(vbrk["NETWR"], table="VBRK", field="NETWR", key=number)
    tax = to_amount(vbrk["MWSBK"], table="VBRK", field="MWSBK", key=number)
    places = (decimals or {}).get(vbrk["WAERK"], 2)
    if places != 2:
        net, tax = external_amount(net, places), external_amount(tax, places)
    gjahr = vbrk.get("GJAHR", "")
    # positional, in the record's field order: three times cheaper than keywords per row
    return BillingDocument(
        number, vbrk["FKART"], vbrk["BUKRS"],                    # number, type, company code
        vbrk["KUNAG"], vbrk["KUNRG"], billing_date,              # sold-to, payer, billing date
        net, tax, vbrk["WAERK"],                                 # net, tax, currency
        bstkd or None, vbrk.get("BELNR") or None,                # customer PO, accounting doc
        int(gjahr) if gjahr.strip("0") else None,                # fiscal year
        vbrk.get("FKSTO") == "X", changed_at,                    # cancelled, changed at
        vbrk.get("SFAKN") or None,                               # the document it cancels
        vbrk.get("XBLNR") or None,                               # reference: the invoice
        map_billing_items(vbrp, number, places) if vbrp else (),  # items, in item order
    )


_POSNR = itemgetter("POSNR")


def map_billing_items(vbrp: list[dict[str, str]], number: str,
                      places: int) -> tuple[BillingItem, ...]:
    """VBRP rows of one billing document to items in POSNR order (SAP returns them in none);
    amounts are CURR (converted with the document currency's ``places``), FKIMG a quantity
    with three decimals, taken as written."""
    if len(vbrp) > 1:
        vbrp = sorted(vbrp, key=_POSNR)
    items = []
    for row in vbrp:
        try:  # plain figures, the common case, at once (a pull maps millions of items) …
            net, tax, quantity = Decimal(row["NETWR"]), Decimal(row["MWSBP"]), \
                Decimal(row["FKIMG"])
        except ArithmeticError:  # … a trailing minus or an error through to_amount's checks
            net, tax, quantity = _item_amounts(row, number)
        if places != 2:
            net, tax = external_amount(net, places), external_amount(tax, places)
        # positional, in the record's field order: number, material, text, quantity, unit,
        # net, tax
        items.append(BillingItem(row["POSNR"], row["MATNR"] or None, row["ARKTX"] or None,
                                 quantity, row["VRKME"] or None, net, tax))
    return tuple(items)


def _item_amounts(row: dict[str, str], number: str) -> tuple[Decimal, Decimal, Decimal]:
    key = f"{number}/{row['POSNR']}"
    return (to_amount(row["NETWR"], table="VBRP", field="NETWR", key=key),
            to_amount(row["MWSBP"], table="VBRP", field="MWSBP", key=key),
            to_amount(row["FKIMG"], table="VBRP", field="FKIMG", key=key))


def mark_cancelled(records: list[BillingDocument]) -> None:
    """A billing document named by a cancellation document's SFAKN is cancelled, whether or
    not SAP set its FKSTO flag or change date."""
    cancelled = {r.cancels for r in records if r.cancels}
    if not cancelled:
        return
    for record in records:
        if record.number in cancelled:
            record.cancelled = True


def _as_date(value: object, field: str, key: str) -> date:
    if isinstance(value, date):
        return value
    parsed = to_date(str(value or ""), table="BAPI3007_2", field=field, key=key)
    if parsed is None:
        raise SapDataError(f"open item {key}: {field} is empty")
    return parsed


def _days(value: object) -> int:
    return int(Decimal(str(value or 0).strip() or 0))


def net_due_date(baseline: date, line: dict) -> date:
    """SAP's net due date: the baseline date plus the net term (NETTERMS, ZBD3T), or the
    second discount term's days (ZBD2T) when there is no net term, or the first's (ZBD1T)
    when neither is set. A credit item (H) without an invoice reference is due on its
    baseline date; one with a reference follows its terms."""
    if line.get("DB_CR_IND") == "H" and not (line.get("INV_REF") or "").strip():
        return baseline
    days = _days(line.get("NETTERMS")) or _days(line.get("DSCT_DAYS2")) or \
        _days(line.get("DSCT_DAYS1"))
    return baseline + timedelta(days=days)


def map_open_item(line: dict) -> OpenItem:
    """BAPI3007_2 line item into an OpenItem: amount signed by DB_CR_IND, due date computed."""
    key = f"{line['COMP_CODE']}/{line['DOC_NO']}/{line['FISC_YEAR']}/{line['ITEM_NUM']}"
    amount = Decimal(line["AMT_DOCCUR"])
    if line.get("DB_CR_IND") == "H":
        amount = -amount
    baseline = _as_date(line.get("BLINE_DATE") or line["PSTNG_DATE"], "BLINE_DATE", key)
    return OpenItem(
        company_code=line["COMP_CODE"],
        customer=line["CUSTOMER"],
        document=line["DOC_NO"],
        fiscal_year=int(line["FISC_YEAR"]),
        line=int(line["ITEM_NUM"]),
        amount=amount,
        currency=line["CURRENCY"],
        posting_date=_as_date(line["PSTNG_DATE"], "PSTNG_DATE", key),
        document_date=_as_date(line["DOC_DATE"], "DOC_DATE", key),
        due_date=net_due_date(baseline, line),
        reference=(line.get("REF_DOC_NO") or "").strip() or None,
        assignment=(line.get("ALLOC_NMBR") or "").strip() or None,
        doc_type=line.get("DOC_TYPE", ""),
        billing_document=(line.get("BILL_DOC") or "").strip() or None,
    )


def map_cleared_item(line: dict) -> ClearedItem:
    """A BAPI3007_2 line of BAPI_AR_ACC_GETBALANCEDITEMS: an open item's fields plus its
    clearing date (CLEAR_DATE) and clearing document (CLR_DOC_NO)."""
    item = map_open_item(line)
    key = f"{line['COMP_CODE']}/{line['DOC_NO']}/{line['FISC_YEAR']}/{line['ITEM_NUM']}"
    cleared = _as_date(line.get("CLEAR_DATE"), "CLEAR_DATE", key)
    fields = {name: getattr(item, name) for name in OpenItem.__dataclass_fields__}
    return ClearedItem(**fields, clearing_date=cleared,
                       clearing_document=(line.get("CLR_DOC_NO") or "").strip() or None)
