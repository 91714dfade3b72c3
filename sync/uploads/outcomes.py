"""What one upload attempt's outcome does to the store, as plain data (no I/O).

The upload attempt (``portals.upload_attempt``) ends in one of these outcomes, and
:func:`store_change` says what the store must record for it:

    outcome     PO reservation   upload goes to
    submitted   settled          submitted
    found       settled          submitted (already on the portal: not sent again)
    held        dropped          held, the reason kept (a person must get a new PO …)
    failed      dropped          failed, the reason kept (a person)
    waiting     dropped          ready, asked again after PDF_WAIT (not counted as an attempt)
    retry       dropped          ready with backoff, or failed once the attempts are used up
                                 (``sync.uploads.queue.retry_later`` decides)

:func:`recorded_outcome` names what the attempt is recorded and counted as once the store has
decided a retry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

PDF_WAIT = timedelta(minutes=15)  # a PDF not there yet is looked for again after this
DEFAULT_MAX_ATTEMPTS = 5  # when the portal's account is not known (its settings say otherwise)
SETTLED = ("submitted", "found")  # outcomes whose PO reservation becomes a use of the PO


@dataclass(frozen=True, slots=True)
class StoreChange:
    """The store change for one outcome.

    ``reservation``: what becomes of the upload's PO reservation. ``retry``: the upload goes
    through ``retry_later`` (backoff or give up), and ``state``/``reason`` are unused;
    otherwise it moves to ``state`` with ``reason``, and ``next_attempt_at`` is set only when
    it is not None.
    """

    reservation: Literal["settle", "drop"]
    state: str | None
    reason: str | None
    next_attempt_at: datetime | None = None
    retry: bool = False


def store_change(outcome: str, detail: str, *, now: datetime) -> StoreChange:
    """The store change for ``outcome`` (``detail``: the attempt's message), at ``now``.
    An outcome not in the table above is a technical failure: retried."""
    reservation: Literal["settle", "drop"] = "settle" if outcome in SETTLED else "drop"
    if outcome in SETTLED:
        return StoreChange(reservation, "submitted", None)
    if outcome in ("held", "failed"):
        return StoreChange(reservation, outcome, detail)
    if outcome == "waiting":  # not counted against max_attempts
        return StoreChange(reservation, "ready", detail, next_attempt_at=now + PDF_WAIT)
    return StoreChange(reservation, None, None, retry=True)


def recorded_outcome(outcome: str, change: StoreChange, state_after: str | None) -> str:
    """What the attempt is recorded and counted as: a retry whose attempts are used up
    (``state_after`` ``failed``) is a failure; any other retry stays ``retry``."""
    if not change.retry:
        return outcome
    return "failed" if state_after == "failed" else "retry"
