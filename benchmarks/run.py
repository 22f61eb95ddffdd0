"""Benchmarks: time the whole pack build on the default data (median of several runs).

Run with `make bench`. Timings live here, never in tests. Each benchmark prints one line.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from pathlib import Path

from analysis.build import build_pack, ensure_default_data


def bench_pack(runs: int) -> str:
    """Median wall-clock seconds for `build_pack` on the synthetic data, into a throwaway folder."""
    data = ensure_default_data(None)
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as out:
            t0 = time.perf_counter()
            build_pack(data, None, Path(out))
            times.append(time.perf_counter() - t0)
    return (
        f"pack build (default data): median {statistics.median(times):.1f} s over {runs} runs "
        f"(min {min(times):.1f}, max {max(times):.1f}) on {platform.node()} ({platform.machine()})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(bench_pack(args.runs))


if __name__ == "__main__":
    main()
