"""A sliding-minute rate limit per key, in memory, with a bounded table.

The table holds at most ``max_keys`` keys: keys whose last minute is empty are dropped as
the table is used, and when it is full the key seen least recently is forgotten (its count
starts again), so a flood of distinct senders cannot grow it without end.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque

WINDOW_SECONDS = 60.0
MAX_KEYS = 10_000


class RateLimit:
    """At most ``per_minute`` requests per key in any sliding minute."""

    def __init__(self, per_minute: int, *, max_keys: int = MAX_KEYS) -> None:
        self.per_minute = per_minute
        self.max_keys = max_keys
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()  # least recent first
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._seen)

    def allow(self, key: str, now: float | None = None) -> bool:
        """Count a request of ``key`` if it is under the limit; False (not counted) if not."""
        now = time.monotonic() if now is None else now
        with self._lock:
            window = self._window(key, now)
            if len(window) >= self.per_minute:
                return False
            window.append(now)
            return True

    def over(self, key: str, now: float | None = None) -> bool:
        """Has ``key`` used up its minute? (Counts nothing.)"""
        now = time.monotonic() if now is None else now
        with self._lock:
            return len(self._window(key, now)) >= self.per_minute

    def refund(self, key: str, at: float) -> None:
        """Give back the request of ``key`` counted at ``at`` (by :meth:`allow`), if it is
        still in the minute: what was reserved before the request was known to count
        elsewhere."""
        with self._lock:
            window = self._seen.get(key)
            if window is not None and at in window:
                window.remove(at)

    def _window(self, key: str, now: float) -> deque[float]:
        """``key``'s requests of the last minute, the key made the most recent; keys gone
        quiet are dropped and, past ``max_keys``, the least recent forgotten."""
        since = now - WINDOW_SECONDS
        while self._seen:
            oldest = next(iter(self._seen.values()))
            if oldest and oldest[-1] > since:
                break
            self._seen.popitem(last=False)
        window = self._seen.pop(key, None)
        if window is None:
            window = deque()
            while len(self._seen) >= self.max_keys:
                self._seen.popitem(last=False)
        while window and window[0] <= since:
            window.popleft()
        self._seen[key] = window
        return window
