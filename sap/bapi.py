"""Pure mapping at the RFC seam: BAPI return messages, pyrfc errors, rows into records.

Everything here is plain data in, records or classified errors out, so it is tested without
SAP. The adapter (``sap/rfc.py``) only moves data.
"""

from __future__ import annotations

from datetime import date, timedelta, tzinfo
from decimal import Decimal

from sap.errors import (
    SapBusinessError,
    SapConfigError,
    SapDataError,
    SapError,
    SapTimeout,
    SapUnavailable,
)
from sap.records import BillingDocument, Customer, OpenItem
from sap.rfc_table import to_amount, to_date, to_datetime

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


_BY_CLASS: dict[str, type[SapError]] = {
    "CommunicationError": SapUnavailable,
    "LogonError": SapConfigError,
    "ABAPApplicationError": SapBusinessError,
    "ABAPRuntimeError": SapBusinessError,
    "ExternalAuthorizationError": SapConfigError,
}


def classify_rfc_error(exc: BaseException, function: str, where: str) -> SapError:
    """One place that turns a pyrfc (or pyrfc-compatible) exception into arbridge's errors.

    Matched by class name along the MRO, so it works whether or not pyrfc is importable.
    """
    key = getattr(exc, "key", "") or ""
    message = (getattr(exc, "message", "") or str(exc)).strip().replace("\n", " ")
    if key == "RFC_CANCELED":
        return SapTimeout(f"SAP call {function} at {where} timed out: {message}")
    for klass in type(exc).__mro__:
        error = _BY_CLASS.get(klass.__name__)
        if error is SapConfigError:
            return error(f"SAP logon at {where} refused: {message}. Check the SAP user and "
                         "password (ARBRIDGE_SAP__USER / ARBRIDGE_SAP__PASSWD).")
        if error is SapUnavailable:
            return error(f"SAP at {where} not reachable ({function}): {message}")
        if error is not None:
            return error(f"SAP {function} failed: {key}: {message}")
    return SapUnavailable(f"SAP call {function} at {where} failed: {key} {message}")


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


def map_billing_document(vbrk: dict[str, str], bstkd: str | None, tz: tzinfo) -> BillingDocument:
    number = vbrk["VBELN"]
    created = to_date(vbrk["ERDAT"], table="VBRK", field="ERDAT", key=number)
    changed = to_date(vbrk["AEDAT"], table="VBRK", field="AEDAT", key=number)
    billing_date = to_date(vbrk["FKDAT"], table="VBRK", field="FKDAT", key=number)
    if billing_date is None or created is None:
        raise SapDataError(f"VBRK {number}: billing date or creation date is empty")
    if changed and changed > created:
        changed_at = to_datetime(changed, None, tz)  # type: ignore[arg-type]
    else:
        changed_at = to_datetime(created, vbrk.get("ERZET"), tz)  # type: ignore[arg-type]
    return BillingDocument(
        number=number,
        doc_type=vbrk["FKART"],
        company_code=vbrk["BUKRS"],
        sold_to=vbrk["KUNAG"],
        payer=vbrk["KUNRG"],
        billing_date=billing_date,
        net=to_amount(vbrk["NETWR"], table="VBRK", field="NETWR", key=number),
        tax=to_amount(vbrk["MWSBK"], table="VBRK", field="MWSBK", key=number),
        currency=vbrk["WAERK"],
        customer_po=bstkd or None,
        accounting_document=vbrk.get("BELNR") or None,
        fiscal_year=int(vbrk["GJAHR"]) if vbrk.get("GJAHR", "").strip("0") else None,
        cancelled=vbrk.get("FKSTO") == "X",
        changed_at=changed_at,
    )


def _as_date(value: object, field: str, key: str) -> date:
    if isinstance(value, date):
        return value
    parsed = to_date(str(value or ""), table="BAPI3007_2", field=field, key=key)
    if parsed is None:
        raise SapDataError(f"open item {key}: {field} is empty")
    return parsed


def map_open_item(line: dict) -> OpenItem:
    """BAPI3007_2 line item into an OpenItem: amount signed by DB_CR_IND, due date computed."""
    key = f"{line['COMP_CODE']}/{line['DOC_NO']}/{line['FISC_YEAR']}/{line['ITEM_NUM']}"
    amount = Decimal(line["AMT_DOCCUR"])
    if line.get("DB_CR_IND") == "H":
        amount = -amount
    baseline = _as_date(line.get("BLINE_DATE") or line["PSTNG_DATE"], "BLINE_DATE", key)
    net_days = int(Decimal(line.get("NETTERMS") or 0))
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
        due_date=baseline + timedelta(days=net_days),
        reference=(line.get("REF_DOC_NO") or "").strip() or None,
        assignment=(line.get("ALLOC_NMBR") or "").strip() or None,
        doc_type=line.get("DOC_TYPE", ""),
        billing_document=(line.get("BILL_DOC") or "").strip() or None,
    )
