"""Owner-only files: everything arbridge writes under ``ARBRIDGE_HOME`` (the store, portal
sessions, evidence, the PDF cache, the key file) is mode 0600 in folders of mode 0700, because
it holds personal and financial data (POPIA) or live credentials.

Writers here create files owner-only from the start (no window in which another user could
open them); :func:`secure_home` checks the whole tree at start-up and fixes what is not.
"""

from __future__ import annotations

import logging
import os
import stat
import time
from pathlib import Path

log = logging.getLogger(__name__)

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """Create ``path`` and its missing parents with mode 0700. Folders that already exist are
    left as they are (the start-up check looks after ``ARBRIDGE_HOME``; a folder elsewhere,
    such as a database file's, is the owner's business)."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    for folder in missing:
        os.chmod(folder, DIR_MODE)  # mkdir's mode is filtered by the umask
    return path


def private_file(path: Path) -> Path:
    """Tighten an existing file (written by a library that does not take a mode) to 0600."""
    if path.exists():
        os.chmod(path, FILE_MODE)
    return path


def write_private(path: Path, content: bytes | str) -> Path:
    """Write ``content`` to ``path`` as a whole, 0600: into a hidden 0600 file beside it, then
    renamed over it, so a process killed mid-write leaves the old file (or none), never half
    a statement, e-mail or PDF."""
    import tempfile

    data = content.encode() if isinstance(content, str) else content
    private_dir(path.parent)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), FILE_MODE)
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def touch_private(path: Path) -> Path:
    """Create ``path`` empty and 0600 if it does not exist (before SQLite opens it: SQLite
    gives its -wal and -shm files the database file's mode).

    An existing file is never opened, only its mode tightened: opening and closing a
    descriptor of a database file that SQLite has open in this process drops every POSIX lock
    SQLite holds on it, and another process may then checkpoint and delete the WAL under a
    live connection, which corrupts the store ("database disk image is malformed")."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return private_file(path)
    os.close(fd)
    return private_file(path)


def loose(mode: int, *, folder: bool) -> bool:
    wanted = DIR_MODE if folder else FILE_MODE
    return bool(stat.S_IMODE(mode) & ~wanted & 0o777)


STALE_PART_SECONDS = 3600


def _stale_part(name: str, status: os.stat_result) -> bool:
    """A hidden ``.name.XXXX.part`` of :func:`write_private`, ours, untouched for an hour: its
    writer was killed before the rename (a live writer renames it within seconds)."""
    base = os.path.basename(name)
    return (base.startswith(".") and base.endswith(".part") and stat.S_ISREG(status.st_mode)
            and status.st_uid == os.getuid()
            and status.st_mtime < time.time() - STALE_PART_SECONDS)


def secure_home(home: Path) -> list[Path]:
    """Start-up check: every file under ``home`` owner-only, every folder 0700. What was not
    is fixed and logged as a warning. Returns the paths fixed. The half-written temporary
    files a killed writer left (:func:`_stale_part`) are removed."""
    if not home.exists():
        return []
    fixed = []
    swept = 0
    for root, _folders, files in os.walk(home):
        for name, folder in [(root, True)] + [(os.path.join(root, f), False) for f in files]:
            try:
                status = os.lstat(name)
                mode = status.st_mode
                if not folder and _stale_part(name, status):
                    os.unlink(name)
                    swept += 1
                    continue
            except FileNotFoundError:  # removed while we walked (a WAL file, a temp file)
                continue
            if stat.S_ISLNK(mode) or not loose(mode, folder=folder):
                continue
            os.chmod(name, DIR_MODE if folder else FILE_MODE)
            fixed.append(Path(name))
    if swept:
        log.info("%d half-written temporary file(s) of a stopped writer removed under %s",
                 swept, home)
    if fixed:
        log.warning("%d file(s) under %s were readable by other users; now owner-only "
                    "(e.g. %s)", len(fixed), home, fixed[0])
    return fixed
