"""The portal upload state machine (pure).

::

    queued ──▶ review ──▶ ready ──▶ submitting ──▶ submitted ──▶ approved ──▶ paid
      │          │          │  ▲        │  │  │                  disputed / rejected
      └──────────┴──▶ held ◀┘  └────────┘  │  └──▶ held  (the PO no longer fits)
                         ▲     technical    └──▶ failed (a person: rejected, page changed,
                         │     retry              retries used up) ──▶ ready (retry)
                         └── released when a new PO or a top-up arrives (sync.po_release)

``submitting`` is entered, with an attempt recorded, *before* the portal is touched; after a
crash the next run looks the invoice up on the portal before anything else.
"""

from __future__ import annotations

from typing import Literal

from config.errors import ArbridgeError

State = Literal["queued", "review", "ready", "held", "submitting", "submitted", "approved",
                "paid", "disputed", "rejected", "failed"]

STATES: tuple[State, ...] = ("queued", "review", "ready", "held", "submitting", "submitted",
                             "approved", "paid", "disputed", "rejected", "failed")
ON_PORTAL: frozenset[str] = frozenset({"submitted", "approved", "paid", "disputed", "rejected"})

TRANSITIONS: dict[str, frozenset[str]] = {
    "queued": frozenset({"review", "ready", "held"}),
    "review": frozenset({"ready", "held"}),
    "ready": frozenset({"submitting", "held", "failed"}),
    "held": frozenset({"ready", "review"}),
    "submitting": frozenset({"submitted", "ready", "held", "failed"}),
    "submitted": frozenset({"approved", "paid", "disputed", "rejected"}),
    "approved": frozenset({"paid", "disputed", "rejected"}),
    "disputed": frozenset({"approved", "paid", "rejected"}),
    "rejected": frozenset({"ready"}),
    "failed": frozenset({"ready"}),
    "paid": frozenset(),
}


class IllegalTransition(ArbridgeError):
    """A change of state the machine does not allow (a bug, or a race lost to another worker)."""


def check(current: str, target: str, *, upload: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise IllegalTransition(f"upload {upload}: cannot go from {current} to {target}")
