"""Instruments for the upload benchmarks: wall time per phase of an upload, CPU seconds per
process group (this Python process, the browser with its Playwright driver, the demo portal's
server) and how long the event loop was blocked by synchronous work.

The phases are timed by wrapping the runner's collaborators in place (bench only: the wrappers
stay for the rest of the process). CPU seconds are read from ``/proc`` and are much less
sensitive to other work on the machine than wall time, so they are what to compare between
two runs on a shared machine.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")
LAG_STEP_SECONDS = 0.005
LAG_REPORTED_SECONDS = 0.02  # a wake-up later than this counts as the loop blocked


class Phases:
    """Wall time and calls per label, summed over all contexts."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = collections.defaultdict(float)
        self.calls: dict[str, int] = collections.defaultdict(int)

    def _add(self, label: str, started: float) -> None:
        self.spent[label] += time.perf_counter() - started
        self.calls[label] += 1

    def wrap_async(self, owner: object, name: str, label: str, *, static: bool = False) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                self._add(label, started)
        setattr(owner, name, staticmethod(wrapper) if static else wrapper)

    def wrap(self, owner: object, name: str, label: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self._add(label, started)
        setattr(owner, name, wrapper)

    def report(self, uploads: int) -> list[str]:
        return [f"  {label:34} {spent / max(uploads, 1) * 1000:7.0f} ms  "
                f"({self.calls[label]} calls)"
                for label, spent in sorted(self.spent.items(), key=lambda kv: -kv[1])]


def instrument_runner(phases: Phases) -> None:
    """Time every step of ``UploadRunner._upload`` (classes and modules patched in place)."""
    from portals import upload_attempt
    from portals.drivers.base import PageDriver
    from portals.evidence import EvidencePack
    from portals.upload_run import UploadRunner
    from sync.uploads import claims as upload_claims
    from sync.uploads import queue as uploads

    phases.wrap_async(UploadRunner, "_upload", "whole upload (per context)")
    from portals.drivers.demo_ariba import AribaDemoDriver
    from portals.drivers.demo_coupa import CoupaDemoDriver
    for kind in (CoupaDemoDriver, AribaDemoDriver):  # each has its own lookup
        phases.wrap_async(kind, "find_invoice", "  lookup before submit")
    phases.wrap_async(PageDriver, "submit_invoice", "  form and submit (browser+portal)")
    phases.wrap_async(PageDriver, "screenshot", "  screenshot")
    phases.wrap_async(EvidencePack, "seal", "  evidence: trace chunk + scan")
    phases.wrap(upload_attempt, "prepare", "  PDF render + checks")
    phases.wrap(upload_claims, "claim_upload", "  store: claim")
    phases.wrap(upload_claims, "release", "  store: release claim")
    phases.wrap(uploads, "begin_attempt", "  store: begin attempt")
    phases.wrap(UploadRunner, "_record", "  store: record outcome")


def _proc_cpu(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS
    except (OSError, IndexError, ValueError):
        return None


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class CpuMeter:
    """CPU seconds used during the measurement by: this process, its descendants other than
    the portal (Playwright's driver and Chromium, which come and go as browsers are
    recycled: sampled twice a second), and the demo portal's server process."""

    def __init__(self, server_pid: int | None) -> None:
        self.server_pid = server_pid
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._names: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample_forever, daemon=True)
        self._self_start = 0.0
        self._self_cpu = 0.0

    def _sample(self) -> None:
        for pid in descendants(os.getpid()):
            if pid == self.server_pid:
                continue
            cpu = _proc_cpu(pid)
            if pid not in self._names:
                try:
                    self._names[pid] = Path(f"/proc/{pid}/comm").read_text().strip()
                except OSError:
                    pass
            if cpu is not None:
                self._first.setdefault(pid, 0.0 if self._thread.is_alive() else cpu)
                self._last[pid] = cpu

    def _sample_forever(self) -> None:
        while not self._stop.wait(0.5):
            self._sample()

    def __enter__(self) -> CpuMeter:
        self._sample()  # what already runs is counted from now
        self._server_start = _proc_cpu(self.server_pid) if self.server_pid else None
        self._self_start = time.process_time()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._self_cpu = time.process_time() - self._self_start
        self._stop.set()
        self._thread.join()
        self._sample()
        end = _proc_cpu(self.server_pid) if self.server_pid else None
        self.server_cpu = (end - self._server_start) if end is not None and \
            self._server_start is not None else None

    @property
    def browser_cpu(self) -> float:
        return sum(self._last[p] - self._first[p] for p in self._last)

    @property
    def driver_cpu(self) -> float:
        """The Playwright driver's share (a Node.js process) of ``browser_cpu``."""
        return sum(self._last[p] - self._first[p] for p in self._last
                   if self._names.get(p, "").startswith("node"))

    def report(self, uploads: int) -> list[str]:
        per = max(uploads, 1)
        lines = [f"  {'arbridge (this Python process)':34} {self._self_cpu / per * 1000:7.0f} ms",
                 f"  {'Chromium + Playwright driver':34} {self.browser_cpu / per * 1000:7.0f} ms"
                 f"  (driver {self.driver_cpu / per * 1000:.0f} ms)"]
        if self.server_cpu is not None:
            lines.append(f"  {'demo portal server (own process)':34} "
                         f"{self.server_cpu / per * 1000:7.0f} ms")
        total = self._self_cpu + self.browser_cpu + (self.server_cpu or 0.0)
        lines.append(f"  {'total':34} {total / per * 1000:7.0f} ms  "
                     f"(2 cores: at most {2 * 60 / max(total / per, 1e-9):.0f} uploads/min "
                     "if CPU were the only limit)")
        return lines


class LoopLag:
    """How long the event loop was blocked (synchronous work in the runner's thread holds
    every context up): the sum of wake-ups later than ``LAG_REPORTED_SECONDS``."""

    def __init__(self) -> None:
        self.blocked = 0.0
        self.worst = 0.0

    async def watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(LAG_STEP_SECONDS)
            late = loop.time() - started - LAG_STEP_SECONDS
            if late > LAG_REPORTED_SECONDS:
                self.blocked += late
                self.worst = max(self.worst, late)


def serve_portal(folder: Path, port: int) -> subprocess.Popen:
    """The demo portal in a process of its own (this checkout's code), as a real portal is
    another system: its CPU is then measured apart from arbridge's."""
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; from workers.cli import main; sys.exit(main())",
         "portals", "demo-server", "--port", str(port), "--folder", str(folder)],
        cwd=ROOT, env={"ARBRIDGE_HOME": str(folder.parent), "PATH": "/usr/bin:/bin",
                       "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/coupa/login", timeout=1).close()
            return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("the demo portal did not start (is the port in use?)") \
                    from None
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("the demo portal did not answer within 30 s")
