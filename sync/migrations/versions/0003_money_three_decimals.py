"""Money columns keep three decimals (KWD, BHD and other three-decimal currencies).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

On PostgreSQL the NUMERIC(17, 2) columns become NUMERIC(17, 3); values are unchanged. SQLite
stores money as exact text already: nothing to do there.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = {
    "billing_document": ("net", "tax", "gross"),
    "open_item": ("amount",),
    "portal_upload": ("net", "tax", "gross"),
    "portal_po": ("total", "invoiced", "remaining"),
}


def _retype(scale: int) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in COLUMNS.items():
        for column in columns:
            op.alter_column(table, column, type_=sa.Numeric(17, scale),
                            existing_nullable=False)


def upgrade() -> None:
    _retype(3)


def downgrade() -> None:
    _retype(2)
