"""Benchmark: `review-pack metrics` on one folder with 1.5 million episodes, beside pandas in the same run.

`python benchmarks/bench_metrics.py [--runs N] [--before COMMIT]` prints one line.

The folder is the national synthetic data stacked as ONE authority (`common.one_authority_data`: the
LA column dropped, the population summed), read with `REVIEW_PACK_MAX_MB` raised. Each run is the
command itself in a fresh process (`python -m analysis.cli metrics --no-validate`, so imports and loading
count; since issue 21 the command validates the inputs first by default, which imports Great Expectations and
runs the suites and the 903 rules: `bench_validation.py` times that, and `--validate` here times it too),
wall-clock and CPU seconds; then, in this process, the load and each section's computation
(`Review.timings`), so that the line shows where the time goes. The pandas baseline loads the same
CSV with pandas and counts the national figures (`pandas_baseline.py`: looked after at each 31 March,
starts, ceases, routes), as an analyst would, in the same run. `--before COMMIT` also times the
command as it was at that commit (its `src/` exported with `git archive` into a temporary folder).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import pandas_baseline
from common import load, national_data, one_authority_data, summary, timed

from analysis.core import paths
from analysis.sections.review import Review

ENV = {"REVIEW_PACK_MAX_MB": "1000", "REVIEW_PACK_DFE": "off", "GX_ANALYTICS_ENABLED": "false"}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_command(src: Path, folder: Path, out: Path, validate: bool = False) -> tuple[float, float]:
    """(wall, CPU) seconds of `python -m analysis.cli metrics` on `folder` with the package in `src`
    (with `--no-validate` unless `validate`)."""
    env = {**os.environ, **ENV, "PYTHONPATH": str(src)}
    cpu, started = _children_cpu(), time.perf_counter()
    flag = [] if validate else ["--no-validate"]
    subprocess.run(
        [sys.executable, "-m", "analysis.cli", "metrics", *flag, "--data", str(folder), "--out", str(out)],
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started, _children_cpu() - cpu


def exported_src(commit: str, into: Path) -> Path:
    """The `src/` folder of `commit`, written into `into`."""
    archive = into / "src.tar"
    with archive.open("wb") as handle:
        subprocess.run(["git", "-C", str(paths.ROOT), "archive", commit, "src"], stdout=handle, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def times(src: Path, folder: Path, runs: int, validate: bool = False) -> tuple[list[float], list[float]]:
    walls, cpus = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            wall, cpu = run_command(src, folder, Path(tmp) / f"metrics{i}.csv", validate)
            walls.append(wall)
            cpus.append(cpu)
    return walls, cpus


def bench_metrics(runs: int = 3, before: str | None = None, validate: bool = False) -> str:
    """One line: the command's median wall and CPU seconds (target ≤ 10 s), its steps, and pandas beside it."""
    os.environ.update(ENV)
    national_folder, _ = national_data()
    folder = one_authority_data(national_folder)
    walls, cpus = times(paths.ROOT / "src", folder, runs)
    start_load = load()
    # Where the time goes, in this process: loading, and each section computed once.
    loading, review = timed(lambda: Review(folder))
    review.compute()
    steps = ", ".join(f"{k} {v:.2f}" for k, v in review.timings.items() if k != "load")
    episodes = review.inputs.episodes.height
    pandas_load, (pd_episodes, pd_population) = timed(lambda: pandas_baseline.load(folder))
    last_year, years = 2024, 10
    pandas_count, _ = timed(lambda: pandas_baseline.metrics(pd_episodes, pd_population, last_year, years))
    line = (
        f"review-pack metrics --no-validate, one folder of {episodes:,} episodes (national data as one authority): "
        f"{summary(walls)}, CPU median {statistics.median(cpus):.2f} s; target ≤ 10 s; in process: load "
        f"{loading:.2f} s, computing {steps} s; pandas baseline {pandas_load + pandas_count:.2f} s "
        f"(CSV load {pandas_load:.2f}, counts {pandas_count:.2f}); {start_load} at the start, {load()} at the end"
    )
    if before:
        with tempfile.TemporaryDirectory() as tmp:
            old_walls, old_cpus = times(exported_src(before, Path(tmp)), folder, 1)
        line += f"; before ({before[:7]}): {old_walls[0]:.1f} s, CPU {old_cpus[0]:.1f} s, {load()}"
    if validate:
        valid_walls, valid_cpus = times(paths.ROOT / "src", folder, 1, validate=True)
        line += f"; validating first (the default): {valid_walls[0]:.1f} s, CPU {valid_cpus[0]:.1f} s, {load()}"
    return line


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", help="also time the command as it was at this commit (one run)")
    parser.add_argument("--validate", action="store_true", help="also time one run that validates first")
    args = parser.parse_args()
    print(bench_metrics(args.runs, args.before, args.validate))
