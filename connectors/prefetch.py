"""Read ahead: fetch the next page from the remote system while the current one is written.

A bounded queue keeps at most ``depth`` pages in memory, so memory stays flat; an error in the
reader is raised in the writer at the point where the failing page would have arrived, so
every page before it is still written whole.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
DEFAULT_DEPTH = 2
_DONE = object()


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def prefetch(source: Iterable[T], depth: int = DEFAULT_DEPTH) -> Iterator[T]:
    """Iterate ``source`` in a background thread, at most ``depth`` items ahead."""
    buffer: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                buffer.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in source:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as error:  # noqa: BLE001 - handed to the consumer, not swallowed
            put(_Failure(error))

    reader = threading.Thread(target=produce, name="arbridge-prefetch", daemon=True)
    reader.start()
    try:
        while True:
            item = buffer.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item
    finally:
        stop.set()
        reader.join(timeout=30)
