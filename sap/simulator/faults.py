"""Fault injection for the simulator: what goes wrong with a real SAP connection.

* ``unreachable``: opening a connection fails (host down, wrong port).
* ``fail_next(n, function)``: the next ``n`` calls (of one function, or any) lose the
  connection before SAP runs them.
* ``fail_from(n)``: every call after the n-th call from now fails: an outage that outlasts
  retries, to prove a pull leaves no half-written page.
* ``slow(function, seconds)``: the call takes that long; past the caller's timeout it is
  cancelled before SAP commits (RFC_CANCELED).
* ``commit_then_timeout(function)``: SAP runs and commits the call, then the caller times out.
* ``pad_by_bytes``: RFC_READ_TABLE pads fields by UTF-8 bytes, as a misbehaving (non-Unicode
  or modified) RFC_READ_TABLE would: rows with multi-byte characters no longer match the
  layout.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Faults:
    unreachable: bool = False
    pad_by_bytes: bool = False
    _fail_next: dict[str | None, int] = field(default_factory=dict)
    _fail_after: int | None = None
    _slow: dict[str, float] = field(default_factory=dict)
    _commit_then_timeout: set[str] = field(default_factory=set)
    calls: int = 0

    def fail_next(self, count: int = 1, function: str | None = None) -> None:
        self._fail_next[function] = self._fail_next.get(function, 0) + count

    def fail_from(self, calls_from_now: int) -> None:
        self._fail_after = self.calls + calls_from_now

    def slow(self, function: str, seconds: float) -> None:
        self._slow[function] = seconds

    def commit_then_timeout(self, function: str) -> None:
        self._commit_then_timeout.add(function)

    def clear(self) -> None:
        self.unreachable = False
        self.pad_by_bytes = False
        self._fail_next.clear()
        self._fail_after = None
        self._slow.clear()
        self._commit_then_timeout.clear()

    # -- asked by the Connection ------------------------------------------------------------
    def should_fail(self, function: str) -> bool:
        """Count the call; True if it must lose the connection before running."""
        self.calls += 1
        if self._fail_after is not None and self.calls > self._fail_after:
            return True
        for key in (function, None):
            if self._fail_next.get(key, 0) > 0:
                self._fail_next[key] -= 1
                return True
        return False

    def delay(self, function: str) -> float:
        return self._slow.get(function, 0.0)

    def times_out_after_commit(self, function: str) -> bool:
        return function in self._commit_then_timeout
