"""The debtors' book, faster and scheduled.

Covering indexes for the age analysis: each branch of the as-at query (items still open,
posted by the date; items cleared after the date) is read from one index in (company code,
customer, currency) order, so the database sums a million items without touching the table
and without sorting.

``report_mailing``: the management pack e-mailed for a month, recorded once per period (the
scheduled job claims it first, so two schedulers or a retried job never send it twice).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sync.types import UtcDateTime

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
    op.create_table(
        "report_mailing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=True),
        sa.Column("file", sa.String(length=300), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "period", name="uq_report_mailing_period"),
    )


def downgrade() -> None:
    op.drop_table("report_mailing")
    op.drop_index("ix_cleared_item_ageing", table_name="cleared_item")
    op.drop_index("ix_open_item_ageing", table_name="open_item")
