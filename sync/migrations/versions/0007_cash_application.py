"""Cash application: bank statements and entries, remittance advices, allocations, correcting
journals, learned payer accounts.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sync.types import Money, UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = (
    "correcting_journal",
    "allocation",
    "remittance_line",
    "remittance_advice",
    "bank_entry",
    "payer_account",
    "bank_statement",
)


def upgrade() -> None:
    op.create_table(
        "bank_statement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity", sa.String(length=64), nullable=False),
        sa.Column("account", sa.String(length=40), nullable=False),
        sa.Column("currency", sa.String(length=5), nullable=False),
        sa.Column("statement_ref", sa.String(length=80), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("opening", Money(), nullable=True),
        sa.Column("closing", Money(), nullable=True),
        sa.Column("from_date", sa.Date(), nullable=True),
        sa.Column("to_date", sa.Date(), nullable=True),
        sa.Column("unbalanced", sa.Boolean(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("imported_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("identity"),
    )
    op.create_table(
        "payer_account",
        sa.Column("account", sa.String(length=40), nullable=False),
        sa.Column("company_code", sa.String(length=4), nullable=False),
        sa.Column("customer", sa.String(length=10), nullable=False),
        sa.Column("confirmations", sa.Integer(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("account"),
    )
    op.create_table(
        "bank_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity", sa.String(length=64), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=40), nullable=False),
        sa.Column("currency", sa.String(length=5), nullable=False),
        sa.Column("direction", sa.String(length=4), nullable=False),
        sa.Column("amount", Money(), nullable=False),
        sa.Column("booking_date", sa.Date(), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column("reference", sa.String(length=140), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("payer_name", sa.String(length=140), nullable=False),
        sa.Column("payer_account", sa.String(length=40), nullable=False),
        sa.Column("bank_ref", sa.String(length=80), nullable=False),
        sa.Column("reversal", sa.Boolean(), nullable=False),
        sa.Column("return_reason", sa.String(length=35), nullable=False),
        sa.Column("original_ref", sa.String(length=80), nullable=False),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("is_receipt", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("remittance", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["bank_entry.id"],
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["bank_statement.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("identity"),
    )
    op.create_index("ix_bank_entry_state", "bank_entry", ["state", "booking_date"], unique=False)
    op.create_index(
        op.f("ix_bank_entry_statement_id"), "bank_entry", ["statement_id"], unique=False
    )
    op.create_table(
        "allocation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("company_code", sa.String(length=4), nullable=False),
        sa.Column("customer", sa.String(length=10), nullable=False),
        sa.Column("currency", sa.String(length=5), nullable=False),
        sa.Column("amount", Money(), nullable=False),
        sa.Column("on_account", Money(), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=16), nullable=False),
        sa.Column("sap_document", sa.String(length=10), nullable=True),
        sa.Column("sap_fiscal_year", sa.Integer(), nullable=True),
        sa.Column("sap_messages", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=80), nullable=True),
        sa.Column("lease_until", UtcDateTime(), nullable=True),
        sa.Column("approved_by", sa.String(length=80), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["receipt_id"],
            ["bank_entry.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index(op.f("ix_allocation_receipt_id"), "allocation", ["receipt_id"], unique=False)
    op.create_index(op.f("ix_allocation_state"), "allocation", ["state"], unique=False)
    op.create_table(
        "remittance_advice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity", sa.String(length=64), nullable=False),
        sa.Column("payer", sa.String(length=140), nullable=False),
        sa.Column("payment_reference", sa.String(length=140), nullable=False),
        sa.Column("advice_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=5), nullable=False),
        sa.Column("total", Money(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["receipt_id"],
            ["bank_entry.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("identity"),
    )
    op.create_index(
        op.f("ix_remittance_advice_payment_reference"),
        "remittance_advice",
        ["payment_reference"],
        unique=False,
    )
    op.create_table(
        "correcting_journal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("allocation_id", sa.Integer(), nullable=False),
        sa.Column("new_allocation_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("target", sa.String(length=400), nullable=False),
        sa.Column("documents", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("claimed_by", sa.String(length=80), nullable=True),
        sa.Column("lease_until", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["allocation_id"],
            ["allocation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["new_allocation_id"],
            ["allocation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_correcting_journal_allocation_id"),
        "correcting_journal",
        ["allocation_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_correcting_journal_state"), "correcting_journal", ["state"], unique=False
    )
    op.create_table(
        "remittance_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("advice_id", sa.Integer(), nullable=False),
        sa.Column("invoice_ref", sa.String(length=40), nullable=False),
        sa.Column("paid", Money(), nullable=False),
        sa.Column("deduction", Money(), nullable=False),
        sa.Column("reason", sa.String(length=140), nullable=False),
        sa.ForeignKeyConstraint(
            ["advice_id"],
            ["remittance_advice.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_remittance_line_advice_id"), "remittance_line", ["advice_id"], unique=False
    )


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
