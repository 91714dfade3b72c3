"""The portal upload state machine (pure).

::

    queued ──▶ review ──▶ ready ──▶ submitting ──▶ submitted ──▶ approved ──▶ paid
      │          │          │  ▲        │  │  │                  disputed / rejected
      └──────────┴──▶ held ◀┘  └────────┘  │  └──▶ held  (the PO no longer fits)
                         ▲     technical    └──▶ failed (a person: rejected, page changed,
                         │     retry              retries used up) ──▶ ready (retry)
                         └── released when a new PO or a top-up arrives (sync.po.release)

A person may also cancel an upload that is not on the portal (``cancelled``: it will never be
sent) or mark one as submitted by hand (review, held, failed or rejected ──▶ submitted): the
runner then follows it on the portal like any other. ``sync.uploads.actions`` says which of
these moves a person may make from where.

``submitting`` is entered, with an attempt recorded, *before* the portal is touched; after a
crash the next run looks the invoice up on the portal before anything else.
"""

from __future__ import annotations

from typing import Literal

from sync.errors import IllegalTransition

State = Literal["queued", "review", "ready", "held", "submitting", "submitted", "approved",
                "paid", "disputed", "rejected", "failed", "cancelled"]

STATES: tuple[State, ...] = ("queued", "review", "ready", "held", "submitting", "submitted",
                             "approved", "paid", "disputed", "rejected", "failed", "cancelled")
ON_PORTAL: frozenset[str] = frozenset({"submitted", "approved", "paid", "disputed", "rejected"})

# How ``status``, ``demo --json`` and ``portals queue --state`` group the states: waiting
# (queued, ready or being submitted), on the portal (whatever the client did since), held,
# in review, failed.
STATE_GROUPS: dict[str, tuple[str, ...]] = {
    "queued": ("queued", "ready", "submitting"),
    "submitted": tuple(s for s in STATES if s in ON_PORTAL),
    "held": ("held",), "review": ("review",), "failed": ("failed",),
}


def grouped(by_state: dict[str, int]) -> dict[str, int]:
    """Counts per state → counts per group (the ``portals`` section of ``demo --json``)."""
    return {group: sum(by_state.get(s, 0) for s in states)
            for group, states in STATE_GROUPS.items()}

TRANSITIONS: dict[str, frozenset[str]] = {
    "queued": frozenset({"review", "ready", "held", "cancelled"}),
    "review": frozenset({"ready", "held", "submitted", "cancelled"}),
    "ready": frozenset({"submitting", "held", "failed", "cancelled"}),
    "held": frozenset({"ready", "review", "submitted", "cancelled"}),
    "submitting": frozenset({"submitted", "ready", "held", "failed"}),
    "submitted": frozenset({"approved", "paid", "disputed", "rejected"}),
    "approved": frozenset({"paid", "disputed", "rejected"}),
    "disputed": frozenset({"approved", "paid", "rejected"}),
    "rejected": frozenset({"ready", "submitted", "cancelled"}),
    "failed": frozenset({"ready", "submitted", "cancelled"}),
    "paid": frozenset(),
    "cancelled": frozenset(),
}


def check(current: str, target: str, *, upload: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise IllegalTransition(f"upload {upload}: cannot go from {current} to {target}")
