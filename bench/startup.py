"""Benchmark: how long ``arbridge --help`` and ``arbridge status`` take, end to end.

Runs each command as a user would (a fresh process, the installed console script) in a
working folder whose store already holds a small pull, and prints the median and fastest of
N runs (and the CPU time the process used, which a busy machine does not inflate as much),
then the ten slowest imports of ``status`` (``python -X importtime``). Target: both
under 0.5 s.

    python bench/startup.py
    python bench/startup.py --runs 20
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 0.5
ARBRIDGE = str(Path(sys.executable).parent / "arbridge")
COMMANDS = {"arbridge --help": ["--help"], "arbridge status": ["status"]}


def _env() -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ARBRIDGE_")}
    environment.update({"ARBRIDGE_SAP__SIMULATOR_CUSTOMERS": "50",
                        "ARBRIDGE_SAP__SIMULATOR_BILLING_DOCUMENTS": "300"})
    return environment


def _time(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall-clock seconds, and CPU seconds (user + system) of the process: on a machine
    shared with other work the CPU time shows what the command itself costs."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([ARBRIDGE, *args], cwd=cwd, env=_env(), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _slowest_imports(cwd: Path, count: int = 10) -> list[tuple[float, str]]:
    code = "import sys; from workers.cli import main; sys.argv = ['arbridge', 'status']; main()"
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], cwd=cwd,
                          env=_env(), capture_output=True, text=True)
    tops = []
    for line in done.stderr.splitlines():
        found = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if found and len(found.group(2)) <= 2:  # top-level imports only
            tops.append((int(found.group(1)) / 1e6, found.group(3)))
    return sorted(tops, reverse=True)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        cwd = Path(folder)
        for first in (["init"], ["sap", "pull"]):
            subprocess.run([ARBRIDGE, *first], cwd=cwd, env=_env(), check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for name, args in COMMANDS.items():
            _time(args, cwd)  # warm the file cache
            runs = [_time(args, cwd) for _ in range(options.runs)]
            walls, cpus = [w for w, _ in runs], [c for _, c in runs]
            median = statistics.median(walls)
            verdict = "under" if median < TARGET_S else "OVER"
            print(f"{name:<16} median {median:.3f}s  fastest {min(walls):.3f}s  "
                  f"CPU {statistics.median(cpus):.3f}s  ({options.runs} runs; {verdict} the "
                  f"{TARGET_S}s target)")
        print("slowest imports of `arbridge status` (cumulative, python -X importtime):")
        for seconds, module in _slowest_imports(cwd):
            print(f"  {seconds:6.3f}s  {module}")


if __name__ == "__main__":
    main()
