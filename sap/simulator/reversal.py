"""Reversal as SAP does it, by the way the document was posted.

* BAPI_ACC_DOCUMENT_REV_POST reverses only documents posted through the accounting interface
  (BKPF-AWTYP ``BKPFF``), named by their reference key (OBJ_TYPE, OBJ_KEY_R, OBJ_SYS: the
  original's AWTYP, AWKEY and logical system AWSYS); it is written on BAPI_TRANSACTION_COMMIT.
* ``Z_ARB_REVERSE_DOCUMENT``, the shipped remote-enabled wrapper around FB08
  (POSTING_INTERFACE_REVERSE_DOC), reverses FI's own documents (AWTYP ``BKPF``: FB05, FB01) by
  company code, number and year, and commits itself. A document already reversed is returned
  with a warning (the wrapper's idempotency).

Both follow the reversal reason (T041C): a reason without "alternative posting date" (01 as
delivered) refuses a posting date other than the original's. Documents with cleared items are
refused until the clearing is reset (FBRA).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sap.simulator.accounting import (
    LOGICAL_SYSTEM,
    _clear,
    _day,
    _header,
    _line,
    _lock,
    _next_number,
)
from sap.simulator.functions import bapiret2, to_dats
from sap.simulator.kernel import Session, System

_ORIGINAL = ("SELECT STBLG, WAERS, BLART, BUDAT, AWTYP, AWSYS FROM BKPF WHERE BUKRS = ? AND "
             "BELNR = ? AND GJAHR = ?")


def _refusal(budat: str, row: tuple, reason: str, db: sqlite3.Connection, bukrs: str,
             belnr: str, gjahr: str) -> dict | None:
    """SAP's checks common to both ways; the BAPIRET2 error, or None if the reversal may go."""
    if row[0]:
        return bapiret2("E", f"Document {belnr} {bukrs} {gjahr} was already reversed by "
                        f"{row[0]}", "F5", "261")
    known = db.execute("SELECT XABWD FROM T041C WHERE STGRD = ?", (reason,)).fetchone()
    if known is None:
        return bapiret2("E", f"Reason for reversal {reason} is not defined (T041C)", "F5", "A07")
    if budat != row[3] and known[0] != "X":
        return bapiret2("E", f"Reversal reason {reason} does not allow a posting date "
                        f"({budat}) other than the original's ({row[3]}); use a reason with "
                        "an alternative posting date", "F5", "A05")
    cleared = db.execute("SELECT COUNT(*) FROM BSAD WHERE BUKRS = ? AND ((BELNR = ? AND "
                         "GJAHR = ?) OR (AUGBL = ? AND substr(AUGDT, 1, 4) = ?))",
                         (bukrs, belnr, gjahr, belnr, gjahr)).fetchone()[0]
    if cleared:
        return bapiret2("E", f"Document {belnr} {gjahr} contains cleared items; reset the "
                        "clearing first (FBRA)", "F5", "A27")
    return None


def _writer(*, bukrs: str, belnr: str, gjahr: str, reversal: str, budat: str, row: tuple,
            reason: str, xblnr: str, tcode: str, awtyp: str, today: str
            ) -> Callable[[sqlite3.Connection], None]:
    """The reversal document: every line of the original with debit and credit swapped; the
    original's open items and the reversal's are cleared against each other (by full key)."""
    year = budat[:4]

    def write(target: sqlite3.Connection) -> None:
        _header(target, bukrs=bukrs, belnr=reversal, gjahr=year, blart=row[2], bldat=budat,
                budat=budat, xblnr=xblnr, bktxt=f"Reversal of {belnr}", waers=row[1],
                tcode=tcode, today=today, awtyp=awtyp)
        target.execute("UPDATE BKPF SET STBLG = ?, STJAH = ?, STGRD = ? WHERE BUKRS = ? AND "
                       "BELNR = ? AND GJAHR = ?", (reversal, year, reason, bukrs, belnr, gjahr))
        lines = target.execute("SELECT BUZEI, KOART, SHKZG, WRBTR, HKONT, KUNNR, ZUONR, SGTXT "
                               "FROM BSEG WHERE BUKRS = ? AND BELNR = ? AND GJAHR = ?",
                               (bukrs, belnr, gjahr)).fetchall()
        for buzei, koart, shkzg, wrbtr, hkont, kunnr, zuonr, sgtxt in lines:
            _line(target, bukrs=bukrs, belnr=reversal, gjahr=year, buzei=int(buzei),
                  koart=koart, shkzg="H" if shkzg == "S" else "S", amount=Decimal(wrbtr),
                  hkont=hkont, kunnr=kunnr, zuonr=zuonr, sgtxt=sgtxt,
                  augbl=reversal if koart == "D" else "", augdt=budat if koart == "D" else "")
        _clear(target, "BUKRS = ? AND BELNR = ? AND GJAHR = ?", (bukrs, belnr, gjahr), reversal,
               budat)

    return write


