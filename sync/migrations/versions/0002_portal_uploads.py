"""Portal upload queue, upload attempts and portal PO balances.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sync.types import Money, UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portal_upload",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("billing_document", sa.String(10), nullable=False, unique=True),
        sa.Column("portal", sa.String(40), nullable=False),
        sa.Column("company_code", sa.String(4), nullable=False),
        sa.Column("customer", sa.String(10), nullable=False),
        sa.Column("invoice_number", sa.String(20), nullable=False),
        sa.Column("po_number", sa.String(35)),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column("net", Money(), nullable=False),
        sa.Column("tax", Money(), nullable=False),
        sa.Column("gross", Money(), nullable=False),
        sa.Column("currency", sa.String(5), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime()),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_portal_upload_portal", "portal_upload", ["portal"])
    op.create_index("ix_portal_upload_state", "portal_upload", ["state"])
    op.create_table(
        "upload_attempt",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("upload_id", sa.Integer(), sa.ForeignKey("portal_upload.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(80), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime()),
        sa.Column("outcome", sa.String(20)),
        sa.Column("detail", sa.Text()),
        sa.Column("evidence", sa.String(500)),
    )
    op.create_index("ix_upload_attempt_upload_id", "upload_attempt", ["upload_id"])
    op.create_table(
        "portal_po",
        sa.Column("portal", sa.String(40), primary_key=True),
        sa.Column("number", sa.String(35), primary_key=True),
        sa.Column("total", Money(), nullable=False),
        sa.Column("invoiced", Money(), nullable=False),
        sa.Column("remaining", Money(), nullable=False),
        sa.Column("currency", sa.String(5), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("valid_to", sa.Date()),
        sa.Column("read_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    for table in ("portal_po", "upload_attempt", "portal_upload"):
        op.drop_table(table)
