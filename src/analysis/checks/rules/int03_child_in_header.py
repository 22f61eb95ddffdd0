"""DfE 903 rule INT03: every child in the episodes file is in the header file of the same return."""

from __future__ import annotations

import sys

import polars as pl

from analysis.checks.rules import _common
from analysis.core.findings import Finding
from analysis.load.ssda903 import FILE

RULE = "INT03"
TITLE = "Every child in the episodes file is in the header file"
SEVERITY = "warning"
FIX = "Add the child's header row, or correct the CHILD identifier in the episodes file."


def check(tables: dict[str, pl.DataFrame]) -> list[Finding]:
    """Warning (ages and sex are then unknown for that child): one finding per episodes file."""
    episodes, header = tables.get("episodes"), tables.get("header")
    if episodes is None or header is None or "CHILD" not in episodes.columns or "CHILD" not in header.columns:
        return []
    header = header.with_columns(pl.col(FILE).str.replace(r"episodes\.csv$|header\.csv$", "").alias("_return"))
    episodes = episodes.with_columns(pl.col(FILE).str.replace(r"episodes\.csv$|header\.csv$", "").alias("_return"))
    missing = episodes.join(header.select("_return", "CHILD"), on=["_return", "CHILD"], how="anti")
    return _common.findings(sys.modules[__name__], missing, episodes, "CHILD")
