"""Small look-ups the book's commands share: the ledger's "today" and a customer's company
code."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import Connection, func, select

from config.errors import ConfigError
from sync.mirror.models import CustomerRow, SyncCursorRow
from sync.tables import table_of

CUSTOMERS = table_of(CustomerRow)
CURSORS = table_of(SyncCursorRow)


def ledger_today(conn: Connection) -> date:
    """The key date by default: the latest day the open items were pulled as at (SAP's
    today, which the simulator may set), else the calendar's today."""
    stamp = conn.execute(select(func.max(CURSORS.c.since)).where(
        CURSORS.c.entity == "open_items")).scalar_one_or_none()
    if stamp:
        return datetime.strptime(stamp, "%Y%m%d").date()
    return datetime.now(timezone.utc).date()


def known(conn: Connection, customer: str) -> None:
    """Refuse a customer number the store does not hold (a typo would show an empty book)."""
    if conn.execute(select(CUSTOMERS.c.number).where(
            CUSTOMERS.c.number == customer).limit(1)).first() is None:
        raise ConfigError(f"customer {customer} is not in the store: check the number, or "
                          "pull from SAP first (arbridge sap pull)")


def company_code_of(conn: Connection, customer: str) -> str:
    codes = list(conn.execute(select(CUSTOMERS.c.company_code).where(
        CUSTOMERS.c.number == customer)).scalars())
    if not codes:
        raise ConfigError(f"customer {customer} is not in the store: check the number, or "
                          "pull from SAP first (arbridge sap pull)")
    if len(codes) > 1:
        raise ConfigError(f"customer {customer} is in company codes {', '.join(codes)}: "
                          "name one with --company-code")
    return codes[0]
