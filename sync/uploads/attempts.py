"""Attempts left open by a crash, and which attempts count against ``max_attempts``.

A run killed mid-upload leaves its attempt without an end. The next attempt looks the invoice
up on the portal first; once that lookup has answered, every attempt still open is closed as
``interrupted``. An interrupted attempt does not count against ``max_attempts`` (the lookup
proved the invoice never reached the portal, or found it there and the upload is done), nor
does one that only waited for its PDF. An invoice whose attempts crashed a run twice (a
portal's ``crashes_before_set_aside``) is set aside for a person (the poison rule): it is
never retried forever.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, func, select, update

from sync.tables import table_of
from sync.uploads.models import UploadAttemptRow

ATTEMPTS = table_of(UploadAttemptRow)
INTERRUPTED = "interrupted"
WAITING = "waiting"
UNCOUNTED = (INTERRUPTED, WAITING)
HELD = "held"
NEVER_SUBMITTED = (HELD, WAITING)  # outcomes decided before the portal's submit was touched
FAILED = ("retry", "failed")
CRASHES_BEFORE_SET_ASIDE = 2  # the default of a portal's crashes_before_set_aside


def open_attempts(conn: Connection, upload_id: int, *, besides: int | None = None) -> list[int]:
    """Ids of the upload's attempts with no end (a run died during them)."""
    query = select(ATTEMPTS.c.id).where(ATTEMPTS.c.upload_id == upload_id,
                                        ATTEMPTS.c.finished_at.is_(None))
    if besides is not None:
        query = query.where(ATTEMPTS.c.id != besides)
    return list(conn.execute(query).scalars())


def close_interrupted(conn: Connection, upload_id: int, *, current: int, now: datetime,
                      on_portal: bool) -> int:
    """Close the attempts a crash left open, once a lookup has answered. Returns how many."""
    orphans = open_attempts(conn, upload_id, besides=current)
    if not orphans:
        return 0
    detail = ("the run ended during this attempt; the invoice was found on the portal "
              "afterwards" if on_portal else
              "the run ended during this attempt; the portal was checked afterwards and did "
              "not have the invoice (not counted against max_attempts)")
    conn.execute(update(ATTEMPTS).where(ATTEMPTS.c.id.in_(orphans)).values(
        finished_at=now, outcome=INTERRUPTED, detail=detail))
    return len(orphans)


def crashes(conn: Connection, upload_id: int) -> int:
    """How many of the upload's attempts ended with the run dying under them."""
    return int(conn.execute(select(func.count()).select_from(ATTEMPTS).where(
        ATTEMPTS.c.upload_id == upload_id,
        (ATTEMPTS.c.finished_at.is_(None)) | (ATTEMPTS.c.outcome == INTERRUPTED))).scalar_one())


def set_aside_orphans(conn: Connection, upload_id: int, *, now: datetime) -> None:
    """Close the open attempts of an upload set aside by the poison rule."""
    conn.execute(update(ATTEMPTS).where(ATTEMPTS.c.upload_id == upload_id,
                                        ATTEMPTS.c.finished_at.is_(None)).values(
        finished_at=now, outcome=INTERRUPTED,
        detail="the run ended during this attempt; set aside for a person"))


def uncounted(conn: Connection, upload_id: int) -> int:
    """Attempts that do not count against ``max_attempts`` (interrupted, waiting for a PDF)."""
    return int(conn.execute(select(func.count()).select_from(ATTEMPTS).where(
        ATTEMPTS.c.upload_id == upload_id, ATTEMPTS.c.outcome.in_(UNCOUNTED))).scalar_one())


def may_have_reached_portal(conn: Connection, upload_id: int, *, besides: int) -> bool:
    """Whether an earlier attempt of the upload may have submitted it: any attempt other
    than ``besides`` that is still open (a run died in it) or ended other than held or
    waiting for its PDF (both decided before the submit). False proves, together with the
    upload's claim, that arbridge never sent the invoice."""
    return bool(conn.execute(select(func.count()).select_from(ATTEMPTS).where(
        ATTEMPTS.c.upload_id == upload_id, ATTEMPTS.c.id != besides,
        (ATTEMPTS.c.finished_at.is_(None)) | (ATTEMPTS.c.outcome.is_(None)) |
        (ATTEMPTS.c.outcome.not_in(NEVER_SUBMITTED)))).scalar_one())


def previous_failed(conn: Connection, upload_id: int, *, besides: int) -> bool:
    """Whether the upload's latest attempt before ``besides`` ended in a failure on the portal
    (retry or failed) — not a crash, a hold or a wait for the PDF: what makes the next
    attempt worth recording in full detail."""
    outcome = conn.execute(select(ATTEMPTS.c.outcome).where(
        ATTEMPTS.c.upload_id == upload_id, ATTEMPTS.c.id != besides).order_by(
        ATTEMPTS.c.id.desc()).limit(1)).scalar()
    return outcome in FAILED
