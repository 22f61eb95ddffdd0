"""Social worker stability: how often children in care change social worker, and who their worker is.

The input is `allocations.csv` (data/README.md): one row per allocation of a child to a worker,
with the worker's team and contract at the time, a start date and an end date (blank while
current). The definitions, used by every function here:

* **The child's worker on a day D** is the allocation with start_date ≤ D and (end_date blank or
  end_date > D), as the 903 counts an episode ending on D as over on D. During a hand-over two
  allocations are open at once: the one that started later is the child's worker.
* **A hand-over** is the overlap of the outgoing and the incoming worker's allocations. It is not
  a change in itself: the change is the incoming worker. Overlaps longer than `HANDOVER_DAYS` are
  a validation warning (rule RP40), not a change either.
* **Changes of worker in a span** (from, to], for example the 12 months to a month end: list the
  allocation current at `from` (if any) and then every allocation starting after `from` and on or
  before `to`, in order of start date. A change is each allocation in that list whose worker_id
  differs from the one before it; the first in the list is never a change. The same worker
  allocated again after a gap is not a change; days with no allocated worker are not changes.
* **Workers in a span**: how many different worker_ids the list holds (a child with 3 changes
  has had 4 workers, unless one came back).
* **The same worker for the previous 12 months** at month end D: the child has been in care
  continuously since at least the same day 12 months before (W = D - 12 months, the current period
  of care started on or before W), had an allocated worker at W and at D, and no change in (W, D].
  Children in care for less than 12 months are left out of this measure, not counted as changes.

Source: these are local measures, defined here; the 12-month measure and "a change of social
worker in the last year" are the figures quoted in the Report of the Children's Services
Commissioner in Herefordshire (December 2023). Children in care and periods of care follow the
DfE's SSDA903 definitions (`analysis.metrics.cla`, `analysis.metrics.care_periods`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import polars as pl

from analysis.core import vocabularies
from analysis.metrics.care_periods import periods_of_care
from analysis.metrics.cla import looked_after_on

#: An overlap of one child's allocations up to this many days is a hand-over (rule RP40 warns beyond).
HANDOVER_DAYS = vocabularies.HANDOVER_DAYS
#: The span of the stability measures, in months before the month end.
WINDOW_MONTHS = 12
CONTRACTS = vocabularies.ALLOCATION_CONTRACTS
#: Breakdowns of worker_changes_12m.
CHANGE_BANDS = ("0", "1", "2", "3_or_more")
#: Fewer than this many children (or orders) in a group: no share, median or interval is shown.
SMALL = 5


def coverage_start(allocations: pl.DataFrame) -> date | None:
    """The first day the allocations can be trusted to be complete: the earliest end date in the file.

    A file extracted as "every allocation open on or after X" holds no allocation that ended before
    X, so a change of worker before its earliest end date may be missing. With no ended allocation
    at all, the earliest start date. None for an empty file.
    """
    if allocations.height == 0:
        return None
    ended = allocations["end_date"].drop_nulls()
    return ended.min() if ended.len() else allocations["start_date"].min()  # type: ignore[return-value]


def worker_changes(allocations: pl.DataFrame, spans: pl.DataFrame, keys: Sequence[str] = ()) -> pl.DataFrame:
    """Changes of social worker in each span (from, to] (definitions in the module docstring).

    `spans` has child_id, `from` and `to` (dates) and any `keys`; one row per span comes back, in
    the same order, with: changes (0 when the child had no allocation), workers (different
    worker_ids), allocated_at_start (a worker was allocated at `from`), and the allocation current
    at `to`: worker_id, team and contract (null when none).
    """
    keys = [*keys, "child_id", "from", "to"]
    spans = spans.with_row_index("_span")
    pairs = spans.join(
        allocations.select("child_id", "worker_id", "team", "contract", "start_date", "end_date"),
        on="child_id",
        how="inner",
    ).filter(
        (pl.col("start_date") <= pl.col("to")) & (pl.col("end_date").is_null() | (pl.col("end_date") > pl.col("from")))
    )
    order = ["_span", "start_date", "worker_id"]
    before = (
        pairs.filter(pl.col("start_date") <= pl.col("from")).sort(order).group_by("_span", maintain_order=True).last()
    )
    within = pairs.filter(pl.col("start_date") > pl.col("from"))
    listed = pl.concat([before, within], how="vertical").sort(order)
    per_span = listed.group_by("_span").agg(
        (pl.col("worker_id") != pl.col("worker_id").shift(1)).fill_null(False).sum().cast(pl.Int64).alias("changes"),
        pl.col("worker_id").n_unique().cast(pl.Int64).alias("workers"),
        (pl.col("start_date") <= pl.col("from")).any().alias("allocated_at_start"),
    )
    open_at_end = pl.col("end_date").is_null() | (pl.col("end_date") > pl.col("to"))
    current = (
        pairs.filter(open_at_end)
        .sort(order)
        .group_by("_span", maintain_order=True)
        .last()
        .select("_span", "worker_id", "team", "contract")
    )
    return (
        spans.join(per_span, on="_span", how="left")
        .join(current, on="_span", how="left")
        .with_columns(
            pl.col("changes").fill_null(0),
            pl.col("workers").fill_null(0),
            pl.col("allocated_at_start").fill_null(False),
        )
        .sort("_span")
        .select(*keys, "changes", "workers", "allocated_at_start", "worker_id", "team", "contract")
    )


def change_band(changes: pl.Expr) -> pl.Expr:
    """The band of a number of changes: "0", "1", "2" or "3_or_more" (the breakdowns of worker_changes_12m)."""
    return pl.when(changes >= 3).then(pl.lit("3_or_more")).otherwise(changes.cast(pl.String))


def children_at(episodes: pl.DataFrame, allocations: pl.DataFrame, dates: pl.Series) -> pl.DataFrame:
    """One row per child in care at each month end, with their worker changes over the previous 12 months.

    Columns: date, child_id, window_start (12 months before), period_start (start of the current
    period of care), in_care_12m (period_start ≤ window_start), changes, workers,
    allocated_at_start, worker_id, team and contract of the worker at the month end (null if none),
    allocated, agency (the worker at the month end is agency staff), same_worker (null when not in
    care for 12 months). Children in care follow `cla.looked_after_on` (short breaks left out).
    """
    on = looked_after_on(episodes, dates).select("date", pl.col("CHILD").alias("child_id"))
    periods = (
        periods_of_care(episodes)
        .filter(~pl.col("short_breaks_only"))
        .select(pl.col("CHILD").alias("child_id"), pl.col("start").alias("period_start"), pl.col("end").alias("_end"))
    )
    current = (
        on.join(periods, on="child_id", how="left")
        .filter(
            (pl.col("period_start") <= pl.col("date")) & (pl.col("_end").is_null() | (pl.col("_end") > pl.col("date")))
        )
        .group_by("date", "child_id")
        .agg(pl.col("period_start").max())
    )
    spans = (
        on.join(current, on=["date", "child_id"], how="left")
        .with_columns(pl.col("date").dt.offset_by(f"-{WINDOW_MONTHS}mo").dt.month_end().alias("window_start"))
        .select(
            "date",
            "child_id",
            "window_start",
            "period_start",
            pl.col("window_start").alias("from"),
            pl.col("date").alias("to"),
        )
        .sort("date", "child_id")
    )
    found = worker_changes(allocations, spans, keys=("date", "window_start", "period_start"))
    in_care_12m = pl.col("period_start") <= pl.col("window_start")
    return found.drop("from", "to").with_columns(
        in_care_12m.fill_null(False).alias("in_care_12m"),
        pl.col("worker_id").is_not_null().alias("allocated"),
        (pl.col("contract") == "agency").fill_null(False).alias("agency"),
    ).with_columns(
        pl.when(pl.col("in_care_12m"))
        .then(pl.col("allocated_at_start") & pl.col("allocated") & (pl.col("changes") == 0))
        .alias("same_worker")
    ).select(
        "date", "child_id", "window_start", "period_start", "in_care_12m", "changes", "workers",
        "allocated_at_start", "worker_id", "team", "contract", "allocated", "agency", "same_worker",
    )  # fmt: skip


def stability(children: pl.DataFrame, by: Sequence[str] = ()) -> pl.DataFrame:
    """The stability measures at each month end (per `by` group, e.g. ("team",)), from `children_at`.

    Columns: date, the `by` columns, children (in care), allocated (with a worker at the month
    end), children_12m (in care for 12 months or more), same_worker, same_worker_share (percent of
    children_12m), changed (one change or more in 12 months), changed_share (percent of children),
    three_or_more_workers and its share (percent of children), agency (worker at the month end is
    agency staff) and agency_share (percent of allocated). A share with no children is null.
    """
    keys = ["date", *by]
    counts = children.group_by(keys).agg(
        pl.len().cast(pl.Int64).alias("children"),
        pl.col("allocated").sum().cast(pl.Int64).alias("allocated"),
        pl.col("in_care_12m").sum().cast(pl.Int64).alias("children_12m"),
        pl.col("same_worker").fill_null(False).sum().cast(pl.Int64).alias("same_worker"),
        (pl.col("changes") >= 1).sum().cast(pl.Int64).alias("changed"),
        (pl.col("workers") >= 3).sum().cast(pl.Int64).alias("three_or_more_workers"),
        pl.col("agency").sum().cast(pl.Int64).alias("agency"),
    )
    return _shares(counts).sort(keys)


def _shares(counts: pl.DataFrame) -> pl.DataFrame:
    def share(part: str, whole: str) -> pl.Expr:
        return pl.when(pl.col(whole) > 0).then(pl.col(part) / pl.col(whole) * 100).alias(f"{part}_share")

    return counts.with_columns(
        share("same_worker", "children_12m"),
        share("changed", "children"),
        share("three_or_more_workers", "children"),
        share("agency", "allocated"),
    )


def by_team(children: pl.DataFrame, teams: Sequence[str] = ()) -> pl.DataFrame:
    """`stability` by the team of each child's worker at the month end, for every team at every date.

    Teams are those in `teams` and any a child's worker is in; a team with no children at a date
    gets zero counts and null shares. Children without an allocated worker are in no team.
    """
    allocated = children.filter(pl.col("team").is_not_null())
    names = sorted(set(teams) | set(allocated["team"].unique().to_list()))
    grid = pl.DataFrame({"date": children["date"].unique().sort()}).join(
        pl.DataFrame({"team": names}, schema={"team": pl.String}), how="cross"
    )
    counts = stability(allocated, by=("team",)).select("date", "team", *_COUNTS)
    joined = grid.join(counts, on=["date", "team"], how="left").with_columns(pl.col(_COUNTS).fill_null(0))
    return _shares(joined).sort("date", "team")


_COUNTS = ["children", "allocated", "children_12m", "same_worker", "changed", "three_or_more_workers", "agency"]


def changes_distribution(children: pl.DataFrame) -> pl.DataFrame:
    """Children in care at each month end by changes of worker in the last 12 months: date, band, children.

    Every band ("0", "1", "2", "3_or_more") at every date, zero-filled.
    """
    grid = pl.DataFrame({"date": children["date"].unique().sort()}).join(
        pl.DataFrame({"band": list(CHANGE_BANDS)}), how="cross"
    )
    counts = children.group_by("date", change_band(pl.col("changes")).alias("band")).agg(
        pl.len().cast(pl.Int64).alias("children")
    )
    return grid.join(counts, on=["date", "band"], how="left").with_columns(pl.col("children").fill_null(0))


def pooled(children: pl.DataFrame, teams: Sequence[str]) -> dict[str, int]:
    """Same-worker counts for the children whose worker is in one of `teams`: children_12m and same_worker."""
    rows = children.filter(pl.col("team").is_in(list(teams)) & pl.col("in_care_12m"))
    return {"children_12m": rows.height, "same_worker": int(rows["same_worker"].fill_null(False).sum())}


# --- Permanence: time from plan to order, by changes of worker along the way ----------------------

#: The tracker routes whose plan-to-order time is related to stability, with their plain names.
PERMANENCE_ROUTES = {
    "special_guardianship_order": "Special guardianship",
    "discharge_to_parents": "Care order discharged",
}


def plan_to_order(tracker: pl.DataFrame, allocations: pl.DataFrame, covered_from: date | None = None) -> pl.DataFrame:
    """One row per order made on the SGO and discharge routes: days from plan to order and worker changes.

    Rows with outcome order_made, an identified_date and an outcome_date on or after it; days =
    outcome_date - identified_date; changes of worker in (identified_date, outcome_date] as defined
    in the module docstring. Plans agreed before `covered_from` (the allocations' coverage) are
    left out: their changes would be undercounted. Columns: child_id, route, identified_date,
    outcome_date, days, changes, workers, band.
    """
    rows = tracker.filter(
        pl.col("route").is_in(list(PERMANENCE_ROUTES))
        & (pl.col("outcome") == "order_made")
        & pl.col("identified_date").is_not_null()
        & pl.col("outcome_date").is_not_null()
        & (pl.col("outcome_date") >= pl.col("identified_date"))
    )
    if covered_from is not None:
        rows = rows.filter(pl.col("identified_date") >= covered_from)
    spans = rows.select(
        "child_id", "route", "identified_date", "outcome_date",
        pl.col("identified_date").alias("from"), pl.col("outcome_date").alias("to"),
    )  # fmt: skip
    found = worker_changes(allocations, spans, keys=("route", "identified_date", "outcome_date"))
    return found.select(
        "child_id", "route", "identified_date", "outcome_date",
        (pl.col("outcome_date") - pl.col("identified_date")).dt.total_days().cast(pl.Int64).alias("days"),
        "changes", "workers", change_band(pl.col("changes")).alias("band"),
    )  # fmt: skip


def timeliness_by_changes(orders: pl.DataFrame) -> pl.DataFrame:
    """Days from plan to order by changes of worker along the way: one row per band, every band.

    Columns: band, orders, median_days, q1_days, q3_days (the interquartile range: the middle half
    of the orders took between q1 and q3 days). Median and quartiles are null for fewer than
    `SMALL` orders: too few to describe.
    """
    stats = orders.group_by("band").agg(
        pl.len().cast(pl.Int64).alias("orders"),
        pl.col("days").median().alias("median_days"),
        pl.col("days").quantile(0.25, "linear").alias("q1_days"),
        pl.col("days").quantile(0.75, "linear").alias("q3_days"),
    )
    small = pl.col("orders") < SMALL
    return (
        pl.DataFrame({"band": list(CHANGE_BANDS)})
        .join(stats, on="band", how="left")
        .with_columns(pl.col("orders").fill_null(0))
        .with_columns(pl.when(~small).then(pl.col(c)).alias(c) for c in ("median_days", "q1_days", "q3_days"))
    )


# --- Uncertainty ------------------------------------------------------------------------------------


def wilson(part: int, whole: int, z: float = 1.96) -> tuple[float, float] | None:
    """The Wilson score interval of a share, in percent (95% by default); None when `whole` is 0.

    Wilson (1927); better than the usual ± interval for small groups and shares near 0 or 100%.
    """
    if whole <= 0:
        return None
    p = part / whole
    centre = (p + z * z / (2 * whole)) / (1 + z * z / whole)
    half = z * math.sqrt(p * (1 - p) / whole + z * z / (4 * whole * whole)) / (1 + z * z / whole)
    return (max(0.0, centre - half) * 100, min(1.0, centre + half) * 100)


def with_intervals(frame: pl.DataFrame, part: str, whole: str, name: str) -> pl.DataFrame:
    """Add `<name>_low` and `<name>_high`: the 95% Wilson interval of part / whole (null with no children)."""
    bounds = [wilson(p, w) for p, w in frame.select(part, whole).iter_rows()]
    return frame.with_columns(
        pl.Series(f"{name}_low", [b[0] if b else None for b in bounds], dtype=pl.Float64),
        pl.Series(f"{name}_high", [b[1] if b else None for b in bounds], dtype=pl.Float64),
    )
