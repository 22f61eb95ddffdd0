"""The tracker pipeline shown on both the discharges page and the SGO page: where open plans stand,
how long children wait at each stage, and planned against actual applications.

`prepare_pipeline` computes the figures for one tracker route; the figure functions return
`charts.Figure`s or `report.table` arguments, and `pipeline_metrics` the metrics.csv rows.
Definitions are in `analysis.metrics.permanence`, `permanence_ageing` and `permanence_applications`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import altair as alt
import polars as pl

from analysis.core.disclosure import FigureSpec, mask_figures, protect, show_count, show_figure
from analysis.core.periods import long_date, long_month, month_ends
from analysis.metrics.permanence import (
    POSITIONS,
    for_route,
    labels,
    position_labels,
    snapshots,
    stage_events,
    status_on,
)
from analysis.metrics.permanence import snapshot as position_counts
from analysis.metrics.permanence_ageing import ageing
from analysis.metrics.permanence_applications import applications_by_month, orders, overdue
from analysis.metrics.tidy import combine, tidy
from analysis.sections import charts

#: Months of pipeline history shown, and the spells that make the stage medians.
MONTHS = 60
AGEING_MONTHS = 24


@dataclass(frozen=True)
class Pipeline:
    """One tracker route's pipeline at the review date."""

    route: str
    end: date
    threshold: int  # "stuck" = at the current stage for more than this many days
    status: pl.DataFrame  # child-level, never shown: one row per tracker row identified by `end`
    snapshot: pl.DataFrame  # one row per position at `end`: children, stuck
    history: pl.DataFrame  # one row per (month end, position incl. "all")
    ageing: pl.DataFrame  # one row per stage: spells, medians, over threshold
    applications: pl.DataFrame  # one row per month: planned, sent, cumulative
    overdue: int  # open plans whose planned application month has passed
    orders: pl.DataFrame  # child-level, never shown: one row per tracker order by `end`
    moved_back: int  # open plans that moved back a stage at least once
    undated_outcomes: int  # rows closed with no outcome date


def prepare_pipeline(
    tracker: pl.DataFrame, route: str, end: date, *, threshold: int, months: int = MONTHS, start: date | None = None
) -> Pipeline:
    """Every pipeline figure for `route` at `end` (month-end history from `start`, the tracker's first plan)."""
    rows = for_route(tracker, route)
    status = status_on(rows, end)
    first = rows["identified_date"].min()
    grid = month_ends(end, months)
    begin = max(d for d in (start, first) if d is not None) if (start or first) else None
    if begin is not None:
        grid = grid.filter(grid >= pl.Series([begin]).dt.month_end().item())
    since = pl.Series([end]).dt.offset_by(f"-{AGEING_MONTHS}mo").item()
    open_ = status.filter(pl.col("status") == "open")
    return Pipeline(
        route=route,
        end=end,
        threshold=threshold,
        status=status,
        snapshot=position_counts(status, threshold),
        history=snapshots(rows, grid, threshold),
        ageing=ageing(stage_events(rows, end), end, since=since, threshold=threshold),
        applications=applications_by_month(rows, end),
        overdue=overdue(rows, end).height,
        orders=orders(rows, end),
        moved_back=open_.filter(pl.col("backwards")).height,
        undated_outcomes=status.filter(pl.col("date_missing")).height,
    )


# --- Words ----------------------------------------------------------------------------------------


def _kind(p: Pipeline) -> str:
    """The prefix of the pipeline's metrics: `sgo` for the SGO route, else `discharge` (`pipeline_metrics`)."""
    return "sgo" if p.route == SGO_ROUTE else "discharge"


def snapshot_figures(p: Pipeline) -> dict[str, FigureSpec]:
    """The snapshot's cells (by position, at the review date) as pack figures: open plans are
    `<kind>_pipeline_count` and the children stuck `<kind>_pipeline_stuck`, by position, at `p.end`."""
    names = position_labels(p.route)
    by_label = {label: position for position, label in names.items()}
    day = p.end.isoformat()

    def of(metric: str) -> FigureSpec:
        def key(row: dict) -> tuple[str, str, str] | None:
            position = row.get("position") or by_label.get(row.get("label"))
            return None if position is None else (metric, position, day)

        return key

    return {"children": of(f"{_kind(p)}_pipeline_count"), "stuck": of(f"{_kind(p)}_pipeline_stuck")}


def open_total(p: Pipeline) -> int:
    """Open plans at the review date."""
    return int(p.snapshot["children"].sum())


def stuck_total(p: Pipeline) -> int:
    """Open plans at their stage for more than the threshold."""
    return int(p.snapshot["stuck"].sum())


def pipeline_sentence(p: Pipeline, noun: str) -> str:
    """Where the open plans stand, in one sentence (parts protected against a total shown)."""
    shown = protect(p.snapshot, "children", figure=snapshot_figures(p)["children"])
    names = position_labels(p.route)
    parts = [
        f"{label} {_lower(names[pos])}"
        for pos, label, n in shown.select("position", "children_label", "children").iter_rows()
        if n is None or n > 0
    ]
    if open_total(p) == 0:
        return f"At {long_date(p.end)}, no child had an open {noun}."
    total = show_figure((f"{_kind(p)}_pipeline_count", "all", p.end.isoformat()), open_total(p))
    text = f"At {long_date(p.end)}, {total} children had an open {noun}"
    return text + (": " + "; ".join(parts) + "." if parts else ".")


