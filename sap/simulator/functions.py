"""The function modules the simulator answers, with SAP's parameter and structure names.

Each function takes the simulator's SQLite connection (inside a transaction), the simulator and
the call's parameters, and returns the export and table parameters as a dict, like pyrfc.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sap.simulator.ddic import TABLES, Field, fields_of, key_of
from sap.simulator.kernel import System
from sap.simulator.where import WhereError, translate

ROW_WIDTH = 512
OPTION_LINE_WIDTH = 72


class AbapException(Exception):
    """A classic ABAP exception (``RAISE key``); reaches pyrfc as ABAPApplicationError."""

    def __init__(self, key: str, text: str = "") -> None:
        super().__init__(key)
        self.key, self.text = key, text or key


def bapiret2(type_: str = "", message: str = "", id_: str = "", number: str = "000",
             v1: str = "", v2: str = "") -> dict[str, Any]:
    return {"TYPE": type_, "ID": id_, "NUMBER": number, "MESSAGE": message, "LOG_NO": "",
            "LOG_MSG_NO": "000000", "MESSAGE_V1": v1, "MESSAGE_V2": v2, "MESSAGE_V3": "",
            "MESSAGE_V4": "", "PARAMETER": "", "ROW": 0, "FIELD": "", "SYSTEM": "ARBSIM"}


def bapireturn(type_: str = "", message: str = "", code: str = "") -> dict[str, Any]:
    return {"TYPE": type_, "CODE": code, "MESSAGE": message, "LOG_NO": "",
            "LOG_MSG_NO": "000000", "MESSAGE_V1": "", "MESSAGE_V2": "", "MESSAGE_V3": "",
            "MESSAGE_V4": ""}


def to_dats(value: date | str) -> str:
    return value.strftime("%Y%m%d") if isinstance(value, date) else str(value)


def from_dats(text: str) -> date | None:
    if not text or text == "00000000":
        return None
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


# -- RFC_PING / RFC_SYSTEM_INFO ---------------------------------------------------------------
def rfc_ping(db: sqlite3.Connection, sim: System) -> dict:
    return {}


def rfc_system_info(db: sqlite3.Connection, sim: System) -> dict:
    return {"RFCSI_EXPORT": {"RFCSYSID": "ARB", "RFCHOST": "simulator", "RFCDBSYS": "SQLITE",
                             "RFCSAPRL": "758", "RFCDATE": to_dats(sim.today())}}


# -- RFC_READ_TABLE ---------------------------------------------------------------------------
class UnknownParameter(Exception):
    """A parameter the function module does not have (pyrfc: RFC_INVALID_PARAMETER)."""


class WrongType(Exception):
    """A value of the wrong type for its parameter (pyrfc: RFCTypeError)."""


def _sql_text(field: Field, by_bytes: bool = False) -> tuple[str, str]:
    """(printf format, SQL expression) writing one field as RFC_READ_TABLE does: text left
    aligned and cut to its length, numbers right aligned (packed ones with a trailing minus).

    Lengths are characters, as in a Unicode SAP system: SQLite's ``!`` flag makes printf count
    characters, not UTF-8 bytes (``Zoë`` is 3 characters wide, not 4).
    """
    chars = "" if by_bytes else "!"
    if field.type == "P":
        expr = (f"CASE WHEN substr({field.name}, 1, 1) = '-' THEN substr({field.name}, 2) "
                f"|| '-' ELSE {field.name} || ' ' END")
        return f"%{chars}{field.length}.{field.length}s", expr
    if field.type == "I":
        return f"%{chars}{field.length}.{field.length}s", field.name
    return f"%{chars}-{field.length}.{field.length}s", field.name


def _order(table: str) -> str:
    """The order rows come back in: not the key's. Like a database without ORDER BY (HANA
    returns any N matching rows), stable per table and salt (``SapSimulator.row_salt``)."""
    return "SIM_ORDER(" + " || '|' || ".join(key_of(table)) + ")"


def rfc_read_table(db: sqlite3.Connection, sim: System, *, QUERY_TABLE: str,
                   DELIMITER: str = "", NO_DATA: str = "", ROWSKIPS: int = 0,
                   ROWCOUNT: int = 0, OPTIONS: list | None = None,
                   FIELDS: list | None = None, GET_SORTED: str | None = None,
                   rstrip: bool = False) -> dict:
    """SAP's RFC_READ_TABLE: ``SELECT … WHERE (options)`` without ORDER BY, stopping at
    ROWCOUNT. Only releases with the sort option (``sim.sort_option``) know GET_SORTED."""
    if GET_SORTED is not None and not sim.sort_option:
        raise UnknownParameter("GET_SORTED")
    if not isinstance(ROWCOUNT, int) or not isinstance(ROWSKIPS, int):
        raise WrongType("ROWCOUNT and ROWSKIPS are INT4: an integer is required")
    table = QUERY_TABLE.strip().upper()
    if table not in TABLES:
        raise AbapException("TABLE_NOT_AVAILABLE", f"Table {table} is not available")
    catalogue = fields_of(table)
    names = [f["FIELDNAME"].strip().upper() for f in (FIELDS or [])] or list(catalogue)
    unknown = [n for n in names if n not in catalogue]
    if unknown:
        raise AbapException("FIELD_NOT_VALID", f"Field {unknown[0]} is not in table {table}")
    chosen = [catalogue[n] for n in names]
    delimiter = DELIMITER[:1]
    width = sum(f.length for f in chosen) + len(delimiter) * (len(chosen) - 1)
    no_data = bool(NO_DATA.strip())
    if width > ROW_WIDTH and not no_data:  # as SAP: only when data is asked for
        raise AbapException("DATA_BUFFER_EXCEEDED",
                            f"Row of {width} characters exceeds {ROW_WIDTH}")
    lines = [o["TEXT"] for o in (OPTIONS or [])]
    if any(len(line) > OPTION_LINE_WIDTH for line in lines):
        raise AbapException("OPTION_NOT_VALID", "WHERE line longer than 72 characters")
    try:
        where, params = translate(" ".join(lines), set(catalogue))
    except WhereError as exc:
        raise AbapException("OPTION_NOT_VALID", str(exc)) from None
    out_fields, offset = [], 0
    for f in chosen:
        out_fields.append({"FIELDNAME": f.name, "OFFSET": f"{offset:06d}",
                           "LENGTH": f"{f.length:06d}", "TYPE": f.type, "FIELDTEXT": f.text})
        offset += f.length + len(delimiter)
    if no_data:
        return {"FIELDS": out_fields, "DATA": [], "OPTIONS": OPTIONS or []}
    formats, expressions = zip(*(_sql_text(f, sim.faults.pad_by_bytes) for f in chosen),
                               strict=True)
    pattern = delimiter.replace("%", "%%").join(formats)
    order = ", ".join(key_of(table)) if GET_SORTED and GET_SORTED.strip() else _order(table)
    line = f"printf(?, {', '.join(expressions)})"
    if rstrip:  # pyrfc's rstrip, done by the database
        line = f"rtrim({line}, ' ')"
    sql = f"SELECT {line} FROM {table} WHERE {where} ORDER BY {order}"
    if ROWCOUNT or ROWSKIPS:
        sql += f" LIMIT {int(ROWCOUNT) or -1} OFFSET {int(ROWSKIPS)}"
    data = [{"WA": row[0]} for row in db.execute(sql, [pattern, *params])]
    return {"FIELDS": out_fields, "DATA": data, "OPTIONS": OPTIONS or []}


# -- BAPI_AR_ACC_GETOPENITEMS -----------------------------------------------------------------
_OPEN_ITEM_SQL = (
    "SELECT BUKRS, KUNNR, UMSKZ, ZUONR, GJAHR, BELNR, BUZEI, BUDAT, BLDAT, CPUDT, WAERS, "
    "XBLNR, BLART, MONAT, BSCHL, SHKZG, DMBTR, WRBTR, MWSTS, SGTXT, ZFBDT, ZTERM, ZBD1T, "
    "ZBD2T, ZBD3T, VBELN, REBZG FROM BSID WHERE BUKRS = ? AND KUNNR = ? AND BUDAT <= ? "
    "ORDER BY GJAHR, BELNR, BUZEI")


def currency_decimals(db: sqlite3.Connection) -> dict[str, int]:
    """TCURX: currencies whose amounts do not have two decimals."""
    return {k: int(v) for k, v in db.execute("SELECT CURRKEY, CURRDEC FROM TCURX")}


def to_external(internal: str, decimals: int) -> Decimal:
    """A CURR amount as stored (two decimals whatever the currency) to the real amount, as
    the BAPIs convert it (CURRENCY_AMOUNT_SAP_TO_BAPI): 1.00 JPY stored is 100 yen."""
    return (Decimal(internal or "0").scaleb(2 - decimals)).quantize(Decimal(1).scaleb(-decimals))


def _line_item(row: tuple, decimals: dict[str, int]) -> dict[str, Any]:
    (bukrs, kunnr, umskz, zuonr, gjahr, belnr, buzei, budat, bldat, cpudt, waers, xblnr,
     blart, monat, bschl, shkzg, dmbtr, wrbtr, mwsts, sgtxt, zfbdt, zterm, zbd1t, zbd2t,
     zbd3t, vbeln, rebzg) = row
    places = decimals.get(waers, 2)
    return {
        "COMP_CODE": bukrs, "CUSTOMER": kunnr, "SP_GL_IND": umskz, "CLEAR_DATE": None,
        "CLR_DOC_NO": "", "ALLOC_NMBR": zuonr, "FISC_YEAR": gjahr, "DOC_NO": belnr,
        "ITEM_NUM": buzei, "PSTNG_DATE": from_dats(budat), "DOC_DATE": from_dats(bldat),
        "ENTRY_DATE": from_dats(cpudt), "CURRENCY": waers, "LOC_CURRCY": "ZAR",
        "REF_DOC_NO": xblnr, "DOC_TYPE": blart, "FISC_PERIOD": monat, "POST_KEY": bschl,
        "DB_CR_IND": shkzg, "BUS_AREA": "", "TAX_CODE": "", "LC_AMOUNT": Decimal(dmbtr),
        "AMT_DOCCUR": to_external(wrbtr, places), "LC_TAX": Decimal(mwsts or "0"),
        "TX_DOC_CUR": to_external(mwsts or "0", places), "ITEM_TEXT": sgtxt,
        "BLINE_DATE": from_dats(zfbdt), "PMNTTRMS": zterm,
        "DSCT_DAYS1": Decimal(zbd1t or "0"), "DSCT_DAYS2": Decimal(zbd2t or "0"),
        "NETTERMS": Decimal(zbd3t or "0"), "DSCT_PCT1": Decimal("0.000"),
        "DSCT_PCT2": Decimal("0.000"), "BILL_DOC": vbeln, "INV_REF": rebzg,
    }


def bapi_ar_acc_getopenitems(db: sqlite3.Connection, sim: System, *, COMPANYCODE: str,
                             CUSTOMER: str, KEYDATE: date | str, NOTEDITEMS: str = "",
                             SECINDEX: str = "") -> dict:
    known = db.execute("SELECT 1 FROM KNB1 WHERE KUNNR = ? AND BUKRS = ?",
                       (CUSTOMER, COMPANYCODE)).fetchone()
    if not known:
        message = f"Customer {CUSTOMER.lstrip('0')} is not defined in company code {COMPANYCODE}"
        return {"LINEITEMS": [], "RETURN": bapireturn("E", message, "F5155")}
    rows = db.execute(_OPEN_ITEM_SQL, (COMPANYCODE, CUSTOMER, to_dats(KEYDATE))).fetchall()
    decimals = currency_decimals(db)
    return {"LINEITEMS": [_line_item(r, decimals) for r in rows], "RETURN": bapireturn()}



# -- BAPI_AR_ACC_GETBALANCEDITEMS -------------------------------------------------------------
_CLEARED_ITEM_SQL = _OPEN_ITEM_SQL.replace(" FROM BSID WHERE", ", AUGDT, AUGBL FROM BSAD WHERE") \
    .replace("BUDAT <= ?", "AUGDT >= ? AND AUGDT <= ?")


def bapi_ar_acc_getbalanceditems(db: sqlite3.Connection, sim: System, *,
                                 COMPANYCODE: str, CUSTOMER: str, DATE_FROM: date | str,
                                 DATE_TO: date | str, NOTEDITEMS: str = "") -> dict:
    """A customer's clearing transactions with a clearing date in the window: the clearing
    entries and the items they cleared (BSAD), as SAP lists them (unordered: no ORDER BY is
    promised, so arbridge must not rely on one)."""
    known = db.execute("SELECT 1 FROM KNB1 WHERE KUNNR = ? AND BUKRS = ?",
                       (CUSTOMER, COMPANYCODE)).fetchone()
    if not known:
        message = f"Customer {CUSTOMER.lstrip('0')} is not defined in company code {COMPANYCODE}"
        return {"LINEITEMS": [], "RETURN": bapireturn("E", message, "F5155")}
    sql = _CLEARED_ITEM_SQL.replace(" ORDER BY GJAHR, BELNR, BUZEI", " ORDER BY AUGBL DESC")
    rows = db.execute(sql, (COMPANYCODE, CUSTOMER, to_dats(DATE_FROM), to_dats(DATE_TO)))
    decimals = currency_decimals(db)
    lines = []
    for row in rows.fetchall():
        line = _line_item(row[:-2], decimals)
        line["CLEAR_DATE"], line["CLR_DOC_NO"] = from_dats(row[-2]), row[-1]
        lines.append(line)
    return {"LINEITEMS": lines, "RETURN": bapireturn()}

# -- ArchiveLink ------------------------------------------------------------------------------
ARCHIVE_LINE = 1024


def archiv_get_connections(db: sqlite3.Connection, sim: System, *, OBJECTTYPE: str,
                           OBJECT_ID: str, DOCUMENTCLASS: str = "", ARCHIV_ID: str = "",
                           **_: Any) -> dict:
    rows = db.execute("SELECT ARCHIV_ID, ARC_DOC_ID, AR_DATE FROM SIM_ARCHIVE WHERE "
                      "SAP_OBJECT = ? AND OBJECT_ID = ?", (OBJECTTYPE, OBJECT_ID)).fetchall()
    if not rows:
        raise AbapException("NOTHING_FOUND", f"No archived documents for {OBJECTTYPE} "
                                             f"{OBJECT_ID}")
    return {"CONNECTIONS": [{"MANDT": "100", "SAP_OBJECT": OBJECTTYPE, "OBJECT_ID": OBJECT_ID,
                             "ARCHIV_ID": r[0], "ARC_DOC_ID": r[1], "AR_OBJECT": "SDOINVOICE",
                             "AR_DATE": r[2], "RESERVE": "PDF"} for r in rows],
            "COUNT": len(rows)}


def archivobject_get_table(db: sqlite3.Connection, sim: System, *, ARCHIV_ID: str,
                           DOCUMENT_TYPE: str, ARCHIV_DOC_ID: str, **_: Any) -> dict:
    row = db.execute("SELECT CONTENT FROM SIM_ARCHIVE WHERE ARCHIV_ID = ? AND ARC_DOC_ID = ?",
                     (ARCHIV_ID, ARCHIV_DOC_ID)).fetchone()
    if row is None:
        raise AbapException("ERROR_ARCHIV", f"Document {ARCHIV_DOC_ID} not in {ARCHIV_ID}")
    content: bytes = row[0]
    lines = [{"LINE": content[i:i + ARCHIVE_LINE].ljust(ARCHIVE_LINE, b"\0")}
             for i in range(0, len(content), ARCHIVE_LINE)]
    return {"BINARCHIVOBJECT": lines, "BINLENGTH": len(content), "ARCHIVOBJECT": []}


FUNCTIONS: dict[str, Callable[..., dict]] = {
    "RFC_PING": rfc_ping,
    "RFC_SYSTEM_INFO": rfc_system_info,
    "RFC_READ_TABLE": rfc_read_table,
    "BAPI_AR_ACC_GETOPENITEMS": bapi_ar_acc_getopenitems,
    "BAPI_AR_ACC_GETBALANCEDITEMS": bapi_ar_acc_getbalanceditems,
    "ARCHIV_GET_CONNECTIONS": archiv_get_connections,
    "ARCHIVOBJECT_GET_TABLE": archivobject_get_table,
}
