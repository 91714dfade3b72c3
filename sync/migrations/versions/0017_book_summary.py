"""The debtors' dashboard summed ahead of the page.

``book_version``: one row whose number the database raises on every write to what the
dashboard sums (open and cleared items, customers, billing documents, commentary), by
trigger, so no writer can forget it: per statement on PostgreSQL, per row on SQLite (which
has no statement triggers; about a microsecond a row). ``book_summary``: the dashboard's
figures kept per key (key date, currency, bucket edges) with the version they were summed
at; the page reads them only while that version is current.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sync.types import UtcDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TABLES = ("open_item", "cleared_item", "customer", "billing_document", "customer_comment")
BUMP = "UPDATE book_version SET version = version + 1 WHERE id = 1"


def upgrade() -> None:
    op.create_table(
        "book_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO book_version (id, version) VALUES (1, 0)")
    op.create_table(
        "book_summary",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("computed_at", UtcDateTime(), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION bump_book_version() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN {BUMP}; RETURN NULL; END $$")
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_book_version AFTER INSERT OR UPDATE OR DELETE "
                       f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
                       "EXECUTE FUNCTION bump_book_version()")
        return
    for table in TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_book_version_{event.lower()} AFTER {event} "
                       f"ON {table} FOR EACH ROW BEGIN {BUMP}; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_book_version ON {table}")
        op.execute("DROP FUNCTION bump_book_version()")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_book_version_{event}")
    op.drop_table("book_summary")
    op.drop_table("book_version")
