"""FI document number ranges, as SAP keeps them: each document type has a number range
(T003-NUMKR), and each range its interval and current number per company code and fiscal year
(NRIV, object RF_BELEG). A document is therefore identified only by its full key: company code,
document number and fiscal year; the same number is used again in the next year, and two
document types never share a range.

The intervals follow SAP's standard where the seed data allows: billing documents (RV) in 14,
payments (DZ) in 15, credit memos (DG) in 16, clearing (AB) in 01, and every other type in 01.
A range's current number starts at the highest number already used in that year, so a
simulator seeded before ranges existed continues without collisions.
"""

from __future__ import annotations

import sqlite3

#: document type -> number range (T003-NUMKR)
DOCUMENT_TYPE_RANGES: dict[str, str] = {"RV": "14", "DZ": "15", "DA": "15", "DG": "16",
                                        "DR": "18", "AB": "01", "SA": "01"}
#: number range -> interval (NRIV-FROMNUMBER, TONUMBER), the same every year
INTERVALS: dict[str, tuple[int, int]] = {
    "01": (100_000_001, 199_999_999), "14": (1_400_000_001, 1_499_999_999),
    "15": (1_500_000_001, 1_599_999_999), "16": (1_600_000_001, 1_699_999_999),
    "18": (1_800_000_001, 1_899_999_999),
}
_LEVEL = "nriv:{bukrs}:{range}:{year}"


class NumberRangeExhausted(Exception):
    """The interval of a range is used up for the year (SAP: message F5 165)."""


def range_of(blart: str) -> str:
    return DOCUMENT_TYPE_RANGES.get(blart, "01")


def _highest_used(db: sqlite3.Connection, bukrs: str, year: str, low: int, high: int) -> int:
    """The highest number of the interval already in use in the year (documents and items)."""
    best = low - 1
    for table in ("BKPF", "BSID", "BSAD"):
        row = db.execute(f"SELECT MAX(BELNR) FROM {table} WHERE BUKRS = ? AND GJAHR = ? AND "
                         "BELNR BETWEEN ? AND ?",
                         (bukrs, year, f"{low:010d}", f"{high:010d}")).fetchone()
        if row and row[0]:
            best = max(best, int(row[0]))
    return best


def next_number(db: sqlite3.Connection, *, bukrs: str, blart: str, year: str) -> str:
    """Draw the next document number for the document type in the company code and year.

    Call inside the caller's write transaction (it serialises as SAP's NRIV buffer does)."""
    number_range = range_of(blart)
    low, high = INTERVALS[number_range]
    key = _LEVEL.format(bukrs=bukrs, range=number_range, year=year)
    row = db.execute("SELECT VALUE FROM SIM_STATE WHERE KEY = ?", (key,)).fetchone()
    current = int(row[0]) if row else _highest_used(db, bukrs, year, low, high)
    number = current + 1
    if number > high:
        raise NumberRangeExhausted(f"number range {number_range} of company code {bukrs} is "
                                   f"exhausted for {year}")
    db.execute("INSERT OR REPLACE INTO SIM_STATE VALUES (?, ?)", (key, str(number)))
    return f"{number:010d}"