def bapi_acc_document_rev_post(db: sqlite3.Connection, sim: System, *, conn: Session,
                               REVERSAL: dict, BUS_ACT: str = "RFBU", **_: Any) -> dict:
    key = REVERSAL.get("OBJ_KEY_R", "")
    belnr, bukrs, gjahr = key[:10], key[10:14], key[14:18]
    obj_type, obj_sys = REVERSAL.get("OBJ_TYPE", ""), REVERSAL.get("OBJ_SYS", "")
    row = db.execute(_ORIGINAL, (bukrs, belnr, gjahr)).fetchone()

    def refused(message: str, number: str) -> dict:
        return {"RETURN": [bapiret2("E", message, "RW", number)], "OBJ_KEY": ""}

    if row is None or obj_type != "BKPFF" or obj_sys != row[5] or row[4] != obj_type:
        if row is not None and row[4] == "BKPF":
            return refused(f"Document {belnr} {bukrs} {gjahr} was not posted through the "
                           "accounting interface (reference BKPF); reverse it with FB08",
                           "013")
        return refused(f"Document {obj_type} {key} {obj_sys} does not exist", "609")
    budat = _day(REVERSAL.get("PSTNG_DATE") or row[3])
    reason = REVERSAL.get("REASON_REV", "")
    problem = _refusal(budat, row, reason, db, bukrs, belnr, gjahr)
    if problem:
        return {"RETURN": [problem], "OBJ_KEY": ""}
    reversal = _next_number(db, bukrs=bukrs, blart=row[2], year=budat[:4])
    conn.luw.append(_writer(bukrs=bukrs, belnr=belnr, gjahr=gjahr, reversal=reversal,
                            budat=budat, row=row, reason=reason,
                            xblnr=REVERSAL.get("OBJ_KEY", "")[:16], tcode="FB08",
                            awtyp="BKPFF", today=to_dats(sim.today())))
    obj_key = f"{reversal}{bukrs}{budat[:4]}"
    return {"OBJ_TYPE": "BKPFF", "OBJ_KEY": obj_key, "OBJ_SYS": LOGICAL_SYSTEM,
            "RETURN": [bapiret2("S", f"Document {belnr} reversed by {reversal}", "RW", "605",
                                "BKPFF", obj_key)]}


def z_arb_reverse_document(db: sqlite3.Connection, sim: System, *, I_BUKRS: str,
                           I_BELNR: str, I_GJAHR: str, I_STGRD: str, I_BUDAT: Any = "",
                           I_XBLNR: str = "", **_: Any) -> dict:
    """FB08 through POSTING_INTERFACE_REVERSE_DOC; commits itself."""
    _lock(db)
    gjahr = str(I_GJAHR)
    row = db.execute(_ORIGINAL, (I_BUKRS, I_BELNR, gjahr)).fetchone()
    if row is None:
        return {"E_BELNR": "", "E_GJAHR": "", "ET_RETURN": [bapiret2(
            "E", f"Document {I_BELNR} {I_BUKRS} {gjahr} does not exist", "F5", "201")]}
    if row[0]:
        year = db.execute("SELECT STJAH FROM BKPF WHERE BUKRS = ? AND BELNR = ? AND GJAHR = ?",
                          (I_BUKRS, I_BELNR, gjahr)).fetchone()[0]
        return {"E_BELNR": row[0], "E_GJAHR": year, "ET_RETURN": [bapiret2(
            "W", f"Document {I_BELNR} {gjahr} already reversed by {row[0]}", "ZARB", "004",
            row[0])]}
    if row[4] not in ("BKPF", "BKPFF"):
        return {"E_BELNR": "", "E_GJAHR": "", "ET_RETURN": [bapiret2(
            "E", f"Document {I_BELNR} was posted by {row[4]}; reverse it in the sending "
            "application", "F5", "A12")]}
    budat = _day(I_BUDAT) or row[3]
    problem = _refusal(budat, row, I_STGRD, db, I_BUKRS, I_BELNR, gjahr)
    if problem:
        return {"E_BELNR": "", "E_GJAHR": "", "ET_RETURN": [problem]}
    reversal = _next_number(db, bukrs=I_BUKRS, blart=row[2], year=budat[:4])
    _writer(bukrs=I_BUKRS, belnr=I_BELNR, gjahr=gjahr, reversal=reversal, budat=budat, row=row,
            reason=I_STGRD, xblnr=I_XBLNR[:16], tcode="FB08", awtyp="BKPF",
            today=to_dats(sim.today()))(db)
    return {"E_BELNR": reversal, "E_GJAHR": budat[:4], "ET_RETURN": [bapiret2(
        "S", f"Document {I_BELNR} {gjahr} reversed by {reversal}", "F5", "312", reversal)]}
