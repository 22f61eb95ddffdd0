"""Benchmark 5: the DfE's full 903 rule set (the validator, in .venv-dfe) on one authority's five years.

`python benchmarks/bench_dfe.py [--runs N]` prints one line.

It times `dfe_rules.run_worker` on the default synthetic data (2020 to 2024, each year with the
previous year's return as "Prev year"), as `validate_inputs` runs it: a fresh subprocess in the
validator's environment each run, so the validator's import and the ONS postcode lookup are inside
the time. Target: under 30 s. Needs `.venv-dfe` (`make install`).
"""

from __future__ import annotations

import argparse
import resource

from common import load, summary, timed

from analysis import synth
from analysis.checks import dfe_rules
from analysis.core import paths


def bench_dfe(runs: int = 3) -> str:
    """One line: median seconds for the DfE rules on five years of one authority's returns."""
    python = dfe_rules.dfe_python()
    if python is None:
        return "DfE rules: not run, the validator's environment (.venv-dfe) is not installed: make install"
    folder = paths.SYNTHETIC_DATA
    if not (folder / "la.toml").exists():
        synth.generate(folder)
    spec = dfe_rules.job(folder, "E06000019")
    times, result = [], {}
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
        seconds, result = timed(lambda: dfe_rules.run_worker(python, spec))
        times.append(seconds)
        cpu = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - before
    years = result["years"]
    failing = sorted({f["rule"] for y in years for f in y["failures"]}, key=dfe_rules._code_order)
    episodes = sum(y["rows"].get("Episodes", 0) for y in years)
    return (
        f"DfE rules (csc-validator-be-903 {result['version']}) on {len(years)} years of synthetic returns "
        f"({episodes:,} episode rows): {summary(times)}; target < 30 s; last run {cpu:.1f} s CPU; "
        f"{len(failing)} rules failing ({', '.join(failing)}); {load()}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    print(bench_dfe(parser.parse_args().runs))
