"""Benchmark 1: the whole pack build on the default (synthetic Herefordshire) data, median of several warm runs.

`python benchmarks/bench_pack.py [--runs N]` prints one line. Each run builds into a throwaway folder,
after one untimed warm-up build (the first build on a machine pays for cold caches and compiling).
The line gives the median wall-clock seconds (target ≤ 20 s on 2 cores), the median CPU seconds of
this process and its children (the notebook kernels, the PDF's browser), the load average before
and after (the machine is shared: compare runs at similar load), and from the last build's manifest
where the time went: its `stages` (wall-clock and CPU seconds of validation, loading, computing, the
notebooks, metrics.csv, the chart files, the workbook, the pages, the PDF, the identifier check),
`computed_once.seconds` (loading and each section, computed once) and each notebook's seconds
(rendered side by side, as many at once as there are cores, each worker keeping its kernel for its next
notebook). The DfE's rule set is left out (`REVIEW_PACK_DFE=off`): `bench_dfe.py` times it.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
from pathlib import Path

from common import load, summary, timed

from analysis.pack.build import build_pack, ensure_default_data

#: The DfE's rule set runs in its own environment and has its own benchmark (bench_dfe.py): left out here.
os.environ.setdefault("REVIEW_PACK_DFE", "off")


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bench_pack(runs: int = 3) -> str:
    """One line: median wall-clock and CPU seconds for `build_pack` on the synthetic data, and where the time went."""
    data = ensure_default_data(None)
    with tempfile.TemporaryDirectory() as out:
        build_pack(data, None, Path(out))  # warm-up, untimed
    start_load = load()
    times, cpus, manifest = [], [], {}
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as out:
            cpu = _cpu()
            seconds, result = timed(lambda out=out: build_pack(data, None, Path(out)))
            cpus.append(_cpu() - cpu)
            times.append(seconds)
            manifest = result.manifest
    computed = ", ".join(f"{k} {v:.2f}" for k, v in manifest["computed_once"]["seconds"].items())
    notebooks = ", ".join(f"{n['notebook'].split('_')[0]} {n['seconds']:.1f}" for n in manifest["notebooks"])
    stages = ", ".join(f"{k} {v['seconds']:.1f}/{v['cpu_seconds']:.1f}" for k, v in manifest["stages"].items())
    return (
        f"pack build (default data, warm): {summary(times)}; CPU median {statistics.median(cpus):.1f} s; "
        f"target ≤ 20 s; last build: stages (wall/CPU) ({stages}) s, computed once ({computed}) s, "
        f"notebooks ({notebooks}) s; "
        f"{start_load} at the start, {load()} at the end"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    print(bench_pack(parser.parse_args().runs))
