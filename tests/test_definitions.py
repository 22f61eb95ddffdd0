"""Metric definitions: documented, sourced, and in step with docs/metrics.md."""

from __future__ import annotations

import re

from analysis.core import paths
from analysis.core.definitions import METRICS, markdown


def test_docs_metrics_md_is_generated_from_definitions() -> None:
    text = (paths.ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    assert text == markdown(), "run `review-pack docs` to refresh docs/metrics.md"


def test_docs_validation_md_is_generated_from_the_suites() -> None:
    from analysis.checks.suites import markdown as validation_markdown

    text = (paths.ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    assert text == validation_markdown(), "run `review-pack docs` to refresh docs/validation.md"


def test_every_project_rule_the_code_reports_is_documented() -> None:
    # Every "RPnn"/"RPXn" rule code written in the package appears in docs/validation.md's tables.
    from analysis.checks.suites import markdown as validation_markdown

    used = set()
    for path in (paths.ROOT / "src" / "analysis").rglob("*.py"):
        used |= set(re.findall(r"[\"'](RPX?\d+)[\"']", path.read_text(encoding="utf-8")))
    documented = set(re.findall(r"^\| (RPX?\d+) \|", validation_markdown(), re.MULTILINE))
    assert {"RP00", "RP05", "RPX1", "RPX6"} <= used
    assert used - documented == set()


def test_every_metric_has_a_definition_and_source() -> None:
    for m in METRICS.values():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", m.id)
        assert m.definition and m.source
        assert m.period in {"date", "month", "year"}
        assert m.better in {"lower", "higher", "neutral"}
