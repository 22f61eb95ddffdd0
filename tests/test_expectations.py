"""The stored Great Expectations suites match their definition and the 903 code lists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.checks.suites import SUITES, as_json
from analysis.core import codes, paths


@pytest.mark.parametrize("name", sorted(SUITES))
def test_stored_suite_matches_definition(name: str) -> None:
    stored = (paths.EXPECTATIONS / f"{name}.json").read_text(encoding="utf-8")
    assert stored == as_json(SUITES[name]()), f"run `review-pack suites` to refresh expectations/{name}.json"


def test_every_expectation_has_rule_title_fix_and_severity() -> None:
    for path in sorted(paths.EXPECTATIONS.glob("*.json")):
        for e in json.loads(path.read_text())["expectations"]:
            assert {"rule", "title", "fix"} <= set(e["meta"]), (path.name, e["type"])
            assert e["severity"] in {"critical", "warning"}


#: The DfE code lists typed by hand from the 903 guidance, apart from src/analysis/core/codes.py (see its _source).
DFE_CODES = json.loads((Path(__file__).parent / "fixtures" / "dfe_codes.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("suite", "column", "expected", "severity"),
    [
        ("ssda903_episodes", "RNE", DFE_CODES["RNE"], "critical"),
        ("ssda903_episodes", "LS", DFE_CODES["LS"], "critical"),
        ("ssda903_episodes", "PLACE", DFE_CODES["PLACE"], "critical"),
        ("ssda903_episodes", "REC", DFE_CODES["REC"] + DFE_CODES["REC_legacy"], "critical"),
        ("ssda903_episodes", "CIN", DFE_CODES["CIN"], "warning"),
        ("ssda903_header", "SEX", DFE_CODES["SEX"], None),
        ("ssda903_header", "ETHNIC", DFE_CODES["ETHNIC"], None),
    ],
)
def test_the_suites_code_lists_are_the_dfes(suite: str, column: str, expected: list[str], severity: str | None) -> None:
    stored = json.loads((paths.EXPECTATIONS / f"{suite}.json").read_text())
    [e] = [
        e
        for e in stored["expectations"]
        if e["type"] == "expect_column_values_to_be_in_set" and e["kwargs"]["column"] == column
    ]
    assert sorted(e["kwargs"]["value_set"]) == sorted(expected)
    if severity is not None:
        assert e["severity"] == severity


def test_the_code_descriptions_cover_the_dfe_lists() -> None:
    for column, listed in [("RNE", codes.RNE), ("LS", codes.LS), ("PLACE", codes.PLACE), ("CIN", codes.CIN)]:
        assert sorted(listed) == sorted(DFE_CODES[column]), column
    assert sorted(codes.REC) == sorted(DFE_CODES["REC"])
    assert sorted(codes.LEGACY_REC) == sorted(DFE_CODES["REC_legacy"])


def test_grouped_fields_are_errors() -> None:
    # An unknown code in a field a metric groups by makes the figures wrong: an error.
    suite = json.loads((paths.EXPECTATIONS / "ssda903_episodes.json").read_text())
    severities = {e["kwargs"].get("column"): e["severity"] for e in suite["expectations"]}
    assert all(severities[f] == "critical" for f in codes.GROUPED_FIELDS)


def test_groupings_cover_every_code() -> None:
    assert set(codes.LS_GROUP) == set(codes.LS)
    assert set(codes.PLACE_GROUP) == set(codes.PLACE)
    # Legacy codes kept as they are (E43/E44) need a route too; E4 is read as E4A before any grouping.
    kept = {new for old, new in codes.LEGACY_REC.items() if old == new}
    assert set(codes.REC_ROUTE) == (set(codes.REC) | kept) - {"X1"}
