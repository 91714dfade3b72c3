"""PO balance reservations shared by all runs; allocations and journals claimed through
``work_claim``.

Live leases held in the first version's own columns (``allocation.claimed_by``/``lease_until``,
``correcting_journal.claimed_by``/``lease_until``) are copied into ``work_claim``, so a worker
of the new version waits for a posting an old one is still doing. Those columns are left in
place, unused: a worker of the old version still running during a rolling upgrade writes them,
and dropping a column on SQLite rebuilds the whole table.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sync.types import Money, UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

LEGACY = (("allocation", "allocation", "state = 'posting'"),
          ("journal", "correcting_journal", "state = 'pending'"))


def upgrade() -> None:
    op.create_table(
        "po_reservation",
        sa.Column("upload_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("portal", sa.String(40), nullable=False),
        sa.Column("po_number", sa.String(35), nullable=False),
        sa.Column("amount", Money(), nullable=False),
        sa.Column("currency", sa.String(5), nullable=False),
        sa.Column("owner_run", sa.String(40), nullable=False),
        sa.Column("reserved_at", UtcDateTime(), nullable=False),
        sa.Column("settled_at", UtcDateTime()),
    )
    op.create_index("ix_po_reservation_po", "po_reservation", ["portal", "po_number"])
    bind = op.get_bind()
    for kind, table, live in LEGACY:
        rows = bind.execute(sa.text(
            f"SELECT id, claimed_by, lease_until FROM {table} "  # noqa: S608 - constants
            f"WHERE {live} AND claimed_by IS NOT NULL AND lease_until IS NOT NULL")).all()
        for row in rows:
            host, _, pid = str(row.claimed_by).rpartition(":")
            bind.execute(sa.text(
                "INSERT INTO work_claim (kind, key, owner_host, owner_pid, owner_run, "
                "lease_until, claimed_at, generation) VALUES (:kind, :key, :host, :pid, "
                ":run, :lease, :lease, 1)"),
                {"kind": kind, "key": str(row.id), "host": (host or row.claimed_by)[:100],
                 "pid": int(pid) if pid.isdigit() else 0, "run": "legacy",
                 "lease": row.lease_until})


def downgrade() -> None:
    op.drop_index("ix_po_reservation_po", table_name="po_reservation")
    op.drop_table("po_reservation")
