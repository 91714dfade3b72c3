"""Is the owner of a claim still alive? Answered only where it can be proved: the owner ran on
this host, since this boot, and its process is gone (or the pid now belongs to a process
started after the claim was taken). Anywhere else the answer is "unknown", and its lease is
waited out.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


@lru_cache(maxsize=1)
def boot_id() -> str | None:
    """This machine's boot (Linux); None where it cannot be known."""
    try:
        return BOOT_ID.read_text().strip()[:40] or None
    except OSError:
        return None


def host_name() -> str:
    return socket.gethostname()[:100]


def _started_at(pid: int) -> datetime | None:
    """When process ``pid`` started (Linux /proc), or None if unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[19])  # starttime, field 22 of stat, in clock ticks since boot
        boot = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))
        return datetime.fromtimestamp(boot + ticks / os.sysconf("SC_CLK_TCK"), timezone.utc)
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def provably_dead(host: str | None, boot: str | None, pid: int | None,
                  claimed_at: datetime | None) -> bool:
    """True only if the owner ran here, in this boot, and its process is gone (or its pid was
    reused by a process that started after the claim was taken)."""
    if not host or not boot or not pid or host != host_name() or boot != boot_id():
        return False
    if pid == os.getpid():
        return False  # this very process: another run of it, alive
    if not pid_alive(pid):
        return True
    started = _started_at(pid)
    return started is not None and claimed_at is not None and started > claimed_at


def describe(host: str | None, boot: str | None, pid: int | None) -> str:
    """"pid 4711, on this host, not alive" / "pid 4711 on host b" for messages."""
    if host != host_name():
        return f"pid {pid} on host {host}"
    if boot is not None and boot == boot_id():
        return f"pid {pid}, on this host, {'alive' if pid and pid_alive(pid) else 'not alive'}"
    return f"pid {pid}, on this host, before its last restart"
