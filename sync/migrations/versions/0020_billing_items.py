"""The billing documents' items (VBRP; S/4 A_BillingDocumentItem): what was billed and SAP's VAT
per item, so that a cXML invoice has one line per SAP item with SAP's VAT to the cent.
Documents pulled before this revision have no items until they are pulled again.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sync.types import Money

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "billing_item",
        sa.Column("billing_document", sa.String(10), nullable=False),
        sa.Column("item", sa.String(6), nullable=False),
        sa.Column("material", sa.String(40), nullable=True),
        sa.Column("description", sa.String(40), nullable=True),
        sa.Column("quantity", Money(), nullable=False),
        sa.Column("unit", sa.String(3), nullable=True),
        sa.Column("net", Money(), nullable=False),
        sa.Column("tax", Money(), nullable=False),
        sa.PrimaryKeyConstraint("billing_document", "item"),
    )


def downgrade() -> None:
    op.drop_table("billing_item")
