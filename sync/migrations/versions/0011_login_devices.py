"""Known login devices: a browser that logged in as a user before is not locked out by
someone else's wrong passwords for that user (issue 18, item 5).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sync.types import UtcDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_device",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("admin_user.id"), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("last_used_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_login_device_user_id", "login_device", ["user_id"])
    with op.batch_alter_table("login_attempt") as batch:
        batch.add_column(sa.Column("device", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("login_attempt") as batch:
        batch.drop_column("device")
    op.drop_table("login_device")
