"""Benchmark: importing what a notebook kernel needs, for each notebook, in a fresh process.

`python benchmarks/bench_kernel.py [--runs N] [--before COMMIT]` prints one line.

For each notebook in `notebooks/`, the import lines of its code cells are run in a fresh Python
process started in `notebooks/` (as papermill starts a kernel there), N times: wall-clock and CPU
seconds, median. The line gives the slowest notebook's medians (target ≤ 1 s), the interpreter's
own start for reference, and any heavy package the imports brought in that rendering does not need
(Great Expectations, papermill, nbconvert, openpyxl, scipy, pandas: there should be none).
`--before COMMIT` times the same imports with that commit's `src/` (one set of runs).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_metrics import exported_src
from common import load

from analysis.core import paths

#: Packages a kernel must not import just to render (the build did the work; see issue 16).
HEAVY = ["great_expectations", "papermill", "nbconvert", "openpyxl", "scipy", "pandas"]


def notebook_imports(notebook: Path) -> str:
    """The import lines of the notebook's code cells, as one script."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    lines = [
        line.strip()
        for cell in cells
        if cell["cell_type"] == "code"
        for line in "".join(cell["source"]).splitlines()
        if line.strip().startswith(("import ", "from ")) and "import" in line
    ]
    return "\n".join(lines)


def _run(script: str, src: Path) -> tuple[float, float, str]:
    """(wall, CPU, stdout) of `python -c script` in a fresh process started in notebooks/."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=paths.NOTEBOOKS, env=env, check=True, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, done.stdout


def measure(src: Path, runs: int) -> tuple[dict[str, tuple[float, float]], set[str], float]:
    """Per notebook (median wall, median CPU); the heavy packages imported; the interpreter's start (median wall)."""
    report = f"import sys; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    results, heavy = {}, set()
    for notebook in sorted(paths.NOTEBOOKS.glob("[0-9]*.ipynb")):
        script = notebook_imports(notebook)
        walls, cpus = [], []
        for _ in range(runs):
            wall, cpu, out = _run(f"{script}\n{report}", src)
            walls.append(wall)
            cpus.append(cpu)
            heavy |= {m for m in out.strip().split(",") if m}
        results[notebook.name] = (statistics.median(walls), statistics.median(cpus))
    bare = statistics.median(_run("pass", src)[0] for _ in range(runs))
    return results, heavy, bare


def describe(results: dict[str, tuple[float, float]], heavy: set[str], bare: float) -> str:
    slowest = max(results, key=lambda n: results[n][0])
    wall, cpu = results[slowest]
    each = ", ".join(f"{n.split('_')[0]} {w:.2f}" for n, (w, _) in results.items())
    return (
        f"slowest {slowest} {wall:.2f} s wall, {cpu:.2f} s CPU (each: {each}); interpreter alone {bare:.2f} s; "
        f"heavy packages imported: {', '.join(sorted(heavy)) or 'none'}"
    )


def bench_kernel(runs: int = 5, before: str | None = None) -> str:
    """One line: the slowest notebook's import medians (target ≤ 1 s), and the heavy packages imported."""
    line = f"kernel imports (median of {runs} fresh processes per notebook): "
    line += describe(*measure(paths.ROOT / "src", runs)) + f"; target ≤ 1 s; {load()}"
    if before:
        with tempfile.TemporaryDirectory() as tmp:
            line += f"; before ({before[:7]}): " + describe(*measure(exported_src(before, Path(tmp)), runs))
        line += f"; {load()}"
    return line


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", help="also time the imports as they were at this commit")
    args = parser.parse_args()
    print(bench_kernel(args.runs, args.before))
