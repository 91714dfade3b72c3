"""The billing document's reference (VBRK-XBLNR; S/4 DocumentReferenceID): a credit memo's
invoice, so that a credit memo goes to a cXML network against the invoice it credits.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("billing_document") as table:
        table.add_column(sa.Column("reference", sa.String(16), nullable=True))


def downgrade() -> None:
    # a plain DROP COLUMN (SQLite 3.35+), not batch mode: batch would rebuild the table on
    # SQLite and lose its book-version triggers (0017)
    op.drop_column("billing_document", "reference")
