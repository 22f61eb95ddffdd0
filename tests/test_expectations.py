"""The stored Great Expectations suites match their definition and the 903 code lists."""

from __future__ import annotations

import json

import pytest

from analysis import codes, paths
from analysis.suites import SUITES, as_json


@pytest.mark.parametrize("name", sorted(SUITES))
def test_stored_suite_matches_definition(name: str) -> None:
    stored = (paths.EXPECTATIONS / f"{name}.json").read_text(encoding="utf-8")
    assert stored == as_json(SUITES[name]()), f"run `review-pack suites` to refresh expectations/{name}.json"


def test_every_expectation_has_rule_title_fix_and_severity() -> None:
    for path in sorted(paths.EXPECTATIONS.glob("*.json")):
        for e in json.loads(path.read_text())["expectations"]:
            assert {"rule", "title", "fix"} <= set(e["meta"]), (path.name, e["type"])
            assert e["severity"] in {"critical", "warning"}


@pytest.mark.parametrize(
    ("column", "code_list", "severity"),
    [
        ("RNE", codes.RNE, "critical"),
        ("LS", codes.LS, "critical"),
        ("PLACE", codes.PLACE, "critical"),
        ("REC", codes.EPISODE_CODE_LISTS["REC"], "critical"),
        ("CIN", codes.CIN, "warning"),
    ],
)
def test_episode_code_lists_come_from_codes(column: str, code_list: dict, severity: str) -> None:
    suite = json.loads((paths.EXPECTATIONS / "ssda903_episodes.json").read_text())
    [e] = [
        e
        for e in suite["expectations"]
        if e["type"] == "expect_column_values_to_be_in_set" and e["kwargs"]["column"] == column
    ]
    assert set(e["kwargs"]["value_set"]) == set(code_list)
    assert e["severity"] == severity


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
