"""What an upload run did, per portal and outcome, and why a portal stopped."""

from __future__ import annotations

from dataclasses import dataclass, field

from config.errors import ArbridgeError

OUTCOMES = ("submitted", "found", "held", "failed", "retry", "waiting", "status")


@dataclass
class RunSummary:
    portals: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    failures: dict[str, ArbridgeError] = field(default_factory=dict)  # why a portal stopped

    def count(self, portal: str, outcome: str) -> None:
        tally = self.portals.setdefault(portal, {o: 0 for o in OUTCOMES})
        tally[outcome] += 1

    def as_dict(self) -> dict:
        return {"portals": self.portals, "errors": self.errors}
