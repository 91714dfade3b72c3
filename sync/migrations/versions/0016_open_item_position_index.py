"""A covering index for the collections' read of every customer's position: the grouped sum
per customer and currency walks the index in its order, with no table read and no sort
(bench/collections.py: the daily plan over a million open items).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_open_item_position", "open_item",
                    ["company_code", "customer", "currency", "amount", "due_date"])


def downgrade() -> None:
    op.drop_index("ix_open_item_position", table_name="open_item")
