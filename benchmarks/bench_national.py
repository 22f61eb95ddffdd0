"""Benchmark 2: national-scale metrics, polars (`analysis.metrics.national`) against a straightforward pandas baseline.

`python benchmarks/bench_national.py [--runs N] [--authorities A] [--years Y]` prints one line.

Both compute the same figures (looked after at 31 March, rate per 10,000, starts, ceases and
ceased by route, per authority and collection year) from episodes already loaded into memory
by each library; the results are checked equal before anything is timed. Runs alternate
(polars, pandas, polars, …) so that other work on the machine slows both alike, and the
reported ratio is of the medians. Loading the CSV is timed separately; and the figures end to end
as a user gets them (`load_national`, reading the Parquet copy its first read wrote, then
`national_metrics`), target ≤ 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys

import pandas_baseline
from common import load, national_data, summary, timed
from polars.testing import assert_frame_equal

from analysis.metrics import national
from analysis.synth.national import DEFAULT_AUTHORITIES, DEFAULT_LAST_YEAR, DEFAULT_YEARS


def bench_national(runs: int = 7, authorities: int = DEFAULT_AUTHORITIES, years: int = DEFAULT_YEARS) -> str:
    """One line: polars and pandas medians and their ratio (targets: polars ≤ 5 s and ≥ 5× faster)."""
    folder, generated = national_data(authorities, years)
    polars_load, data = timed(lambda: national.load_national(folder, parquet=False))
    # End to end, as a user runs it: load (from the Parquet copy the first read writes) and compute.
    first_read, _ = timed(lambda: national.load_national(folder))

    def end_to_end() -> national.NationalMetrics:
        loaded = national.load_national(folder)
        return national.national_metrics(loaded.episodes, loaded.population, DEFAULT_LAST_YEAR, years)

    whole = [timed(end_to_end)[0] for _ in range(runs)]
    pandas_load, (pd_episodes, pd_population) = timed(lambda: pandas_baseline.load(folder))

    def polars_run() -> national.NationalMetrics:
        return national.national_metrics(data.episodes, data.population, DEFAULT_LAST_YEAR, years)

    def pandas_run() -> tuple:
        return pandas_baseline.metrics(pd_episodes, pd_population, DEFAULT_LAST_YEAR, years)

    expected, (table, routes) = polars_run(), pandas_run()  # warm-up, and the check that both agree
    assert_frame_equal(pandas_baseline.to_polars(table), expected.table, check_dtypes=False)
    assert_frame_equal(pandas_baseline.to_polars(routes), expected.routes, check_dtypes=False)
    fast, slow = [], []
    for _ in range(runs):
        fast.append(timed(polars_run)[0])
        slow.append(timed(pandas_run)[0])
    ratio = statistics.median(slow) / statistics.median(fast)
    made = f"; data generated in {generated:.1f} s" if generated is not None else ""
    return (
        f"national metrics ({authorities} LAs × {years} years, {data.episodes.height:,} episodes): "
        f"polars {summary(fast)}; pandas {summary(slow)}; polars {ratio:.1f}× faster "
        f"(targets ≤ 5 s, ≥ 5×); CSV load polars {polars_load:.2f} s, pandas {pandas_load:.2f} s{made}; "
        f"end to end (load from the Parquet copy + compute) {summary(whole)}, target ≤ 2 s "
        f"(the first read, which writes the copy if it is missing or stale: {first_read:.2f} s); {load()}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--authorities", type=int, default=DEFAULT_AUTHORITIES)
    parser.add_argument("--years", type=int, default=DEFAULT_YEARS)
    args = parser.parse_args()
    print(bench_national(args.runs, args.authorities, args.years))
    sys.exit(0)
