"""Evidence paths relative to the home.

Until now an upload attempt's evidence folder was stored as written: relative to the folder
the run was started from (``var/evidence/coupa/0090000001/attempt-1`` with the default
``ARBRIDGE_HOME=./var``) or absolute. The web app resolved it against its own working folder,
so started elsewhere (or with the home moved or restored) it found no screenshot. From now on
the store keeps ``evidence/<portal>/<document>/attempt-N``, relative to the home. This
migration rewrites the existing rows to that form: whatever came before the last
``evidence/`` folder is dropped. A value of another shape is left as it is.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

PACK = re.compile(r"(?:^|[/\\])(evidence[/\\][^/\\]+[/\\][^/\\]+[/\\]attempt-\d+)[/\\]?$")
ATTEMPTS = sa.table("upload_attempt", sa.column("id", sa.Integer),
                    sa.column("evidence", sa.String))


def home_relative(stored: str) -> str | None:
    """``evidence/<portal>/<document>/attempt-N`` out of an old stored path, or None."""
    found = PACK.search(stored)
    return found.group(1).replace("\\", "/") if found else None


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(ATTEMPTS.c.id, ATTEMPTS.c.evidence).where(
        ATTEMPTS.c.evidence.is_not(None))).all()
    for row_id, stored in rows:
        new = home_relative(stored)
        if new is not None and new != stored:
            conn.execute(sa.update(ATTEMPTS).where(ATTEMPTS.c.id == row_id).values(
                evidence=new))


def downgrade() -> None:
    """Nothing to undo: a home-relative path is what the old version resolved against its
    working folder when started from the home's parent; older paths are not recoverable."""
