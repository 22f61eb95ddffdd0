"""Shared by the benchmarks: medians, the machine, and the national-scale data set they time.

Timings live in `benchmarks/`, never in tests. Each benchmark prints one line.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from analysis.core import paths
from analysis.synth import national

#: The national episodes file is ~140 MB, above the readers' limit for one authority's files (REVIEW_PACK_MAX_MB).
LARGE_FILES_MB = "1000"
os.environ.setdefault("REVIEW_PACK_MAX_MB", LARGE_FILES_MB)

#: The national data set the benchmarks use (git-ignored; generated when missing or of another size).
NATIONAL_DATA = paths.ROOT / "data" / "national"


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    """(wall-clock seconds, result) of one call."""
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def summary(times: list[float]) -> str:
    """'median 1.23 s over 5 runs (min 1.20, max 1.31)'."""
    return (
        f"median {statistics.median(times):.2f} s over {len(times)} runs (min {min(times):.2f}, max {max(times):.2f})"
    )


def machine() -> str:
    """One line about this machine: CPU model, cores, memory, Python."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory = f", {kib / 2**20:.0f} GiB"
    return f"{model}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}"


def load() -> str:
    """The 1-minute load average: other work on the machine makes timings noisy, so every line says it."""
    return f"load {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "load n/a"


def national_data(
    authorities: int = national.DEFAULT_AUTHORITIES,
    years: int = national.DEFAULT_YEARS,
    folder: Path = NATIONAL_DATA,
) -> tuple[Path, float | None]:
    """The national data folder of this size (default seed), generated if absent; and the seconds it took (or None)."""
    marker = folder / "README.txt"
    wanted = f"{authorities} authorities, {years} collection years to 31 March {national.DEFAULT_LAST_YEAR}, seed "
    expected = f"{wanted}{national.DEFAULT_SEED}."
    if marker.exists() and expected in marker.read_text(encoding="utf-8"):
        return folder, None
    seconds, _ = timed(lambda: national.generate_national(folder, authorities=authorities, years=years))
    return folder, seconds


#: The national data stacked as ONE authority (for `review-pack metrics` at scale): inside the national folder, so
#: git-ignored with it and rewritten when the national data is.
ONE_AUTHORITY = NATIONAL_DATA / "one_authority"
ONE_AUTHORITY_CODE = "E99999999"


def one_authority_data(national_folder: Path = NATIONAL_DATA, folder: Path = ONE_AUTHORITY) -> Path:
    """The national episodes and header as one authority's stacked 903 folder (the LA column dropped; CHILD
    identifiers are unique nationally), with the population summed over authorities per mid-year. Written
    when missing or older than the national data; the episodes file is ~130 MB (raise REVIEW_PACK_MAX_MB)."""
    import polars as pl

    source = national_folder / "ssda903"
    episodes = folder / "ssda903" / "episodes.csv"
    if episodes.exists() and episodes.stat().st_mtime >= (source / "episodes.csv").stat().st_mtime:
        return folder
    (folder / "ssda903").mkdir(parents=True, exist_ok=True)
    (folder / "context").mkdir(parents=True, exist_ok=True)
    for table in ("header", "episodes"):
        pl.read_csv(source / f"{table}.csv", infer_schema=False).drop("LA").write_csv(
            folder / "ssda903" / f"{table}.csv"
        )
    (
        pl.read_csv(national_folder / "context" / "population.csv", schema_overrides={"la_code": pl.String})
        .group_by("mid_year")
        .agg(pl.col("population_0_17").sum())
        .sort("mid_year")
        .select(
            pl.lit(ONE_AUTHORITY_CODE).alias("la_code"),
            "mid_year",
            "population_0_17",
            pl.lit("Synthetic national data summed over authorities (not an ONS estimate)").alias("source"),
        )
        .write_csv(folder / "context" / "population.csv")
    )
    return folder
