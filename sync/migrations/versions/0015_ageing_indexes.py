"""Covering indexes for the age analysis: each branch of the as-at query (items still open,
posted by the date; items cleared after the date) is read from one index in (company code,
customer, currency) order, so the database sums a million items without touching the table
and without sorting.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

OPEN_COLUMNS = ["company_code", "customer", "currency", "posting_date", "due_date",
                "document_date", "amount"]
CLEARED_COLUMNS = ["company_code", "customer", "currency", "clearing_date", "posting_date",
                   "due_date", "document_date", "amount", "document", "fiscal_year", "line"]


def upgrade() -> None:
    op.create_index("ix_open_item_ageing", "open_item", OPEN_COLUMNS, unique=False)
    op.create_index("ix_cleared_item_ageing", "cleared_item", CLEARED_COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index("ix_cleared_item_ageing", table_name="cleared_item")
    op.drop_index("ix_open_item_ageing", table_name="open_item")
