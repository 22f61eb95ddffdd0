"""RP43: every child in the allocations is in the 903 (header or episodes of any return)."""

from __future__ import annotations

import sys

import polars as pl

from analysis.checks.rules import _common
from analysis.core.findings import Finding

RULE = "RP43"
TITLE = "Every child_id in the allocations is a child in the 903 return"
SEVERITY = "warning"
FIX = "Correct the child_id to the child's 903 CHILD identifier, or remove allocations of children never looked after."


def check(tables: dict[str, pl.DataFrame]) -> list[Finding]:
    """Warning: an allocation of a child not in the 903 is not counted (the measures are of children in care)."""
    allocations = tables.get("allocations")
    if allocations is None or "child_id" not in allocations.columns:
        return []
    known: set[str] = set()
    for table in ("header", "episodes"):
        frame = tables.get(table)
        if frame is not None and "CHILD" in frame.columns:
            known |= set(frame["CHILD"].drop_nulls().to_list())
    if not known:
        return []
    failing = allocations.filter(pl.col("child_id").is_not_null() & ~pl.col("child_id").is_in(sorted(known)))
    return _common.findings(sys.modules[__name__], failing, allocations, "child_id")
