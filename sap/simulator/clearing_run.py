"""The automatic clearing run F.13, on the criteria OB74 defines (table TF123).

F.13 groups a customer's open items by account, currency and the configured criteria fields
(for account type D, e.g. ``ZUONR`` the assignment) and clears every group that holds debits
and credits netting to zero. Nothing else matches: a payment whose assignment is not exactly
the invoice's (``90000123`` against ``0090000123``) or whose reference differs when the
reference is a criterion stays open, as in SAP.

The criteria live in SIM_STATE (``f13_criteria``); :meth:`System.set_clearing_criteria`
sets them as a customiser would in OB74. The default is the configuration docs/sap-abap.md
tells customers to set: the assignment alone.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import date
from decimal import Decimal

from sap.simulator.accounting import BSID_FIELDS, _clear, _header, _next_number
from sap.simulator.functions import to_dats

#: OB74 criteria fields the simulator knows (BSID names)
CRITERIA_FIELDS = frozenset({"ZUONR", "XBLNR", "VBELN", "REBZG"})
DEFAULT_CRITERIA = ("ZUONR",)
STATE_KEY = "f13_criteria"


def criteria(db: sqlite3.Connection) -> tuple[str, ...]:
    row = db.execute("SELECT VALUE FROM SIM_STATE WHERE KEY = ?", (STATE_KEY,)).fetchone()
    return tuple(row[0].split(",")) if row and row[0] else DEFAULT_CRITERIA


def set_criteria(db: sqlite3.Connection, fields: tuple[str, ...]) -> None:
    unknown = [f for f in fields if f not in CRITERIA_FIELDS]
    if unknown or not fields:
        raise ValueError(f"OB74 criteria {fields}: use some of {sorted(CRITERIA_FIELDS)}")
    db.execute("INSERT OR REPLACE INTO SIM_STATE VALUES (?, ?)", (STATE_KEY, ",".join(fields)))


def automatic_clearing(db: sqlite3.Connection, bukrs: str, today: date) -> int:
    """Clear every group of (customer, currency, criteria values) that has debits and credits
    and nets to zero. Returns the number of clearing documents."""
    fields = criteria(db)
    columns = ["KUNNR", "WAERS", *fields, "GJAHR", "BELNR", "BUZEI", "SHKZG", "WRBTR"]
    groups: dict[tuple, list[tuple]] = defaultdict(list)
    for row in db.execute(f"SELECT {', '.join(columns)} FROM BSID WHERE BUKRS = ? AND "
                          "UMSKZ = ''", (bukrs,)):
        values = dict(zip(columns, row, strict=False))
        group = (values["KUNNR"], values["WAERS"], *(values[f] for f in fields))
        if any(not values[f] for f in fields):
            continue  # an empty criterion matches nothing
        groups[group].append((values["GJAHR"], values["BELNR"], values["BUZEI"],
                              values["SHKZG"], Decimal(values["WRBTR"])))
    documents, dats = 0, to_dats(today)
    for (kunnr, waers, *_), items in sorted(groups.items()):
        sides = {s for *_, s, _ in items}
        balance = sum((a if s == "S" else -a for *_, s, a in items), Decimal(0))
        if sides != {"S", "H"} or balance != 0:
            continue
        belnr = _next_number(db, bukrs=bukrs, blart="AB", year=dats[:4])
        _header(db, bukrs=bukrs, belnr=belnr, gjahr=dats[:4], blart="AB", bldat=dats,
                budat=dats, xblnr="", bktxt="F.13 automatic clearing", waers=waers,
                tcode="F.13", today=dats)
        for gjahr, item_belnr, buzei, *_ in items:
            key = (bukrs, kunnr, gjahr, item_belnr, buzei)
            _clear(db, "BUKRS = ? AND KUNNR = ? AND GJAHR = ? AND BELNR = ? AND BUZEI = ?",
                   key, belnr, dats)
            db.execute("UPDATE BSEG SET AUGBL = ?, AUGDT = ? WHERE BUKRS = ? AND KUNNR = ? "
                       "AND GJAHR = ? AND BELNR = ? AND BUZEI = ?", (belnr, dats, *key))
        documents += 1
    return documents


__all__ = ["BSID_FIELDS", "automatic_clearing", "criteria", "set_criteria"]
