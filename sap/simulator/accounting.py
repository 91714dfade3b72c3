"""The simulator's accounting: FI documents (BKPF/BSEG) numbered per document type and fiscal
year (:mod:`~sap.simulator.numbers`), clearing (BSID -> BSAD), residual items, reset of
clearing, and the function modules arbridge posts with (reversal: :mod:`~sap.simulator.reversal`;
F.13: :mod:`~sap.simulator.clearing_run`).

BAPI_ACC_DOCUMENT_POST and BAPI_ACC_DOCUMENT_REV_POST work as in SAP: the document number is
drawn at once (number ranges are not rolled back), but nothing is written until
BAPI_TRANSACTION_COMMIT on the same connection; a dropped connection loses the unit of work.
The remote-enabled wrappers arbridge ships (``sap/abap/``) commit themselves.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Decimal
from typing import Any

from sap.simulator.ddic import TABLES
from sap.simulator.functions import bapiret2, to_dats
from sap.simulator.kernel import Session, System
from sap.simulator.numbers import next_number

#: the simulated client's logical system (BKPF-AWSYS of interface documents, OBJ_SYS)
LOGICAL_SYSTEM = "ARBCLNT100"
BSID_FIELDS = [f.name for f in TABLES["BSID"][1]]
BANK_POSTING_KEY, CREDIT_KEY, DEBIT_KEY = "40", "15", "06"
#: what BAPI_ACC_DOCUMENT_POST derives for customer lines (no payment transaction given)
INTERFACE_DEBIT_KEY, INTERFACE_CREDIT_KEY = "01", "11"


def _lock(db: sqlite3.Connection) -> None:
    """Serialise postings as SAP's enqueue locks do: take the write lock before reading what
    the posting depends on (the caller's ``with db`` commits or rolls back)."""
    if not db.in_transaction:
        db.execute("BEGIN IMMEDIATE")


def _next_number(db: sqlite3.Connection, *, bukrs: str, blart: str, year: str) -> str:
    """The next number of the document type's range in the company code and fiscal year."""
    _lock(db)
    return next_number(db, bukrs=bukrs, blart=blart, year=year)


def _day(value: date | str) -> str:
    return to_dats(value) if value else ""


def _header(db: sqlite3.Connection, *, bukrs: str, belnr: str, gjahr: str, blart: str,
            bldat: str, budat: str, xblnr: str, bktxt: str, waers: str, tcode: str,
            today: str, awtyp: str = "BKPF") -> None:
    """A document header. ``awtyp`` is the reference transaction: BKPFF for documents posted
    through the accounting interface (BAPI), BKPF for FI's own transactions (FB05, FB08, F.13);
    only interface documents carry the logical system (AWSYS)."""
    awkey, awsys = f"{belnr}{bukrs}{gjahr}", LOGICAL_SYSTEM if awtyp == "BKPFF" else ""
    db.execute("INSERT INTO BKPF (BUKRS, BELNR, GJAHR, BLART, BLDAT, BUDAT, CPUDT, USNAM, "
               "TCODE, XBLNR, BKTXT, WAERS, AWTYP, AWKEY, AWSYS) VALUES "
               "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
               (bukrs, belnr, gjahr, blart, bldat, budat, today, "ARBRIDGE", tcode, xblnr,
                bktxt, waers, awtyp, awkey, awsys))


def _line(db: sqlite3.Connection, *, bukrs: str, belnr: str, gjahr: str, buzei: int,
          koart: str, shkzg: str, amount: Decimal, hkont: str = "", kunnr: str = "",
          zuonr: str = "", sgtxt: str = "", rebzg: str = "", augbl: str = "",
          augdt: str = "", rebzj: str = "", rebzz: str = "", bschl: str = "") -> None:
    key = bschl or (BANK_POSTING_KEY if koart == "S" else
                    (CREDIT_KEY if shkzg == "H" else DEBIT_KEY))
    db.execute("INSERT INTO BSEG (BUKRS, BELNR, GJAHR, BUZEI, KOART, BSCHL, SHKZG, WRBTR, "
               "HKONT, KUNNR, ZUONR, SGTXT, AUGBL, AUGDT, REBZG, REBZJ, REBZZ) VALUES "
               "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
               (bukrs, belnr, gjahr, f"{buzei:03d}", koart, key, shkzg, str(amount), hkont,
                kunnr, zuonr[:18], sgtxt[:50], augbl, augdt, rebzg, rebzj, rebzz))


def _open_item(db: sqlite3.Connection, *, bukrs: str, kunnr: str, belnr: str, gjahr: str,
               buzei: int, budat: str, bldat: str, waers: str, xblnr: str, blart: str,
               shkzg: str, amount: Decimal, zuonr: str, sgtxt: str, vbeln: str = "",
               zfbdt: str = "", table: str = "BSID", augbl: str = "", augdt: str = "",
               rebzg: str = "", rebzj: str = "", rebzz: str = "", bschl: str = "") -> None:
    values = {"BUKRS": bukrs, "KUNNR": kunnr, "UMSKS": "", "UMSKZ": "", "AUGDT": augdt,
              "AUGBL": augbl, "ZUONR": zuonr[:18], "GJAHR": gjahr, "BELNR": belnr,
              "BUZEI": f"{buzei:03d}", "BUDAT": budat, "BLDAT": bldat, "CPUDT": budat,
              "WAERS": waers, "XBLNR": xblnr, "BLART": blart, "MONAT": budat[4:6],
              "BSCHL": bschl or (CREDIT_KEY if shkzg == "H" else DEBIT_KEY), "SHKZG": shkzg,
              "DMBTR": str(amount), "WRBTR": str(amount), "MWSTS": "0", "SGTXT": sgtxt[:50],
              "ZFBDT": zfbdt or budat, "ZTERM": "", "ZBD1T": "0", "ZBD2T": "0", "ZBD3T": "0",
              "VBELN": vbeln, "REBZG": rebzg, "REBZJ": rebzj, "REBZZ": rebzz}
    db.execute(f"INSERT INTO {table} ({', '.join(BSID_FIELDS)}) VALUES "
               f"({', '.join('?' * len(BSID_FIELDS))})", [values[f] for f in BSID_FIELDS])


def _clear(db: sqlite3.Connection, where: str, params: tuple, augbl: str, augdt: str) -> int:
    """Move open items matching ``where`` from BSID to BSAD, cleared by ``augbl``."""
    rows = db.execute(f"SELECT {', '.join(BSID_FIELDS)} FROM BSID WHERE {where}",
                      params).fetchall()
    for row in rows:
        values = dict(zip(BSID_FIELDS, row, strict=False), AUGBL=augbl, AUGDT=augdt)
        db.execute(f"INSERT OR REPLACE INTO BSAD ({', '.join(BSID_FIELDS)}) VALUES "
                   f"({', '.join('?' * len(BSID_FIELDS))})", [values[f] for f in BSID_FIELDS])
    db.execute(f"DELETE FROM BSID WHERE {where}", params)
    return len(rows)


# -- way (a): BAPI_ACC_DOCUMENT_POST + BAPI_TRANSACTION_COMMIT ---------------------------------
def bapi_acc_document_post(db: sqlite3.Connection, sim: System, *, conn: Session,
                           DOCUMENTHEADER: dict, ACCOUNTGL: list | None = None,
                           ACCOUNTRECEIVABLE: list | None = None,
                           CURRENCYAMOUNT: list | None = None, **_: Any) -> dict:
    header = DOCUMENTHEADER
    amounts = {a["ITEMNO_ACC"]: Decimal(str(a["AMT_DOCCUR"])) for a in CURRENCYAMOUNT or []}
    currency = next((a["CURRENCY"] for a in CURRENCYAMOUNT or []), "")
    if sum(amounts.values(), Decimal("0")) != 0:
        return {"RETURN": [bapiret2("E", "Balance in transaction currency is not zero", "RW",
                                    "609")], "OBJ_KEY": ""}
    bukrs = header.get("COMP_CODE", "")
    for item in ACCOUNTRECEIVABLE or []:
        known = db.execute("SELECT 1 FROM KNB1 WHERE KUNNR = ? AND BUKRS = ?",
                           (item["CUSTOMER"], bukrs)).fetchone()
        if not known:
            return {"RETURN": [bapiret2("E", f"Customer {item['CUSTOMER']} is not defined in "
                                        f"company code {bukrs}", "F5", "155")], "OBJ_KEY": ""}
    budat, bldat = _day(header["PSTNG_DATE"]), _day(header["DOC_DATE"])
    gjahr = budat[:4]
    blart = header.get("DOC_TYPE", "DZ")
    belnr = _next_number(db, bukrs=bukrs, blart=blart, year=gjahr)
    today = to_dats(sim.today())

    def write(target: sqlite3.Connection) -> None:
        _header(target, bukrs=bukrs, belnr=belnr, gjahr=gjahr, blart=blart, bldat=bldat,
                budat=budat, xblnr=header.get("REF_DOC_NO", ""),
                bktxt=header.get("HEADER_TXT", ""), waers=currency, tcode="BAPI", today=today,
                awtyp="BKPFF")
        buzei = 0
        for gl in ACCOUNTGL or []:
            buzei += 1
            amount = amounts[gl["ITEMNO_ACC"]]
            _line(target, bukrs=bukrs, belnr=belnr, gjahr=gjahr, buzei=buzei, koart="S",
                  shkzg="S" if amount > 0 else "H", amount=abs(amount),
                  hkont=gl.get("GL_ACCOUNT", ""), zuonr=gl.get("ALLOC_NMBR", ""),
                  sgtxt=gl.get("ITEM_TEXT", ""))
        for item in ACCOUNTRECEIVABLE or []:
            buzei += 1
            amount = amounts[item["ITEMNO_ACC"]]
            shkzg = "S" if amount > 0 else "H"
            # the interface derives the posting key: 01 invoice (debit), 11 credit memo
            bschl = INTERFACE_DEBIT_KEY if shkzg == "S" else INTERFACE_CREDIT_KEY
            _line(target, bukrs=bukrs, belnr=belnr, gjahr=gjahr, buzei=buzei, koart="D",
                  shkzg=shkzg, amount=abs(amount), kunnr=item["CUSTOMER"],
                  zuonr=item.get("ALLOC_NMBR", ""), sgtxt=item.get("ITEM_TEXT", ""),
                  bschl=bschl)
            _open_item(target, bukrs=bukrs, kunnr=item["CUSTOMER"], belnr=belnr, gjahr=gjahr,
                       buzei=buzei, budat=budat, bldat=bldat, waers=currency,
                       xblnr=header.get("REF_DOC_NO", ""), blart=header.get("DOC_TYPE", "DZ"),
                       shkzg=shkzg, amount=abs(amount), zuonr=item.get("ALLOC_NMBR", ""),
                       sgtxt=item.get("ITEM_TEXT", ""), bschl=bschl)

    conn.luw.append(write)
    message = f"Document posted successfully: BKPFF {belnr}{bukrs}{gjahr} {LOGICAL_SYSTEM}"
    return {"OBJ_TYPE": "BKPFF", "OBJ_KEY": f"{belnr}{bukrs}{gjahr}", "OBJ_SYS": LOGICAL_SYSTEM,
            "RETURN": [bapiret2("S", message, "RW", "605", "BKPFF", f"{belnr}{bukrs}{gjahr}")]}


def bapi_transaction_commit(db: sqlite3.Connection, sim: System, *, conn: Session,
                            WAIT: str = "", **_: Any) -> dict:
    work, conn.luw[:] = list(conn.luw), []
    _lock(db)
    for step in work:
        step(db)
    return {"RETURN": bapiret2()}


def bapi_transaction_rollback(db: sqlite3.Connection, sim: System, *,
                              conn: Session, **_: Any) -> dict:
    conn.luw.clear()
    return {"RETURN": bapiret2()}


# -- way (b): the shipped wrappers (commit themselves) ---------------------------------------
def z_arb_post_clearing(db: sqlite3.Connection, sim: System, *, I_BUKRS: str,
                        I_KUNNR: str, I_WAERS: str, I_BLDAT: date | str, I_BUDAT: date | str,
                        I_BLART: str, I_XBLNR: str, I_BKTXT: str, I_HKONT: str,
                        I_WRBTR: Decimal, I_ON_ACCOUNT: Decimal = Decimal("0"),
                        IT_CLEAR: list | None = None, **_: Any) -> dict:
    """FB05 through POSTING_INTERFACE_CLEARING: bank line, the invoices cleared, residual items
    for short payments, excess on account. A document with this reference already posted is
    returned, not posted again (the wrapper's own duplicate check)."""
    _lock(db)
    done = db.execute("SELECT BELNR, GJAHR FROM BKPF WHERE BUKRS = ? AND XBLNR = ? AND "
                      "STBLG = ''", (I_BUKRS, I_XBLNR)).fetchone()
    if done:
        return {"E_BELNR": done[0], "E_GJAHR": done[1], "ET_RETURN": [bapiret2(
            "W", f"Document {done[0]} with reference {I_XBLNR} already posted", "ZARB", "002")]}
    budat, bldat = _day(I_BUDAT), _day(I_BLDAT)
    clear, total = [], Decimal("0")
    for entry in IT_CLEAR or []:
        row = db.execute("SELECT WRBTR, SHKZG, ZUONR, XBLNR, VBELN FROM BSID WHERE BUKRS = ? "
                         "AND KUNNR = ? AND BELNR = ? AND GJAHR = ? AND BUZEI = ?",
                         (I_BUKRS, I_KUNNR, entry["BELNR"], entry["GJAHR"], entry["BUZEI"])
                         ).fetchone()
        if row is None:
            return {"E_BELNR": "", "E_GJAHR": "", "ET_RETURN": [bapiret2(
                "E", f"Item {entry['BELNR']}/{entry['GJAHR']}/{entry['BUZEI']} of customer "
                f"{I_KUNNR} is not open", "F5", "263")]}
        open_amount = Decimal(row[0])
        applied, residual = Decimal(str(entry["WRBTR"])), Decimal(str(entry.get("RESIDUAL", 0)))
        if applied + residual != open_amount:
            return {"E_BELNR": "", "E_GJAHR": "", "ET_RETURN": [bapiret2(
                "E", f"Item {entry['BELNR']}: paid {applied} and residual {residual} do not "
                f"make the open {open_amount}", "F5", "703")]}
        clear.append((entry, row, applied, residual))
        total += applied
    if total + Decimal(str(I_ON_ACCOUNT)) != Decimal(str(I_WRBTR)):
        return {"E_BELNR": "", "E_GJAHR": "", "ET_RETURN": [bapiret2(
            "E", "Balance in transaction currency is not zero", "F5", "702")]}
    gjahr = budat[:4]
    belnr = _next_number(db, bukrs=I_BUKRS, blart=I_BLART, year=gjahr)
    _header(db, bukrs=I_BUKRS, belnr=belnr, gjahr=gjahr, blart=I_BLART, bldat=bldat,
            budat=budat, xblnr=I_XBLNR, bktxt=I_BKTXT, waers=I_WAERS, tcode="FB05",
            today=to_dats(sim.today()))
    _line(db, bukrs=I_BUKRS, belnr=belnr, gjahr=gjahr, buzei=1, koart="S", shkzg="S",
          amount=Decimal(str(I_WRBTR)), hkont=I_HKONT, zuonr=I_XBLNR, sgtxt="Incoming payment")
    buzei = 1
    for entry, row, applied, residual in clear:
        buzei += 1
        open_amount = applied + residual
        _line(db, bukrs=I_BUKRS, belnr=belnr, gjahr=gjahr, buzei=buzei, koart="D", shkzg="H",
              amount=open_amount, kunnr=I_KUNNR, zuonr=row[2], sgtxt="Clearing",
              augbl=belnr, augdt=budat, rebzg=entry["BELNR"], rebzj=entry["GJAHR"],
              rebzz=entry["BUZEI"])
        _open_item(db, bukrs=I_BUKRS, kunnr=I_KUNNR, belnr=belnr, gjahr=gjahr, buzei=buzei,
                   budat=budat, bldat=bldat, waers=I_WAERS, xblnr=I_XBLNR, blart=I_BLART,
                   shkzg="H", amount=open_amount, zuonr=row[2], sgtxt="Clearing",
                   table="BSAD", augbl=belnr, augdt=budat)
        _clear(db, "BUKRS = ? AND KUNNR = ? AND BELNR = ? AND GJAHR = ? AND BUZEI = ?",
               (I_BUKRS, I_KUNNR, entry["BELNR"], entry["GJAHR"], entry["BUZEI"]), belnr, budat)
        if residual > 0:
            buzei += 1
            text = entry.get("SGTXT") or f"Residual of {row[4] or entry['BELNR']}"
            invoice = {"rebzg": entry["BELNR"], "rebzj": entry["GJAHR"],
                       "rebzz": entry["BUZEI"]}  # the invoice's full key (BSEG-REBZG/J/Z)
            _line(db, bukrs=I_BUKRS, belnr=belnr, gjahr=gjahr, buzei=buzei, koart="D",
                  shkzg="S", amount=residual, kunnr=I_KUNNR, zuonr=row[2], sgtxt=text,
                  **invoice)
            _open_item(db, bukrs=I_BUKRS, kunnr=I_KUNNR, belnr=belnr, gjahr=gjahr, buzei=buzei,
                       budat=budat, bldat=bldat, waers=I_WAERS, xblnr=row[3], blart=I_BLART,
                       shkzg="S", amount=residual, zuonr=row[2], sgtxt=text, vbeln=row[4],
                       **invoice)
    if Decimal(str(I_ON_ACCOUNT)) > 0:
        buzei += 1
        _line(db, bukrs=I_BUKRS, belnr=belnr, gjahr=gjahr, buzei=buzei, koart="D", shkzg="H",
              amount=Decimal(str(I_ON_ACCOUNT)), kunnr=I_KUNNR, zuonr=I_XBLNR,
              sgtxt="Payment on account")
        _open_item(db, bukrs=I_BUKRS, kunnr=I_KUNNR, belnr=belnr, gjahr=gjahr, buzei=buzei,
                   budat=budat, bldat=bldat, waers=I_WAERS, xblnr=I_XBLNR, blart=I_BLART,
                   shkzg="H", amount=Decimal(str(I_ON_ACCOUNT)), zuonr=I_XBLNR,
                   sgtxt="Payment on account")
    return {"E_BELNR": belnr, "E_GJAHR": gjahr, "ET_RETURN": [bapiret2(
        "S", f"Document {belnr} was posted in company code {I_BUKRS}", "F5", "312", belnr)]}


def z_arb_reset_clearing(db: sqlite3.Connection, sim: System, *, I_BUKRS: str,
                         I_AUGBL: str, I_GJAHR: str, **_: Any) -> dict:
    """FBRA through POSTING_INTERFACE_RESET_CLEARING: every item cleared by the clearing
    document (company code, number, fiscal year) is open again. Resetting a clearing that is
    not there is a warning, not an error."""
    _lock(db)
    # the items' clearing date is the clearing document's posting date: with it, BSAD is read
    # for this clearing document and year only, whatever the fiscal year variant
    header = db.execute("SELECT BUDAT FROM BKPF WHERE BUKRS = ? AND BELNR = ? AND GJAHR = ?",
                        (I_BUKRS, I_AUGBL, str(I_GJAHR))).fetchone()
    where = "BUKRS = ? AND AUGBL = ? AND AUGDT = ?"
    params = (I_BUKRS, I_AUGBL, header[0] if header else "")
    rows = db.execute(f"SELECT {', '.join(BSID_FIELDS)} FROM BSAD WHERE {where}",
                      params).fetchall()
    if not rows:
        return {"ET_RETURN": [bapiret2("W", f"Document {I_AUGBL} {I_GJAHR} has no clearing to "
                                       "reset", "F5", "A38")]}
    for row in rows:
        values = dict(zip(BSID_FIELDS, row, strict=False), AUGBL="", AUGDT="00000000")
        db.execute(f"INSERT OR REPLACE INTO BSID ({', '.join(BSID_FIELDS)}) VALUES "
                   f"({', '.join('?' * len(BSID_FIELDS))})", [values[f] for f in BSID_FIELDS])
    db.execute(f"DELETE FROM BSAD WHERE {where}", params)
    db.execute(f"UPDATE BSEG SET AUGBL = '', AUGDT = '' WHERE {where}", params)
    return {"ET_RETURN": [bapiret2("S", f"Clearing {I_AUGBL} reset: {len(rows)} items open",
                                   "F5", "A37")]}
