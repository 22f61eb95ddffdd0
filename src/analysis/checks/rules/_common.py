"""Helpers shared by the multi-row rules: typed, de-duplicated episodes and findings per file."""

from __future__ import annotations

from types import ModuleType

import polars as pl

from analysis.core.findings import Finding
from analysis.load.readers import ROW, date_expr
from analysis.load.ssda903 import FILE, YEAR, MergeReport, merge_episodes

#: Key under which the merged episodes are kept in the tables dict for the other rules.
MERGED = "_merged_episodes"


def episodes(tables: dict[str, pl.DataFrame]) -> pl.DataFrame | None:
    """The episodes as merged for analysis (one row per CHILD + DECOM, latest return), dates parsed.

    Rows whose DECOM cannot be read are left out here: the suites already report them as errors.
    Returns None when there is no usable episodes table.
    """
    if MERGED in tables:  # built once per validation run: every rule uses the same merged episodes
        return tables[MERGED]
    raw = tables.get("episodes")
    needed = {"CHILD", "DECOM", "DEC", "RNE", "REC", "LS", "PLACE"}
    if raw is None or not needed <= set(raw.columns):
        return None
    typed = raw.with_columns(date_expr("DECOM"), date_expr("DEC")).filter(
        pl.col("DECOM").is_not_null() & pl.col("CHILD").is_not_null()
    )
    if YEAR not in typed.columns:
        typed = typed.with_columns(pl.lit(0).alias(YEAR))
    tables[MERGED] = merge_episodes(typed, MergeReport()).sort("CHILD", "DECOM")
    return tables[MERGED]


def header(tables: dict[str, pl.DataFrame]) -> pl.DataFrame | None:
    """The header as merged for analysis (one row per child, latest return), DOB parsed."""
    raw = tables.get("header")
    if raw is None or not {"CHILD", "DOB"} <= set(raw.columns):
        return None
    typed = raw.with_columns(date_expr("DOB"))
    if YEAR not in typed.columns:
        typed = typed.with_columns(pl.lit(0).alias(YEAR))
    return (
        typed.with_columns(pl.int_range(pl.len()).alias("_order"))
        .sort(YEAR, "_order")
        .group_by("CHILD", maintain_order=True)
        .last()
        .drop("_order")
    )


def findings(rule: ModuleType, failing: pl.DataFrame, checked: pl.DataFrame, column: str) -> list[Finding]:
    """One finding per file holding failing rows, with the rule module's RULE, TITLE, SEVERITY and FIX."""
    return [
        Finding(
            file=part[FILE][0],
            rule=rule.RULE,
            title=rule.TITLE,
            severity=rule.SEVERITY,
            failed=part.height,
            checked=checked.filter(pl.col(FILE) == part[FILE][0]).height,
            column=column,
            rows=part[ROW].sort().to_list()[:50],
            examples=[],
            fix=rule.FIX,
        )
        for part in failing.partition_by(FILE, maintain_order=True)
    ]
