"""The billing document's reference (VBRK-XBLNR; S/4 DocumentReferenceID): a credit memo's
invoice, so that a credit memo goes to a cXML network against the invoice it credits.

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0014"  # 0015/0016 may be taken by other branches: re-chained at merge
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("billing_document") as table:
        table.add_column(sa.Column("reference", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("billing_document") as table:
        table.drop_column("reference")
