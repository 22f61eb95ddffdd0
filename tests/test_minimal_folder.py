"""The least the data contract needs: a folder holding only `ssda903/` (no la.toml, no population, no
uasc.csv, no tracker, no workforce). `review-pack validate` and `review-pack metrics` work on it, say what
is missing and what it would add, and never show a guess as a figure."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from factories import write_folder

from analysis.checks.validation import validate_inputs
from analysis.cli import main


@pytest.fixture
def only_903(tmp_path: Path) -> Path:
    root = write_folder(tmp_path / "inputs", la_toml=False, population=None)
    assert sorted(p.name for p in root.iterdir()) == ["ssda903"]
    return root


def test_validate_passes_with_warnings_that_say_what_is_missing(only_903: Path, capsys: pytest.CaptureFixture) -> None:
    code = main(["validate", "--data", str(only_903)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "0 errors" in out and "Traceback" not in out + err
    warnings = [line for line in err.splitlines() if line.startswith("WARNING")]
    la = [line for line in warnings if "la.toml" in line]
    assert la and all(word in la[0] for word in ("name", "targets", "comparator"))
    assert any("population.csv" in line and "per 10,000" in line for line in warnings)


def test_the_warnings_are_findings_for_the_data_quality_page(only_903: Path) -> None:
    report = validate_inputs(only_903)
    assert report.errors == []
    files = {Path(f.file).name for f in report.warnings}
    assert {"la.toml", "population.csv"} <= files


def test_metrics_are_written_without_rates_or_uasc(
    only_903: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out_csv = tmp_path / "metrics.csv"
    code = main(["metrics", "--data", str(only_903), "--period", "2024-03", "--out", str(out_csv)])
    _, err = capsys.readouterr()
    assert code == 0, err
    assert "la.toml" in err and "population.csv" in err
    metrics = pl.read_csv(out_csv)
    present = set(metrics["metric"])
    assert {"cla_count", "cla_starts", "care_order_discharges"} <= present
    # No population: no rate. No uasc.csv: the UASC count and the rate without UASC are not known, not 0.
    assert not present & {"cla_rate_per_10k", "cla_uasc_count", "cla_rate_excl_uasc_per_10k"}
    latest = metrics.filter((pl.col("metric") == "cla_count") & (pl.col("period") == "2024-03-31"))
    assert latest.filter(pl.col("breakdown") == "all")["value"].item() == 1
