"""Errors the store raises on purpose, each under its category in ``config.errors``::

    ArbridgeError
    ├── InputError                 (used as is) a refused value or action, named; nothing changed
    └── LostRace
        ├── ClaimLost              the lease ran out and another owner took the work over:
        │                          record nothing, stop (the new owner looks the result up)
        └── IllegalTransition      an upload's state change the machine does not allow: a race
                                   lost to another worker (or a bug); nothing was written

What to do about each is the category's: see ``config.errors``.
"""

from __future__ import annotations

from config.errors import LostRace


class ClaimLost(LostRace):
    """The lease ran out and another owner took the work over: record nothing, stop."""


class IllegalTransition(LostRace):
    """A change of state the machine does not allow (a bug, or a race lost to another worker)."""
