"""The debtors' book: cleared customer items (BSAD) mirrored beside the open items, for the
age analysis as at any past date; commentary per client; the record of statements sent.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sync.types import Money, UtcDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cleared_item",
        sa.Column("company_code", sa.String(4), primary_key=True),
        sa.Column("document", sa.String(10), primary_key=True),
        sa.Column("fiscal_year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("line", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("customer", sa.String(10), nullable=False),
        sa.Column("amount", Money(), nullable=False),
        sa.Column("currency", sa.String(5), nullable=False),
        sa.Column("posting_date", sa.Date(), nullable=False),
        sa.Column("document_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(16)),
        sa.Column("assignment", sa.String(18)),
        sa.Column("doc_type", sa.String(2), nullable=False),
        sa.Column("billing_document", sa.String(10)),
        sa.Column("clearing_date", sa.Date(), nullable=False),
        sa.Column("clearing_document", sa.String(10)),
        sa.Column("synced_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_cleared_item_customer", "cleared_item", ["company_code", "customer"])
    op.create_index("ix_cleared_item_cleared", "cleared_item", ["clearing_date"])
    op.create_table(
        "customer_comment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("company_code", sa.String(4), nullable=False),
        sa.Column("customer", sa.String(10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(80), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_customer_comment_customer", "customer_comment",
                    ["company_code", "customer"])
    op.create_table(
        "customer_statement",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("company_code", sa.String(4), nullable=False),
        sa.Column("customer", sa.String(10), nullable=False),
        sa.Column("schedule", sa.String(10), nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("recipient", sa.String(241)),
        sa.Column("pdf", sa.String(300)),
        sa.Column("detail", sa.Text()),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("sent_at", UtcDateTime()),
        sa.UniqueConstraint("company_code", "customer", "schedule", "period",
                            name="uq_customer_statement_period"),
    )


def downgrade() -> None:
    op.drop_table("customer_statement")
    op.drop_table("customer_comment")
    op.drop_table("cleared_item")
