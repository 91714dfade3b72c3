"""cXML payloadIDs are kept per portal: the key is (portal, payload_id), so a message of one
portal that reuses another portal's payloadID is not taken for a replay of it.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sync.types import UtcDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

COLUMNS = ("payload_id, direction, kind, portal, document, upload_id, attempt_id, created_at, "
           "response_code, response_text")


def _table(name: str, key: tuple[str, ...]) -> None:
    op.create_table(
        name,
        sa.Column("payload_id", sa.String(250), nullable=False),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("portal", sa.String(40), nullable=False),
        sa.Column("document", sa.String(35), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=True),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("response_code", sa.Integer(), nullable=True),
        sa.Column("response_text", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint(*key),
    )


def _rebuild(key: tuple[str, ...]) -> None:
    """The table copied into one with the new key (the same on SQLite and PostgreSQL)."""
    _table("cxml_payload_next", key)
    op.execute(f"INSERT INTO cxml_payload_next ({COLUMNS}) SELECT {COLUMNS} FROM cxml_payload")
    op.drop_index("ix_cxml_payload_upload_id", table_name="cxml_payload")
    op.drop_table("cxml_payload")
    op.rename_table("cxml_payload_next", "cxml_payload")
    if op.get_bind().dialect.name == "postgresql":  # the key keeps the table's usual name
        op.execute("ALTER TABLE cxml_payload RENAME CONSTRAINT cxml_payload_next_pkey "
                   "TO cxml_payload_pkey")
    op.create_index("ix_cxml_payload_upload_id", "cxml_payload", ["upload_id"])


def upgrade() -> None:
    _rebuild(("portal", "payload_id"))


def downgrade() -> None:
    _rebuild(("payload_id",))
