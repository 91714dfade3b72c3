"""Incremental-pull cursor as a pure state machine (no I/O).

A run reads everything changed since ``since`` in key order. After each page the cursor
remembers the last key written (``after_key``) and the latest change stamp seen
(``high_water``), in the same transaction as the page, so a crashed run resumes exactly after
the last page it wrote. When the run completes, ``high_water`` becomes the next ``since``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class CursorState:
    since: str | None = None
    after_key: str | None = None
    high_water: str | None = None

    @property
    def resuming(self) -> bool:
        """True when a previous run stopped part-way and this run continues it."""
        return self.after_key is not None

    def advance(self, last_key: str, high_water: str | None) -> CursorState:
        """After a page is written: continue after ``last_key``; remember the latest stamp."""
        stamps = [s for s in (self.high_water, high_water) if s]
        return replace(self, after_key=last_key, high_water=max(stamps) if stamps else None)

    def finish(self) -> CursorState:
        """The run read everything: the next run starts from the latest stamp seen."""
        stamps = [s for s in (self.since, self.high_water) if s]
        return CursorState(since=max(stamps) if stamps else None)

    def full(self) -> CursorState:
        """Forget the position: the next run reads everything (``--full``)."""
        return CursorState()
