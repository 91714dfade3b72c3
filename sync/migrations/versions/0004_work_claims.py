"""Claims on units of work (owner, lease, generation) and the record of job runs.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sync.types import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "work_claim",
        sa.Column("kind", sa.String(40), primary_key=True),
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("owner_host", sa.String(100)),
        sa.Column("owner_pid", sa.Integer()),
        sa.Column("owner_run", sa.String(40)),
        sa.Column("lease_until", UtcDateTime()),
        sa.Column("claimed_at", UtcDateTime()),
        sa.Column("generation", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("previous_owner", sa.String(200)),
        sa.Column("previous_lease_until", UtcDateTime()),
    )
    op.create_index("ix_work_claim_owner_run", "work_claim", ["owner_run"])
    op.create_table(
        "job_run",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("queue", sa.String(80), nullable=False),
        sa.Column("args", sa.Text(), nullable=False),
        sa.Column("retries", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("host", sa.String(100), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime()),
        sa.Column("outcome", sa.String(20)),
        sa.Column("error", sa.Text()),
    )
    op.create_index("ix_job_run_message_id", "job_run", ["message_id"])
    op.create_index("ix_job_run_started_at", "job_run", ["started_at"])


def downgrade() -> None:
    op.drop_table("job_run")
    op.drop_table("work_claim")
