"""Benchmark 1: the whole pack build on the default (synthetic Herefordshire) data, median of several runs.

`python benchmarks/bench_pack.py [--runs N]` prints one line. Each run builds into a throwaway folder.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import load, summary, timed

from analysis.build import build_pack, ensure_default_data


def bench_pack(runs: int = 3) -> str:
    """One line: median wall-clock seconds for `build_pack` on the synthetic data (target: 60 s or less)."""
    data = ensure_default_data(None)
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as out:
            seconds, _ = timed(lambda out=out: build_pack(data, None, Path(out)))
            times.append(seconds)
    return f"pack build (default data): {summary(times)}; target ≤ 60 s; {load()}"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    print(bench_pack(parser.parse_args().runs))
