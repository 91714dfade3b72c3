"""Uploads taken through claims: a run works on an upload only while it holds its claim, and
only if, once claimed, the upload is still due (another run may have finished it since the
run listed its work). Portal browser slots are claims too, so a portal's ``concurrency`` is
shared by every run on every host."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine

from sync.txn import writing
from sync.uploads import queue as uploads
from sync.work import claims

UPLOAD = "upload"
PORTAL_SLOT = "portal-slot"


def is_due(upload: uploads.Upload, next_attempt_at: datetime | None, now: datetime) -> bool:
    if upload.state == "submitting":  # interrupted: its previous claim has expired or gone
        return True
    return upload.state == "ready" and (next_attempt_at is None or next_attempt_at <= now)


def claim_upload(engine: Engine, upload_id: int, owner: claims.Owner, *, now: datetime,
                 lease: timedelta) -> tuple[claims.Claim, uploads.Upload] | datetime | None:
    """Claim one upload and return it as it stands now; if another run holds it, when that
    run's lease ends (ask again then: if the run died, the upload is ours to resume); None if
    it is no longer due (then the claim is given straight back)."""
    with writing(engine) as conn:
        claim = claims.take(conn, UPLOAD, str(upload_id), owner, now=now, lease=lease)
        if claim is None:
            return claims.lease_end(conn, UPLOAD, str(upload_id)) or now
        row = conn.execute(uploads.UPLOADS.select().where(  # one read for both
            uploads.UPLOADS.c.id == upload_id)).one()
        current = uploads.upload_of(row)
        if is_due(current, row.next_attempt_at, now):
            return claim, current
        claims.release(conn, claim, now=now)
        return None


def take_slots(engine: Engine, portal: str, owner: claims.Owner, *, wanted: int,
               limit: int, now: datetime, lease: timedelta) -> list[claims.Claim]:
    """Up to ``wanted`` of the portal's ``limit`` browser slots, shared by all runs."""
    taken: list[claims.Claim] = []
    for slot in range(limit):
        if len(taken) >= wanted:
            break
        with writing(engine) as conn:
            claim = claims.take(conn, PORTAL_SLOT, f"{portal}#{slot}", owner, now=now,
                                lease=lease)
        if claim is not None:
            taken.append(claim)
    return taken


def release(engine: Engine, claim: claims.Claim, *, now: datetime) -> None:
    with writing(engine) as conn:
        claims.release(conn, claim, now=now)


def renew(engine: Engine, owner: claims.Owner, *, now: datetime, lease: timedelta) -> int:
    with writing(engine) as conn:
        return claims.renew_all(conn, owner, now=now, lease=lease)
