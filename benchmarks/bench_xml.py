"""Benchmark: reading one year's SSDA903 XML return for a large authority (50,000 episodes), median of several runs.

`python benchmarks/bench_xml.py [--runs N]` prints one line.

The file is the default synthetic data's latest return (2024), its children copied under new
identifiers until it holds 50,000 episodes (about 24,000 children, about 15 MB), written by
`ssda903_xml.write_return` into a temporary folder. Each run reads it as the loader does:
`ssda903.read_table` for header, episodes and uasc from the year folder (one parse, then the
cached tables), with the cache emptied first. CPU seconds are printed beside the wall-clock
median, since other work on the machine stretches the wall clock. The line says which parser read the
file: lxml when it is installed (a dependency), else ElementTree.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import polars as pl
from common import load, summary, timed

from analysis import synth
from analysis.load import ssda903, ssda903_xml

EPISODES = 50_000
TARGET_S = 2.0


def large_return(folder: Path, episodes: int = EPISODES) -> Path:
    """`folder/ssda903/2024/large.xml`: the synthetic 2024 return, its children repeated to `episodes` episodes."""
    source = Path(folder) / "synthetic"
    synth.generate(source)
    year = source / "ssda903" / "2024"
    header, eps, uasc = (pl.read_csv(year / f"{t}.csv", infer_schema=False) for t in ("header", "episodes", "uasc"))
    copies = -(-episodes // eps.height)
    renamed = [
        [frame.with_columns((pl.col("CHILD") + f"-{i}").alias("CHILD")) for i in range(copies)]
        for frame in (header, eps, uasc)
    ]
    header, eps, uasc = (pl.concat(parts) for parts in renamed)
    eps = eps.head(episodes)
    header = header.filter(pl.col("CHILD").is_in(eps["CHILD"].unique().implode()))
    uasc = uasc.filter(pl.col("CHILD").is_in(header["CHILD"].implode()))
    return ssda903_xml.write_return(Path(folder) / "ssda903" / "2024" / "large.xml", header, eps, uasc)


def read_year(folder: Path) -> dict[str, int]:
    """The three tables the pack reads, as `inputs.load_inputs` reads them; rows per table."""
    ssda903_xml._cached.cache_clear()
    files = ssda903.discover(folder)
    return {table: ssda903.read_table(files, table).height for table in ("header", "episodes", "uasc")}


def bench_xml(runs: int = 5) -> str:
    """One line: median seconds to read a 50,000-episode XML return (target: under 2 s)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = large_return(Path(tmp))
        size = path.stat().st_size / 1e6
        times, cpu, rows = [], [], {}
        for _ in range(runs):
            started = time.process_time()
            seconds, rows = timed(lambda: read_year(Path(tmp) / "ssda903"))
            times.append(seconds)
            cpu.append(time.process_time() - started)
    cpu_median = sorted(cpu)[len(cpu) // 2]
    return (
        f"XML return, one year of a large authority ({rows['episodes']:,} episodes, {rows['header']:,} children, "
        f"{size:.1f} MB, read with {'lxml' if ssda903_xml._lxml() else 'ElementTree (lxml not installed)'}): "
        f"{summary(times)}; CPU median {cpu_median:.2f} s; target < {TARGET_S:.0f} s; {load()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    print(bench_xml(parser.parse_args().runs))


if __name__ == "__main__":
    main()
