"""Validation rules that need more than one row or table: one rule per module.

Each rule takes the input tables as text (`{"header": frame, "episodes": frame, ...}`, every
frame with `_file` and `_row` columns, all years stacked) and returns its findings. The
single-row checks are Great Expectations suites in `expectations/`.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from analysis.checks.rules import (
    int03_child_in_header,
    r148_dec_and_rec,
    r203_dob_consistent,
    r302_dob,
    r352_over_18,
    r433_continuity,
    r501_overlap,
    rp42_allocation_overlap,
    rp43_allocation_child_in_903,
)
from analysis.core.findings import Finding

Rule = Callable[[dict[str, pl.DataFrame]], list[Finding]]

RULES: list[Rule] = [
    int03_child_in_header.check,
    r148_dec_and_rec.check,
    r203_dob_consistent.check,
    r302_dob.check,
    r352_over_18.check,
    r433_continuity.check,
    r501_overlap.check,
    rp42_allocation_overlap.check,
    rp43_allocation_child_in_903.check,
]