def _lower(text: str) -> str:
    return text[0].lower() + text[1:]


def stuck_sentence(p: Pipeline) -> str:
    """How many children are stuck, and at which stage most are."""
    total = stuck_total(p)
    if total == 0:
        return f"No child in the pipeline had been at their stage for more than {p.threshold} days."
    labels = protect(p.snapshot, "stuck", figure=snapshot_figures(p)["stuck"])["stuck_label"]
    top = p.snapshot.with_columns(labels).sort("stuck", descending=True).row(0, named=True)
    return (
        f"{show_figure((f'{_kind(p)}_pipeline_stuck', 'all', p.end.isoformat()), total)} had been at their current "
        f"stage for more than {p.threshold} days, most of them at "
        f"'{_lower(position_labels(p.route)[top['position']])}' ({top['stuck_label']})."
    )


def applications_sentence(p: Pipeline) -> str:
    """The gap between planned and actual applications, explained."""
    past = p.applications.filter(~pl.col("future"))
    ahead = p.applications.filter(pl.col("future"))
    sent, planned = int(past["sent"].sum()), int(past["planned"].sum())
    months = f"{long_month(past['date'].min())} to {long_month(past['date'].max())}"
    text = (
        f"From {months}, {show_count(sent)} applications were sent to legal services, against "
        f"{show_count(planned)} planned for those months"
    )
    if planned == 0 and sent > 0:
        text += (
            " (the tracker holds no planned month for the applications already made, so past plans cannot be checked)"
        )
    text += (
        f". {show_count(int(ahead['planned'].sum()))} more are planned for {long_month(ahead['date'].min())} to "
        f"{long_month(ahead['date'].max())}"
    )
    if p.overdue:
        text += f", and {show_count(p.overdue)} planned months have passed with no application yet"
    return text + "."


# --- Figures --------------------------------------------------------------------------------------

LABELS = {
    "label": "Where the plan stands",
    "children": "Children",
    "stuck": "Of whom: more than the threshold",
    "stage": "Stage",
    "spells": "Reached the stage (last 24 months)",
    "finished": "Moved on",
    "still_open": "Still there",
    "median": "Median days",
    "p90": "90th percentile days",
    "over_threshold": "Now over the threshold",
    "date": "Month end",
    "planned": "Planned",
    "sent": "Sent to legal services",
    "planned_cumulative": "Planned, running total",
    "sent_cumulative": "Sent, running total",
}


def _labels(p: Pipeline) -> dict[str, str]:
    return LABELS | {
        "stuck": f"Of whom: more than {p.threshold} days at the stage",
        "over_threshold": f"Now over {p.threshold} days",
    }


def pipeline_figure(p: Pipeline, title: str) -> charts.Figure:
    """Open plans by where they stand at the review date, with the children stuck."""
    names = position_labels(p.route)
    frame = p.snapshot.with_columns(pl.col("position").replace_strict(names).alias("label"))
    figures = snapshot_figures(p)
    shown = protect(frame, "children", figure=figures["children"])
    words = "; ".join(f"{lab} {n}" for lab, n in shown.select("label", "children_label").iter_rows())
    total = show_figure((f"{_kind(p)}_pipeline_count", "all", p.end.isoformat()), open_total(p))
    return charts.Figure(
        charts.bars(frame, category="label", value="children", title=title, x_title="Children",
                    subtitle=f"Open plans at {long_date(p.end)}, by the stage of the latest date in the tracker",
                    figure=figures["children"]),
        f"Bar chart of the {total} open plans at {long_date(p.end)} by where they stand: {words}.",
        frame.select("label", "children", "stuck"),
        caption=f"Open plans at {long_date(p.end)}, and the children at their stage for more than {p.threshold} days",
        protect=["children", "stuck"],
        labels=_labels(p),
        figures=figures,
    )  # fmt: skip


#: The tracker route of the SGO pipeline (its metrics are sgo_pipeline_*; the other pipeline's discharge_pipeline_*).
SGO_ROUTE = "special_guardianship_order"


