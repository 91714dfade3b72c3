"""Stop a portal's run when its pages have changed (issue 18, item 8).

A changed invoice form fails every invoice the same way; trying them one by one filled the
review queue (58 failed, still running after 500 s) and buried the first, useful evidence.
After ``threshold`` consecutive "page changed" failures on one portal the breaker opens: the
run takes no more of that portal's uploads (they stay queued, untouched), and the opening is
reported once. Any other outcome on the portal closes the count again.

Pure state, no I/O: the runner feeds it outcomes and asks it before each claim.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_THRESHOLD = 3  # consecutive "page changed" failures on one portal that stop its run


@dataclass
class LayoutBreaker:
    threshold: int = DEFAULT_THRESHOLD
    _streak: dict[str, int] = field(default_factory=dict)
    _first: dict[str, list[str]] = field(default_factory=dict)  # the failures that opened it
    _open: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        if self.threshold < 1:
            raise ValueError("the threshold must be at least 1")

    def is_open(self, portal: str) -> bool:
        """Whether the portal's run must take no more uploads."""
        return portal in self._open

    def succeeded(self, portal: str) -> None:
        """Any outcome other than "page changed" (submitted, held, rejected, ...)."""
        if portal not in self._open:
            self._streak[portal] = 0
            self._first.pop(portal, None)

    def layout_changed(self, portal: str, document: str) -> bool:
        """A "page changed" failure of ``document``; True exactly once: when it opens."""
        if portal in self._open:
            return False
        self._streak[portal] = self._streak.get(portal, 0) + 1
        self._first.setdefault(portal, []).append(document)
        if self._streak[portal] >= self.threshold:
            self._open.add(portal)
            return True
        return False

    def message(self, portal: str) -> str:
        documents = ", ".join(self._first.get(portal, []))
        return (f"portal {portal}: the page changed for {len(self._first.get(portal, []))} "
                f"invoices in a row ({documents}); this run stopped uploading to it and left "
                "the rest queued. A developer must update the portal's driver; the evidence of "
                "those invoices shows the page as it is now")
