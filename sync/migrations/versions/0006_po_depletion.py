"""PO depletion: the PO ledger and its balance history, alerts, deliveries, the outbox and
administrators' PO re-assignments.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sync.types import Money, UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "po_ledger",
        sa.Column("portal", sa.String(40), primary_key=True),
        sa.Column("number", sa.String(35), primary_key=True),
        sa.Column("customer", sa.String(10)),
        sa.Column("customer_name", sa.String(80)),
        sa.Column("total", Money(), nullable=False),
        sa.Column("invoiced", Money(), nullable=False),
        sa.Column("pending", Money(), nullable=False),
        sa.Column("remaining", Money(), nullable=False),
        sa.Column("currency", sa.String(5), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("valid_to", sa.Date()),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("own_invoiced", Money(), nullable=False),
        sa.Column("mismatch", sa.Text()),
        sa.Column("first_seen_at", UtcDateTime(), nullable=False),
        sa.Column("read_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "po_balance_read",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("portal", sa.String(40), nullable=False),
        sa.Column("number", sa.String(35), nullable=False),
        sa.Column("read_at", UtcDateTime(), nullable=False),
        sa.Column("total", Money(), nullable=False),
        sa.Column("invoiced", Money(), nullable=False),
        sa.Column("remaining", Money(), nullable=False),
        sa.Column("currency", sa.String(5), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
    )
    op.create_index("ix_po_balance_read_po", "po_balance_read", ["portal", "number", "read_at"])
    op.create_table(
        "po_alert",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("portal", sa.String(40), nullable=False),
        sa.Column("po_number", sa.String(35), nullable=False),
        sa.Column("customer", sa.String(10)),
        sa.Column("rule", sa.String(20), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.Column("opened_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("closed_at", UtcDateTime()),
        sa.Column("close_reason", sa.String(200)),
        sa.Column("acknowledged_by", sa.String(80)),
        sa.Column("acknowledged_at", UtcDateTime()),
    )
    op.create_index("ix_po_alert_state", "po_alert", ["state"])
    op.create_index("ux_po_alert_open", "po_alert", ["portal", "po_number", "rule"], unique=True,
                    sqlite_where=sa.text("state = 'open'"),
                    postgresql_where=sa.text("state = 'open'"))
    op.create_table(
        "alert_delivery",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("alert_id", sa.Integer(), sa.ForeignKey("po_alert.id"), nullable=False),
        sa.Column("recipient", sa.String(60), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("sent_at", UtcDateTime()),
        sa.UniqueConstraint("alert_id", "recipient", "level"),
    )
    op.create_index("ix_alert_delivery_alert_id", "alert_delivery", ["alert_id"])
    op.create_index("ix_alert_delivery_state", "alert_delivery", ["state"])
    op.create_table(
        "alert_outbox",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(120), nullable=False, unique=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
    )
    op.create_table(
        "po_assignment",
        sa.Column("billing_document", sa.String(10), primary_key=True),
        sa.Column("po_number", sa.String(35), nullable=False),
        sa.Column("sap_po", sa.String(35)),
        sa.Column("assigned_by", sa.String(80), nullable=False),
        sa.Column("assigned_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    for table in ("po_assignment", "alert_outbox", "alert_delivery", "po_alert",
                  "po_balance_read", "po_ledger"):
        op.drop_table(table)
