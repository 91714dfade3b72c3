"""Billing documents' amounts as SAP keeps them: VAT rounded half up per item (VBRP-MWSBP),
the header's net and VAT (VBRK-NETWR, MWSBK) the sums of its items'. Used by the test hooks
that change amounts "in SAP" (VF02 repricing, VF01 credit memos)."""

from __future__ import annotations

import sqlite3
from decimal import ROUND_HALF_UP, Decimal

from sap.simulator.seed import CURRENCY_DECIMALS, VAT_RATE, internal


def vat(net: Decimal, currency: str) -> Decimal:
    """SAP's VAT on one item: the rate on its net, rounded half up to the currency's unit."""
    places = CURRENCY_DECIMALS.get(currency, 2)
    return (net * VAT_RATE).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _real(stored: str, places: int) -> Decimal:
    return Decimal(stored or "0").scaleb(2 - places).quantize(Decimal(1).scaleb(-places))


def reprice(db: sqlite3.Connection, vbeln: str, *, net: Decimal | None = None,
            factor: Decimal | None = None) -> None:
    """Set the items' nets (each times ``factor``, or the new ``net`` shared out in proportion
    to the old ones, the rest on the last item), their VAT, and the header's sums. A document
    without items gets the header alone (net and VAT on it)."""
    waerk = db.execute("SELECT WAERK FROM VBRK WHERE VBELN = ?", (vbeln,)).fetchone()[0]
    places = CURRENCY_DECIMALS.get(waerk, 2)
    unit = Decimal(1).scaleb(-places)
    items = db.execute("SELECT POSNR, NETWR FROM VBRP WHERE VBELN = ? ORDER BY POSNR",
                       (vbeln,)).fetchall()
    old = [(posnr, _real(netwr, places)) for posnr, netwr in items]
    if not old:
        head = _real(db.execute("SELECT NETWR FROM VBRK WHERE VBELN = ?",
                                (vbeln,)).fetchone()[0], places)
        total = net if net is not None else (head * (factor or 1)).quantize(unit, ROUND_HALF_UP)
        db.execute("UPDATE VBRK SET NETWR = ?, MWSBK = ? WHERE VBELN = ?",
                   (internal(total, waerk), internal(vat(total, waerk), waerk), vbeln))
        return
    if net is None:
        new = [(p, (n * (factor or 1)).quantize(unit, ROUND_HALF_UP)) for p, n in old]
    else:
        before = sum((n for _, n in old), Decimal(0)) or Decimal(1)
        new = [(p, (net * n / before).quantize(unit, ROUND_HALF_UP)) for p, n in old[:-1]]
        new.append((old[-1][0], net - sum((n for _, n in new), Decimal(0))))
    for posnr, value in new:
        db.execute("UPDATE VBRP SET NETWR = ?, MWSBP = ? WHERE VBELN = ? AND POSNR = ?",
                   (internal(value, waerk), internal(vat(value, waerk), waerk), vbeln, posnr))
    total = sum((n for _, n in new), Decimal(0))
    tax = sum((vat(n, waerk) for _, n in new), Decimal(0))
    db.execute("UPDATE VBRK SET NETWR = ?, MWSBK = ? WHERE VBELN = ?",
               (internal(total, waerk), internal(tax, waerk), vbeln))
