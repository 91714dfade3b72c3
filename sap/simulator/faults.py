"""Fault injection for the simulator: what goes wrong with a real SAP connection.

* ``unreachable``: opening a connection fails (host down, wrong port).
* ``fail_next(n, function)``: the next ``n`` calls (of one function, or any) lose the
  connection before SAP runs them.
* ``fail_from(n)``: every call after the n-th call from now fails: an outage that outlasts
  retries, to prove a pull leaves no half-written page.
* ``slow(function, seconds)``: the call takes that long; past the caller's timeout it is
  cancelled before SAP commits (RFC_CANCELED).
* ``late(function, seconds)``: the call takes that long and SAP finishes it even when the
  caller has given up: past the caller's timeout the caller gets RFC_CANCELED, and SAP
  executes (and commits) the call ``seconds`` after it was sent, as a real SAP does when the
  update task of BAPI_TRANSACTION_COMMIT, or FB05 inside a wrapper, completes after the RFC
  call was cancelled. One-shot per call: later calls of ``function`` are late too until
  :meth:`Faults.clear`.
* ``commit_then_timeout(function)``: SAP runs and commits the call, then the caller times out.
* ``commit_then_drop(function)``: SAP runs and commits the call, then the connection drops
  before the answer arrives ("posted, then the connection dropped").
* ``kill_after(function)``: the calling process is killed (SIGKILL) right after the call
  returned, to prove crash recovery; used from a child process in tests.
* ``pad_by_bytes``: RFC_READ_TABLE pads fields by UTF-8 bytes, as a misbehaving (non-Unicode
  or modified) RFC_READ_TABLE would: rows with multi-byte characters no longer match the
  layout.
"""

from __future__ import annotations

import os
import signal
import threading
from dataclasses import dataclass, field


@dataclass
class Faults:
    unreachable: bool = False
    pad_by_bytes: bool = False
    _fail_next: dict[str | None, int] = field(default_factory=dict)
    _fail_after: int | None = None
    _slow: dict[str, float] = field(default_factory=dict)
    _late: dict[str, float] = field(default_factory=dict)
    _commit_then_timeout: set[str] = field(default_factory=set)
    _commit_then_drop: set[str] = field(default_factory=set)
    _kill_after: set[str] = field(default_factory=set)
    calls: int = 0
    late_calls: list[threading.Thread] = field(default_factory=list)

    def fail_next(self, count: int = 1, function: str | None = None) -> None:
        self._fail_next[function] = self._fail_next.get(function, 0) + count

    def fail_from(self, calls_from_now: int) -> None:
        self._fail_after = self.calls + calls_from_now

    def slow(self, function: str, seconds: float) -> None:
        self._slow[function] = seconds

    def late(self, function: str, seconds: float) -> None:
        self._late[function] = seconds

    def commit_then_timeout(self, function: str) -> None:
        self._commit_then_timeout.add(function)

    def commit_then_drop(self, function: str) -> None:
        self._commit_then_drop.add(function)

    def kill_after(self, function: str) -> None:
        self._kill_after.add(function)

    def clear(self) -> None:
        self.unreachable = False
        self.pad_by_bytes = False
        self._fail_next.clear()
        self._fail_after = None
        self._slow.clear()
        self._late.clear()
        self._commit_then_timeout.clear()
        self._commit_then_drop.clear()
        self._kill_after.clear()

    def settle(self, timeout: float = 30.0) -> None:
        """Wait until SAP has finished every call it is still executing late."""
        for thread in list(self.late_calls):
            thread.join(timeout)
        self.late_calls.clear()

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

    def late_by(self, function: str) -> float:
        """Seconds after which SAP executes ``function`` whatever the caller does (0: not
        late)."""
        return self._late.get(function, 0.0)

    def times_out_after_commit(self, function: str) -> bool:
        return function in self._commit_then_timeout

    def drops_after_commit(self, function: str) -> bool:
        """One-shot: the next such call commits, then the connection drops."""
        if function in self._commit_then_drop:
            self._commit_then_drop.discard(function)
            return True
        return False

    def after_call(self, function: str) -> None:
        if function in self._kill_after:
            os.kill(os.getpid(), signal.SIGKILL)
