"""Special guardianship orders from the 903, set side by side with the permanence tracker.

An SGO in the 903 is a period of care (`care_periods.periods_of_care`) ending with REC E45-E48
(DfE SSDA903 guidance, REC code list, rule 149), or the legacy E43/E44 of older returns, whatever
the legal status before it. The codes say who the special guardians are:

    E45  former foster carer(s)          who are relatives or friends
    E46  former foster carer(s)          other than relatives or friends
    E47  carer(s) other than former foster carers, who are relatives or friends
    E48  carer(s) other than former foster carers, other than relatives or friends
    E43  former foster carer(s)          (legacy: relationship not recorded)
    E44  carer(s) other than former foster carers (legacy: relationship not recorded)

so `carer` splits former foster carers (E45/E46/E43) from other carers (E47/E48/E44), and
`relationship` relatives or friends (E45/E47) from others (E46/E48) and from "not recorded"
(E43/E44: the legacy codes do not say, and the pack does not guess).
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from analysis.core import vocabularies as vocab
from analysis.core.codes import SGO_CARER, SGO_RELATIONSHIP
from analysis.core.periods import monthly_rolling

BREAKDOWNS = [
    "all",
    "carer:former_foster_carer",
    "carer:other_carer",
    "relationship:relative_or_friend",
    "relationship:other",
    "relationship:not_recorded",
]
BREAKDOWN_LABEL = {
    "all": "All SGOs",
    "carer:former_foster_carer": "To former foster carers",
    "carer:other_carer": "To other carers",
    "relationship:relative_or_friend": "To relatives or friends",
    "relationship:other": "To others (not relatives or friends)",
    "relationship:not_recorded": "Relationship not recorded (legacy codes E43/E44)",
}


def relationship_parts(total_not_recorded: int) -> list[str]:
    """The relationship breakdowns that add up to all SGOs: "not recorded" only when some SGO has a legacy
    code (E43/E44), so a pack built from current returns shows just the two recorded relationships."""
    parts = ["relationship:relative_or_friend", "relationship:other"]
    return [*parts, "relationship:not_recorded"] if total_not_recorded else parts


def sgo_exits(periods: pl.DataFrame) -> pl.DataFrame:
    """One row per period of care ended by a special guardianship order (REC E45-E48, legacy E43/E44).

    Columns: CHILD, end, REC, carer (former_foster_carer, other_carer), relationship
    (relative_or_friend, other, not_recorded), last_ls. Periods of short breaks only are left out.
    """
    return (
        periods.filter(
            ~pl.col("short_breaks_only") & pl.col("end").is_not_null() & pl.col("REC").is_in(list(SGO_CARER))
        )
        .with_columns(
            pl.col("REC").replace_strict(SGO_CARER).alias("carer"),
            pl.col("REC").replace_strict(SGO_RELATIONSHIP).alias("relationship"),
        )
        .select("CHILD", "end", "REC", "carer", "relationship", "last_ls")
        .sort("end", "CHILD")
    )


def monthly_sgos(exits: pl.DataFrame, end: date, months: int, start: date | None = None) -> pl.DataFrame:
    """SGOs granted per month by breakdown: one row per (month end, breakdown in `BREAKDOWNS`), zero-filled.

    Months are the `months` up to `end`, none before `start` (the returns' coverage). Columns: date,
    breakdown, sgos, sgos_12m (rolling 12-month sum; null until 12 covered months lie behind it).
    """
    month = pl.col("end").dt.month_end().alias("date")
    counts = pl.concat(
        [
            exits.group_by(month).agg(pl.lit("all").alias("breakdown"), pl.len().alias("sgos")),
            exits.group_by(month, ("carer:" + pl.col("carer")).alias("breakdown")).agg(pl.len().alias("sgos")),
            exits.group_by(month, ("relationship:" + pl.col("relationship")).alias("breakdown")).agg(
                pl.len().alias("sgos")
            ),
        ],
        how="diagonal_relaxed",
    ).select("date", "breakdown", "sgos")
    return monthly_rolling(counts, key="breakdown", keys=BREAKDOWNS, value="sgos", end=end, months=months, start=start)


def sgos_by_year(exits: pl.DataFrame, end: date, start: date | None = None, years: int = 5) -> pl.DataFrame:
    """SGOs in each 12 months to `end`, to a year before, and so on: one row per 12-month span (oldest first,
    at most `years`, none starting before `start`), one column per breakdown in `BREAKDOWNS`, plus date (the
    span's last day) and first (its first day)."""
    rows = []
    for back in range(years):
        last = pl.Series([end]).dt.offset_by(f"-{12 * back}mo").dt.month_end().item()
        first = pl.Series([end]).dt.offset_by(f"-{12 * (back + 1)}mo").dt.month_end().item() + timedelta(days=1)
        if start is not None and first < start:
            break
        span = exits.filter(pl.col("end").is_between(first, last))
        row = {"first": first, "date": last, "all": span.height}
        for breakdown in BREAKDOWNS[1:]:
            key, value = breakdown.split(":")
            row[breakdown] = span.filter(pl.col(key) == value).height
        rows.append(row)
    schema = {"first": pl.Date, "date": pl.Date, **{b: pl.Int64 for b in BREAKDOWNS}}
    return pl.DataFrame(rows[::-1], schema=schema)


def side_by_side(monthly_903: pl.DataFrame, tracker_monthly: pl.DataFrame) -> pl.DataFrame:
    """SGOs by month in the 903 and orders in the tracker: one row per month in `monthly_903`.

    Takes `monthly_sgos` (the "all" rows are used) and `permanence_applications.monthly_orders` for
    the SGO route. Columns: date, sgos_903, orders_tracker (null where the tracker has no figure),
    difference (tracker − 903), sgos_903_12m, orders_tracker_12m.
    """
    frame = (
        monthly_903.filter(pl.col("breakdown") == "all")
        .select("date", pl.col("sgos").alias("sgos_903"))
        .join(tracker_monthly.select("date", pl.col("orders").alias("orders_tracker")), on="date", how="left")
        .sort("date")
    )
    return frame.with_columns(
        (pl.col("orders_tracker") - pl.col("sgos_903")).alias("difference"),
        pl.col("sgos_903").rolling_sum(12).alias("sgos_903_12m"),
        pl.col("orders_tracker").rolling_sum(12).alias("orders_tracker_12m"),
    )


#: The tracker's support_plan answers (`analysis.core.vocabularies`), then "not_recorded" for a blank or other answer.
SUPPORT_ANSWERS = [*vocab.SUPPORT_PLAN, "not_recorded"]
SUPPORT_LABEL = {
    "yes": "Support plan or allowance agreed",
    "no": "No support plan or allowance",
    "not_recorded": "Not recorded",
}


def support_plans(order_rows: pl.DataFrame, first: date, last: date) -> pl.DataFrame:
    """Support for new special guardians: SGOs made between `first` and `last` (tracker orders, from
    `permanence_applications.orders`) by the tracker's support_plan answer.

    One row per answer in `SUPPORT_ANSWERS` order, zero-filled: answer, children, share (of the
    orders where the tracker records an answer, × 100; null for "not_recorded").
    """
    answer = (
        pl.when(pl.col("support_plan").str.to_lowercase().is_in(list(vocab.SUPPORT_PLAN)))
        .then(pl.col("support_plan").str.to_lowercase())
        .otherwise(pl.lit("not_recorded"))
    )
    counts = (
        order_rows.filter(pl.col("order_date").is_between(first, last))
        .group_by(answer.alias("answer"))
        .agg(pl.len().cast(pl.Int64).alias("children"))
    )
    frame = (
        pl.DataFrame({"answer": SUPPORT_ANSWERS})
        .join(counts, on="answer", how="left")
        .with_columns(pl.col("children").fill_null(0))
    )
    recorded = frame.filter(pl.col("answer") != "not_recorded")["children"].sum()
    return frame.with_columns(
        pl.when((pl.col("answer") != "not_recorded") & pl.lit(recorded > 0))
        .then(pl.col("children") / max(recorded, 1) * 100)
        .alias("share")
    )
