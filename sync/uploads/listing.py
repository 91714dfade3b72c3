"""The upload queue as the command line and ``arbridge demo --json`` read it: counts by
group, the states a ``--state`` value stands for, and the rows in queue order."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import Engine

from config.errors import ConfigError
from sync.uploads import queue as uploads
from sync.uploads.states import STATE_GROUPS, STATES, grouped


class HasEngine(Protocol):
    """The store (``sync.store.Store``) as these read-only helpers use it."""

    engine: Engine


def queue_counts(store: HasEngine) -> dict[str, int]:
    """The ``portals`` section of ``arbridge demo --json``: waiting (queued, ready or being
    submitted), on the portal (submitted and later portal statuses), held, in review, failed."""
    with store.engine.connect() as conn:
        by_state = uploads.counts(conn)
    return grouped(by_state)


def states_of(name: str) -> tuple[str, ...]:
    """The states a ``--state`` value stands for: a group (as ``status`` counts them) or one
    state; a group wins over the state of the same name. :class:`ConfigError` if neither."""
    if name in STATE_GROUPS:
        return STATE_GROUPS[name]
    if name in STATES:
        return (name,)
    raise ConfigError(f"--state {name}: not a state; use a group ({', '.join(STATE_GROUPS)}) "
                      f"or a state ({', '.join(s for s in STATES if s not in STATE_GROUPS)})")


def queue_rows(store: HasEngine, state: str | tuple[str, ...] | None, portal: str | None
               ) -> list[dict[str, Any]]:
    """The uploads in ``state`` (one state, or several), of ``portal``, in queue order."""
    wanted = (state,) if isinstance(state, str) else state
    with store.engine.connect() as conn:
        rows = uploads.rows(conn, None, portal)
    return [r for r in rows if wanted is None or r["state"] in wanted]