def history_figure(p: Pipeline, title: str) -> charts.Figure:
    """Open plans at each month end, and how many of them were stuck; by position in the table."""
    names = position_labels(p.route)
    totals = p.history.filter(pl.col("position") == "all")
    kind = _kind(p)  # as `pipeline_metrics` is called for each route
    long = (
        mask_figures(
            totals, {"children": (f"{kind}_pipeline_count", "all"), "stuck": (f"{kind}_pipeline_stuck", "all")}
        )
        .select(
            "date",
            pl.col("children").alias("All open plans"),
            pl.col("stuck").alias(f"Of which more than {p.threshold} days at the stage"),
        )
        .unpivot(index="date", variable_name="who", value_name="plans")
    )
    table = p.history.pivot(on="position", index="date", values="children").sort("date")
    table = table.filter(pl.col("date").dt.month().is_in([3, 9]) | (pl.col("date") == p.end))
    table = table.select("date", "all", *POSITIONS)
    metric = f"{kind}_pipeline_count"
    return charts.Figure(
        charts.lines(
            long,
            value="plans",
            series="who",
            title=title,
            subtitle="Reconstructed from the tracker's dates as they stand now; small counts are not drawn",
            y_title="Children",
            order=["All open plans", f"Of which more than {p.threshold} days at the stage"],
        ),
        charts.describe_trend(
            totals, "children", "open plans at each month end", count=True, figure=(f"{kind}_pipeline_count", "all")
        )
        + " "
        + charts.describe_trend(
            totals,
            "stuck",
            f"those more than {p.threshold} days at their stage",
            count=True,
            figure=(f"{kind}_pipeline_stuck", "all"),
        ),
        table,
        caption="Open plans at each 31 March, 30 September and the review date, by where they stand",
        counts=["all", *POSITIONS],
        labels={"date": "Month end", **(names | {"all": "All open plans"})},
        figures={c: (metric, c) for c in ["all", *POSITIONS]},
        parts=[POSITIONS],
    )


def _days_text(value: int | None, spells: int, still_open: int) -> str:
    if spells == 0:
        return "–"
    if value is None:
        return "not reached yet (too many still waiting)"
    return f"{value:,}"


def ageing_table(p: Pipeline) -> dict:
    """Days at each stage (Kaplan-Meier, open stages censored), ready for `report.table(**...)`."""
    names = labels(p.route)
    frame = p.ageing.select(
        pl.col("stage").replace_strict(names).alias("stage"),
        "spells",
        "finished",
        "still_open",
        pl.struct("median_days", "spells", "still_open")
        .map_elements(lambda s: _days_text(s["median_days"], s["spells"], s["still_open"]), return_dtype=pl.String)
        .alias("median"),
        pl.struct("p90_days", "spells", "still_open")
        .map_elements(lambda s: _days_text(s["p90_days"], s["spells"], s["still_open"]), return_dtype=pl.String)
        .alias("p90"),
        "over_threshold",
    )
    return {
        "frame": frame,
        "caption": f"Days at each stage, for stages reached in the {AGEING_MONTHS} months to {long_date(p.end)}",
        "counts": ["spells", "finished", "still_open", "over_threshold"],
        "labels": _labels(p),
    }


AGEING_NOTE = (
    "A child still at a stage on the review date has waited at least that long, so the medians count them as "
    "'still waiting' rather than leaving them out or treating their wait as finished (a Kaplan-Meier estimate). "
    "Half of the children moved on within the median; nine in ten within the 90th percentile. When too many are "
    "still waiting, the figure is not reached yet: the true wait is longer than any seen so far. 'Now over' counts "
    "every child at that stage on the review date, however long ago they reached it."
)


def applications_figure(p: Pipeline, what: str) -> charts.Figure:
    """Planned against actual applications: running totals from a year before the review date."""
    frame = p.applications
    long = (
        frame.select(
            "date",
            pl.col("planned_cumulative").alias("Planned"),
            pl.col("sent_cumulative").alias("Sent to legal services"),
        )
        .unpivot(index="date", variable_name="series", value_name="applications")
        .drop_nulls("applications")
    )
    base = charts.lines(
        long,
        value="applications",
        series="series",
        title=f"{what} applications: planned against sent, running totals",
        subtitle=f"From {long_month(frame['date'].min())}; months after {long_month(p.end)} show plans only",
        y_title="Applications (running total)",
        order=["Planned", "Sent to legal services"],
    )
    rule = alt.Chart(pl.DataFrame({"date": [p.end]})).mark_rule(color="#505a5f", strokeDash=[4, 4]).encode(x="date:T")
    return charts.Figure(
        alt.layer(*base.layer, rule).properties(
            title=base.title, width=base.width, height=base.height, padding=base.padding
        ),
        applications_sentence(p),
        frame.select("date", "planned", "sent", "planned_cumulative", "sent_cumulative"),
        caption=f"{what} applications planned and sent to legal services each month",
        counts=["planned", "sent", "planned_cumulative", "sent_cumulative"],
        labels=_labels(p),
    )


# --- Metrics --------------------------------------------------------------------------------------


def pipeline_metrics(p: Pipeline, count_metric: str, stuck_metric: str) -> pl.DataFrame:
    """The pipeline's metrics.csv rows, one row per (metric, position, month end): open plans and stuck children."""
    return combine(
        [
            tidy(p.history, count_metric, "children", breakdown="position"),
            tidy(p.history, stuck_metric, "stuck", breakdown="position"),
        ]
    )


def stage_metrics(p: Pipeline, metric: str) -> pl.DataFrame:
    """metrics.csv rows, one row per stage: the median days at the stage at the review date (none where not reached)."""
    frame = p.ageing.drop_nulls("median_days").with_columns(pl.lit(p.end).alias("date"))
    return tidy(frame, metric, "median_days", breakdown="stage")
