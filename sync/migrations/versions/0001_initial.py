"""Customers, billing documents, open items, sync cursors and the audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sync.types import Money, UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer",
        sa.Column("company_code", sa.String(4), primary_key=True),
        sa.Column("number", sa.String(10), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("vat_number", sa.String(20)),
        sa.Column("payment_terms", sa.String(4)),
        sa.Column("email", sa.String(241)),
        sa.Column("phone", sa.String(30)),
        sa.Column("city", sa.String(40)),
        sa.Column("country", sa.String(3)),
        sa.Column("customer_group", sa.String(3)),
        sa.Column("portal", sa.String(40)),
        sa.Column("synced_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_customer_portal", "customer", ["portal"])
    op.create_table(
        "billing_document",
        sa.Column("number", sa.String(10), primary_key=True),
        sa.Column("doc_type", sa.String(4), nullable=False),
        sa.Column("company_code", sa.String(4), nullable=False),
        sa.Column("sold_to", sa.String(10), nullable=False),
        sa.Column("payer", sa.String(10), nullable=False),
        sa.Column("billing_date", sa.Date(), nullable=False),
        sa.Column("net", Money(), nullable=False),
        sa.Column("tax", Money(), nullable=False),
        sa.Column("gross", Money(), nullable=False),
        sa.Column("currency", sa.String(5), nullable=False),
        sa.Column("customer_po", sa.String(35)),
        sa.Column("accounting_document", sa.String(10)),
        sa.Column("fiscal_year", sa.Integer()),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("changed_at", UtcDateTime(), nullable=False),
        sa.Column("synced_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_billing_document_sold_to", "billing_document", ["sold_to"])
    op.create_index("ix_billing_document_customer_po", "billing_document", ["customer_po"])
    op.create_table(
        "open_item",
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
        sa.Column("synced_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_open_item_customer", "open_item", ["company_code", "customer"])
    op.create_index("ix_open_item_billing_document", "open_item", ["billing_document"])
    op.create_table(
        "sync_cursor",
        sa.Column("source", sa.String(20), primary_key=True),
        sa.Column("entity", sa.String(40), primary_key=True),
        sa.Column("scope", sa.String(20), primary_key=True),
        sa.Column("since", sa.String(40)),
        sa.Column("after_key", sa.String(40)),
        sa.Column("high_water", sa.String(40)),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("entity_key", sa.String(80), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
    )
    op.create_index("ix_audit_event_at", "audit_event", ["at"])
    op.create_index("ix_audit_event_entity", "audit_event", ["entity", "entity_key"])


def downgrade() -> None:
    for table in ("audit_event", "sync_cursor", "open_item", "billing_document", "customer"):
        op.drop_table(table)
