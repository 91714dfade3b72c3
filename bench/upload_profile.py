"""Where an upload's time goes, with Python's own profiler on top: the same run as
``bench/uploads.py`` (one context count), then the functions of arbridge's process that took
the most CPU. The per-phase wall times and CPU per process are printed by ``bench/uploads.py``.

    python bench/upload_profile.py --invoices 60 --contexts 4
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import uploads  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=60)
    parser.add_argument("--contexts", type=int, default=4)
    parser.add_argument("--lookup-new", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    sys.argv = [sys.argv[0], "--invoices", str(args.invoices), "--contexts",
                str(args.contexts)] + (["--lookup-new"] if args.lookup_new else [])
    profile = cProfile.Profile()
    profile.runcall(uploads.main)
    print(f"\nthis process, top {args.top} by own CPU time (the event loop's idle wait "
          "included as select/poll):")
    pstats.Stats(profile).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
