"""Benchmark 3: Great Expectations validation of the national-scale episodes, median of several runs.

`python benchmarks/bench_validation.py [--runs N]` prints one line.

It takes the project's own code path, as `validation.validate_inputs` does for each 903 file:
`validation._read` (the file as text, with row numbers) then `_Runner().run("ssda903_episodes", …)`
(helper columns, the pandas frame GX checks, the suite from `expectations/ssda903_episodes.json`,
findings). The GX context is created once, as in a validation run, and timed separately. The
multi-row rules (`analysis.checks.rules`, run by `validate_inputs` after the suites) are timed too, on
the national header and episodes, as a second figure.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl
from common import LARGE_FILES_MB, load, national_data, summary, timed

from analysis.checks import rules, validation
from analysis.core.findings import ValidationReport
from analysis.load import readers, ssda903
from analysis.synth.national import DEFAULT_AUTHORITIES, DEFAULT_YEARS


def allow_large_files() -> None:
    """Let the readers take the national files (above the limit meant for one authority's; see common.py)."""
    readers.MAX_BYTES = max(readers.MAX_BYTES, int(float(LARGE_FILES_MB) * 1_000_000))


def validate_episodes(runner: validation._Runner, path: Path) -> tuple[int, list]:
    """(rows checked, findings) for the episodes suite over one file, as validate_inputs runs it."""
    allow_large_files()
    report = ValidationReport(folder=str(path.parent))
    raw = validation._read(path, "ssda903_episodes", report)
    if raw is None:
        raise RuntimeError(f"could not read {path}: {report.findings}")
    found, _ = runner.run("ssda903_episodes", raw, str(path))
    return raw.height, found


def run_rules(folder: Path) -> list:
    """The multi-row 903 rules over the national header and episodes, as validate_inputs stacks them."""
    allow_large_files()
    tables = {}
    for table in ("header", "episodes"):
        path = folder / "ssda903" / f"{table}.csv"
        raw = validation._read(path, f"ssda903_{table}", ValidationReport(folder=str(folder)))
        tables[table] = raw.with_columns(pl.lit(str(path)).alias(ssda903.FILE), pl.lit(0).alias(ssda903.YEAR))
    return [finding for rule in rules.RULES for finding in rule(tables)]


def bench_validation(runs: int = 3, authorities: int = DEFAULT_AUTHORITIES, years: int = DEFAULT_YEARS) -> str:
    """One line: median seconds to validate the national episodes with GX (target: 30 s or less)."""
    folder, _ = national_data(authorities, years)
    path = folder / "ssda903" / "episodes.csv"
    setup, runner = timed(validation._Runner)
    times, rows, findings = [], 0, []
    for _ in range(runs):
        seconds, (rows, findings) = timed(lambda: validate_episodes(runner, path))
        times.append(seconds)
    errors = [f for f in findings if f.severity == "error"]
    rule_times = []
    for _ in range(runs):
        seconds, rule_findings = timed(lambda: run_rules(folder))
        rule_times.append(seconds)
    return (
        f"GX validation of the national episodes ({rows:,} rows, suite ssda903_episodes): {summary(times)}; "
        f"target ≤ 30 s; {len(errors)} errors, {len(findings) - len(errors)} warnings; "
        f"GX context made once ({setup:.1f} s), outside the median; "
        f"multi-row rules (header + episodes) {summary(rule_times)}, {len(rule_findings)} findings; {load()}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    print(bench_validation(parser.parse_args().runs))
