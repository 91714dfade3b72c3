"""Two open invoices of different customers, for CLI tests."""

from __future__ import annotations

from sqlalchemy import select

from sync.mirror.models import OpenItemRow


def two_invoices(store):  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        rows = conn.execute(select(OpenItemRow).where(
            OpenItemRow.amount > 0, OpenItemRow.currency == "ZAR",
            OpenItemRow.billing_document.is_not(None)).order_by(OpenItemRow.document)).all()
    first = rows[0]
    second = next(r for r in rows if r.customer != first.customer and r.amount >= first.amount)
    return first, second
