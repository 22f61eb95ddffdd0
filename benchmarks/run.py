"""Benchmarks: the pack, national metrics (vs pandas), `metrics` at scale, kernel imports, GX, memory, DfE, XML.

`make bench` runs this file. Each benchmark prints one line (medians of several runs);
`--record` also appends the lines, dated, to the table in `benchmarks/README.md`.
Timings live here, never in tests.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # the benchmark modules, when run as `python benchmarks/run.py`
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from bench_dfe import bench_dfe
from bench_kernel import bench_kernel
from bench_metrics import bench_metrics
from bench_national import bench_national
from bench_pack import bench_pack
from bench_validation import bench_validation
from bench_xml import bench_xml
from common import machine
from peak_memory import peak_memory

BENCHMARKS = {
    "pack": lambda runs: bench_pack(runs),
    "national": lambda runs: bench_national(max(runs, 5)),
    "metrics": lambda runs: bench_metrics(runs),
    "kernel": lambda runs: bench_kernel(max(runs, 5)),
    "validation": lambda runs: bench_validation(runs),
    "memory": lambda runs: peak_memory(),
    "dfe": lambda runs: bench_dfe(runs),
    "xml": lambda runs: bench_xml(max(runs, 5)),
}
README = Path(__file__).with_name("README.md")


def record(lines: list[tuple[str, str]]) -> None:
    """Append one row per benchmark to the results table at the end of README.md."""
    today = datetime.date.today().isoformat()
    where = machine().replace("|", "/")
    rows = "".join(f"| {today} | {where} | {name} | {line.replace('|', '/')} |\n" for name, line in lines)
    text = README.read_text(encoding="utf-8")
    README.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    with README.open("a", encoding="utf-8") as handle:  # the results table is the end of the file
        handle.write(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per benchmark (national: at least 5)")
    parser.add_argument("--only", choices=list(BENCHMARKS), action="append", help="run only these (repeatable)")
    parser.add_argument("--record", action="store_true", help="append the results to benchmarks/README.md")
    args = parser.parse_args()
    print(f"machine: {machine()}", flush=True)
    lines = []
    for name in args.only or list(BENCHMARKS):
        line = BENCHMARKS[name](args.runs)
        print(line, flush=True)
        lines.append((name, line))
    if args.record:
        record(lines)


if __name__ == "__main__":
    main()
