"""Peak memory of the national-scale runs, each measured in a fresh process (ru_maxrss of that process).

`python benchmarks/peak_memory.py` prints one line; `python benchmarks/peak_memory.py --task T`
runs one task (generate, metrics, validation) and prints its peak resident memory in MiB and its seconds
(VmHWM, the high-water mark of the process's resident set; `resource.getrusage` where there is no /proc).

- generate: write the national data set (153 authorities × 10 years; target: under a minute);
- metrics: load it with polars and compute every national figure (the "national run");
- validation: the GX episodes suite over it (the project's validation code path).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import national_data

from analysis.synth.national import DEFAULT_AUTHORITIES, DEFAULT_LAST_YEAR, DEFAULT_YEARS

TASKS = ("generate", "metrics", "validation")
LIMIT_MIB = 2048


def run_task(task: str, authorities: int, years: int) -> None:
    if task == "generate":
        from analysis.synth.national import generate_national

        with tempfile.TemporaryDirectory() as out:
            generate_national(Path(out), authorities=authorities, years=years)
    elif task == "metrics":
        from analysis.metrics import national

        data = national.load_national(national_data(authorities, years)[0])
        national.national_metrics(data.episodes, data.population, DEFAULT_LAST_YEAR, years)
    elif task == "validation":
        from bench_validation import validate_episodes

        from analysis.checks import validation

        path = national_data(authorities, years)[0] / "ssda903" / "episodes.csv"
        validate_episodes(validation._Runner(), path)


def own_peak_mib() -> float:
    """This process's peak resident memory, in MiB.

    VmHWM (/proc/self/status) is the high-water mark of this process's own address space. On Linux
    ru_maxrss is not enough: a child started from a big parent can report the parent's peak.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def peak_mib(task: str, authorities: int, years: int) -> tuple[float, float]:
    """(peak resident memory in MiB, seconds) of a fresh process that runs `task`."""
    result = subprocess.run(
        [sys.executable, __file__, "--task", task, "--authorities", str(authorities), "--years", str(years)],
        capture_output=True,
        text=True,
        check=True,
    )
    peak, seconds = result.stdout.strip().splitlines()[-1].split()
    return float(peak), float(seconds)


def peak_memory(authorities: int = DEFAULT_AUTHORITIES, years: int = DEFAULT_YEARS) -> str:
    """One line: the peak of each task (target: the national run under 2 GiB)."""
    national_data(authorities, years)  # generated once here, so the tasks below do not include it
    peaks = {task: peak_mib(task, authorities, years) for task in TASKS}
    parts = ", ".join(f"{task} {mib:,.0f} MiB ({seconds:.1f} s)" for task, (mib, seconds) in peaks.items())
    worst = max(mib for mib, _ in peaks.values())
    verdict = "all under 2 GiB" if worst < LIMIT_MIB else "OVER 2 GiB"
    return f"peak memory, national data ({authorities} LAs × {years} years, fresh process each): {parts}; {verdict}"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=TASKS)
    parser.add_argument("--authorities", type=int, default=DEFAULT_AUTHORITIES)
    parser.add_argument("--years", type=int, default=DEFAULT_YEARS)
    args = parser.parse_args()
    if args.task:
        started = time.perf_counter()
        run_task(args.task, args.authorities, args.years)
        print(own_peak_mib(), time.perf_counter() - started)
    else:
        print(peak_memory(args.authorities, args.years))
