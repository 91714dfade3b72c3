"""cXML payloadIDs sent and received (exactly once over HTTP; idempotent inbound messages).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sync.types import UtcDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cxml_payload",
        sa.Column("payload_id", sa.String(250), primary_key=True),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("portal", sa.String(40), nullable=False),
        sa.Column("document", sa.String(35), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=True),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("response_code", sa.Integer(), nullable=True),
        sa.Column("response_text", sa.Text(), nullable=True),
    )
    op.create_index("ix_cxml_payload_upload_id", "cxml_payload", ["upload_id"])


def downgrade() -> None:
    op.drop_index("ix_cxml_payload_upload_id", table_name="cxml_payload")
    op.drop_table("cxml_payload")
