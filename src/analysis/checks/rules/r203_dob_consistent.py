"""DfE 903 rule 203: a child's date of birth is the same in every return."""

from __future__ import annotations

import sys

import polars as pl

from analysis.checks.rules import _common
from analysis.core.findings import Finding

RULE = "203"
TITLE = "A child's date of birth is the same in every return"
SEVERITY = "warning"
FIX = "Correct the date of birth in the return that is wrong; ages and the 18th birthday depend on it."


def check(tables: dict[str, pl.DataFrame]) -> list[Finding]:
    """Warning: one finding per header file holding a DOB that differs from another return's."""
    header = tables.get("header")
    if header is None or not {"CHILD", "DOB"} <= set(header.columns):
        return []
    differing = header.filter(pl.col("DOB").n_unique().over("CHILD") > 1)
    return _common.findings(sys.modules[__name__], differing, header, "DOB")
