"""The Parquet copy `national.load_national` writes first: the same tables, renewed when the CSV changes."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from analysis.metrics import national
from analysis.synth.national import generate_national


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    generate_national(tmp_path / "national", authorities=2, years=2, seed=11)
    return tmp_path / "national"


def test_the_second_read_comes_from_the_copy_and_is_the_same(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = national.load_national(folder)
    copy = folder / national.PARQUET_FOLDER
    assert sorted(p.name for p in copy.iterdir()) == ["episodes.parquet", "population.parquet", "source.json"]
    monkeypatch.setattr(national, "scan_episodes", lambda *a, **k: pytest.fail("read the CSV again"))
    second = national.load_national(folder)
    assert_frame_equal(second.episodes, first.episodes)
    assert_frame_equal(second.population, first.population)
    assert_frame_equal(national.load_national(folder, enums=False).episodes, first.episodes, check_dtypes=False)


def test_a_changed_csv_is_read_again(folder: Path) -> None:
    national.load_national(folder)
    path = folder / "ssda903" / "episodes.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-10]), encoding="utf-8")  # ten episodes fewer
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    again = national.load_national(folder)
    fresh = national.load_national(folder, parquet=False)
    assert_frame_equal(again.episodes, fresh.episodes)
    (folder / "context" / "population.csv").unlink()
    assert national.load_national(folder).population is None


def test_without_parquet_nothing_is_written(folder: Path) -> None:
    national.load_national(folder, parquet=False)
    assert not (folder / national.PARQUET_FOLDER).exists()


def test_a_folder_that_cannot_be_written_is_still_read(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError("read-only")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", refuse)
    loaded = national.load_national(folder)
    assert loaded.episodes.height > 0
    assert not (folder / national.PARQUET_FOLDER / "source.json").exists()
