"""File locks for the few steps SQLite cannot serve from several processes at once.

SQLite lets any number of processes read and write one store (WAL mode, a busy wait for the
write lock). What it cannot do safely is run two schema migrations, or two first-time set-ups
of a file (journal mode, seeding), at the same moment. Those steps take an exclusive
``fcntl.flock`` on a lock file of their own beside the file they change; a second run waits its
turn, saying once on stderr that it waits and for which process.

The lock is always on a separate ``*.lock`` file, never on the database file itself: SQLite
keeps POSIX (``fcntl``) record locks on the database, and any ``close()`` of a descriptor of
that file in the same process silently drops them all (see "How To Corrupt An SQLite Database
File", section 2.2). ``flock`` locks on another file cannot interfere with them.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from config.errors import RetriableError
from sync.files import FILE_MODE, private_dir

log = logging.getLogger(__name__)
DEFAULT_WAIT_S = 600.0  # a demo seeding or a migration on a slow machine takes minutes
POLL_S = 0.2


class LockBusy(RetriableError):
    """Another run held the lock longer than we were prepared to wait."""


def lock_path(path: Path) -> Path:
    """The lock file that guards ``path``: ``<path>.lock`` beside it."""
    return path.with_name(path.name + ".lock")


def _holder(handle: int) -> str:
    try:
        os.lseek(handle, 0, os.SEEK_SET)
        text = os.read(handle, 200).decode("utf-8", "replace").strip()
    except OSError:
        return ""
    return text


@contextmanager
def exclusive(path: Path, what: str, *, wait_seconds: float = DEFAULT_WAIT_S,
              announce: bool = True) -> Iterator[None]:
    """Hold the exclusive lock guarding ``path`` while ``what`` runs.

    A second holder waits (saying so once in a warning, naming the process that holds it) up to
    ``wait_seconds``, then raises :class:`LockBusy`, which names that process and says what to
    do; it never fails with SQLite's bare "database is locked".
    """
    target = lock_path(path)
    private_dir(target.parent)
    handle = os.open(target, os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        deadline = time.monotonic() + wait_seconds
        said = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(handle) or "another arbridge run"
                if time.monotonic() >= deadline:
                    raise LockBusy(f"{holder} holds {target} ({what}) for more than "
                                   f"{wait_seconds:.0f} s; nothing was changed: run again when "
                                   "it has finished") from None
                if announce and not said:
                    log.warning("waiting for %s: it is running %s (%s)", holder, what, target)
                    said = True
                time.sleep(POLL_S)
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"arbridge process {os.getpid()}".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(handle, 0)
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)
