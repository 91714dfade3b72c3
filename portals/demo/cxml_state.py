"""The demo portal's cXML side of its state: PO lines (what a PO flip bills against) and the
payloadIDs received. Kept in the flavour's own SQLite file, beside ``state.PortalState``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from portals.demo.state import PortalState

_SCHEMA = """
CREATE TABLE IF NOT EXISTS po_line (po_number TEXT NOT NULL, line INTEGER NOT NULL,
    part_id TEXT NOT NULL, description TEXT NOT NULL, unit TEXT NOT NULL,
    unit_price TEXT NOT NULL, quantity TEXT, PRIMARY KEY (po_number, line));
CREATE TABLE IF NOT EXISTS cxml_received (payload_id TEXT PRIMARY KEY,
    invoice_number TEXT NOT NULL, received_at REAL NOT NULL);
"""


@dataclass(frozen=True, slots=True)
class DemoPoLine:
    number: int
    part_id: str
    description: str
    unit: str
    unit_price: Decimal
    quantity: Decimal | None  # None: an amount-based line (its amount is the PO's total)

    @property
    def amount(self) -> Decimal | None:
        return None if self.quantity is None else self.quantity * self.unit_price


class CxmlState:
    """PO lines and received payloadIDs of one demo flavour."""

    def __init__(self, state: PortalState) -> None:
        self.state = state
        state._db().executescript(_SCHEMA)

    def add_line(self, po_number: str, line: int, *, part_id: str, description: str,
                 unit: str, unit_price: Decimal, quantity: Decimal | None) -> None:
        self.state._write(
            "INSERT OR REPLACE INTO po_line VALUES (?, ?, ?, ?, ?, ?, ?)",
            (po_number, line, part_id, description, unit, str(unit_price),
             None if quantity is None else str(quantity)))

    def lines(self, po_number: str, description: str | None = None) -> list[DemoPoLine]:
        """The PO's lines; a PO without any has one amount-based service line (described
        as the PO is: ``description``, or looked up)."""
        rows = self.state._query(
            "SELECT line, part_id, description, unit, unit_price, quantity FROM po_line "
            "WHERE po_number = ? ORDER BY line", (po_number,))
        if not rows:
            if description is None:
                po = self.state.purchase_order(po_number)
                description = po.description if po else "Services"
            return [DemoPoLine(1, "SERVICES", description, "EA", Decimal(1), None)]
        return [DemoPoLine(r[0], r[1], r[2], r[3], Decimal(r[4]),
                           None if r[5] is None else Decimal(r[5])) for r in rows]

    def remember(self, payload_id: str, invoice_number: str, at: float) -> bool:
        """Record a payloadID; False if it was received before."""
        cursor = self.state._db().execute("INSERT OR IGNORE INTO cxml_received VALUES (?, ?, ?)",
                                          (payload_id, invoice_number, at))
        return cursor.rowcount == 1

    def payloads(self, invoice_number: str) -> list[str]:
        return [r[0] for r in self.state._query(
            "SELECT payload_id FROM cxml_received WHERE invoice_number = ?", (invoice_number,))]
