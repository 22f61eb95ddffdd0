"""Several files of one table checked together (one GX run for the row-wise expectations) find, file by file,
exactly what a check per file finds: the same findings, rows, examples and counts, in the same order."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from analysis.checks.validation import _Runner
from analysis.load.readers import read_raw


@pytest.fixture(scope="module")
def runner() -> _Runner:
    return _Runner()


def _with(frame: pl.DataFrame, row: int, column: str, value: str) -> pl.DataFrame:
    return frame.with_columns(
        pl.when(pl.int_range(pl.len()) == row).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
    )


def test_files_checked_together_find_what_each_file_checked_alone_finds(synthetic: Path, runner: _Runner) -> None:
    years = [read_raw(synthetic / "ssda903" / str(year) / "episodes.csv", []) for year in (2022, 2023, 2024)]
    years[0] = _with(_with(years[0], 1, "LS", "ZZ"), 4, "DECOM", "31/02/2021")  # an unknown code, an unreal date
    years[2] = _with(years[2], 0, "PLACE", "Q9")
    files = [(frame, f"ssda903/{year}/episodes.csv") for frame, year in zip(years, (2022, 2023, 2024), strict=True)]

    together = runner.run_files("ssda903_episodes", files)
    alone = [runner.run("ssda903_episodes", frame, name) for frame, name in files]

    assert together == alone
    found = [[(f.rule, f.rows, f.examples) for f in findings] for findings, _ in together]
    # rows are each file's own (its header is row 1), not the combined frame's
    assert found == [[("RP02", [6], ["31/02/2021"]), ("144", [3], ["ZZ"])], [], [("146", [2], ["Q9"])]]


def test_a_repeated_child_is_found_per_file_not_across_files(synthetic: Path, runner: _Runner) -> None:
    # The same child is in every year's header: uniqueness is a property of one file.
    years = [read_raw(synthetic / "ssda903" / str(year) / "header.csv", []) for year in (2023, 2024)]
    years[0] = _with(years[0], 1, "CHILD", years[0]["CHILD"][0])
    files = [(frame, f"ssda903/{year}/header.csv") for frame, year in zip(years, (2023, 2024), strict=True)]

    together = runner.run_files("ssda903_header", files)

    assert together == [runner.run("ssda903_header", frame, name) for frame, name in files]
    assert any(f.rows == [2, 3] for f in together[0][0])
    assert not any(f.rows == [2, 3] for f in together[1][0])


def test_files_with_other_columns_are_checked_apart(synthetic: Path, runner: _Runner) -> None:
    first = read_raw(synthetic / "ssda903" / "2023" / "episodes.csv", [])
    second = read_raw(synthetic / "ssda903" / "2024" / "episodes.csv", []).drop("REC")
    files = [(first, "2023/episodes.csv"), (second, "2024/episodes.csv")]

    together = runner.run_files("ssda903_episodes", files)

    assert together == [runner.run("ssda903_episodes", frame, name) for frame, name in files]
    assert together[1][1] < together[0][1]  # fewer expectations apply without REC
    assert not any(f.column == "REC" for f in together[0][0])
    assert any(f.column == "REC" and f.severity == "error" for f in together[1][0])  # missing: an error
