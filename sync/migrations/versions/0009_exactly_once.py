"""Exactly once towards SAP: the installation's own id (in every idempotency key), when an
allocation was last sent to SAP (its outcome is in doubt until SAP's longest execution has
passed), and the boot of a claim's owner (a dead pid on this host is provably dead only
within the same boot).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sync.types import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "installation",
        sa.Column("id", sa.String(8), primary_key=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    with op.batch_alter_table("allocation") as batch:
        batch.add_column(sa.Column("sent_at", UtcDateTime(), nullable=True))
    with op.batch_alter_table("work_claim") as batch:
        batch.add_column(sa.Column("owner_boot", sa.String(40), nullable=True))
    # allocations left in 'posting' by an older version may have reached SAP: treat them as
    # sent (now), so they are looked up, and posted again only after SAP's longest execution
    op.get_bind().execute(sa.text(
        "UPDATE allocation SET sent_at = updated_at WHERE state = 'posting'"))


def downgrade() -> None:
    with op.batch_alter_table("work_claim") as batch:
        batch.drop_column("owner_boot")
    with op.batch_alter_table("allocation") as batch:
        batch.drop_column("sent_at")
    op.drop_table("installation")
