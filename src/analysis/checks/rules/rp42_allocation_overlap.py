"""RP42: one child's allocations overlap by no more than a hand-over (`vocabularies.HANDOVER_DAYS` days)."""

from __future__ import annotations

import sys

import polars as pl

from analysis.checks.rules import _common
from analysis.core.findings import Finding
from analysis.core.vocabularies import HANDOVER_DAYS
from analysis.load.readers import date_expr

RULE = "RP42"
TITLE = (
    f"A child's next allocation does not start more than {HANDOVER_DAYS} days before the previous one ends "
    "(a longer overlap than a hand-over)"
)
SEVERITY = "warning"
FIX = (
    "End the earlier allocation when the new worker takes over (a hand-over of up to "
    f"{HANDOVER_DAYS} days is expected), or fill in its end date if it has ended."
)


def check(tables: dict[str, pl.DataFrame]) -> list[Finding]:
    """Warning: during an overlap the later-starting worker counts as the child's worker, so the figures stand,
    but a long overlap usually means an end date was not recorded."""
    raw = tables.get("allocations")
    if raw is None or not {"child_id", "start_date", "end_date"} <= set(raw.columns):
        return []
    typed = (
        raw.with_columns(
            date_expr("start_date", ("%Y-%m-%d", "%d/%m/%Y")), date_expr("end_date", ("%Y-%m-%d", "%d/%m/%Y"))
        )
        .filter(pl.col("child_id").is_not_null() & pl.col("start_date").is_not_null())
        .sort("child_id", "start_date")
    )
    previous_end = pl.col("end_date").shift(1).over("child_id")
    previous_open = pl.col("end_date").is_null().shift(1).over("child_id").fill_null(False)
    same_child = pl.col("child_id") == pl.col("child_id").shift(1)
    overlap = (previous_end - pl.col("start_date")).dt.total_days() > HANDOVER_DAYS
    failing = typed.filter(same_child & (previous_open | overlap.fill_null(False)))
    return _common.findings(sys.modules[__name__], failing, typed, "start_date")
