"""The discharges page's charts and tables: each a `charts.Figure` (chart, text alternative, figures)
or the arguments of `report.table`, built from a `discharges_section.DischargesSection`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import altair as alt
import polars as pl

from analysis.core.disclosure import (
    FigureSpec,
    figure_hidden,
    figures_hidden,
    hidden,
    mask_figures,
    mask_small,
    protect,
    show_count,
)
from analysis.core.periods import long_date, long_month, month_label, shift_months
from analysis.metrics import reconciliation
from analysis.metrics.discharges import INTERIM_ROUTES, ROUTES, SHORT_LABEL
from analysis.sections import charts
from analysis.sections.discharges_section import DischargesSection, latest_complete
from analysis.sections.small_counts import pct_text, rate_shown, row_protected_text

LABELS = {
    "label": "Route",
    "discharges": "Last 12 months",
    "discharges_before": "The 12 months before",
    "date": "Month end",
    "all": "All routes",
    **{r: SHORT_LABEL[r] for r in ROUTES},
    "children": "Children",
    "home_12m_or_more": "Of whom at home a year or more",
    "group": "Time placed with parents",
    "cohort": "Children who left in the 12 months to",
    "left": "Left care",
    "re_entered": "Back in care within 12 months",
    "stayed_out": "Stayed out 12 months",
    "censored": "Too soon to say",
    "rate": "Back in care (%)",
    "status": "What the check found",
}


def routes_figure(dis: DischargesSection) -> charts.Figure:
    """Care order discharges in the last 12 months by route, with the 12 months before in the table."""
    total = int(dis.year["discharges"].sum())
    specs = year_figures(dis)
    shown = protect(dis.year, "discharges", figure=specs["discharges"])
    words = "; ".join(f"{lab} {n}" for lab, n in shown.select("label", "discharges_label").iter_rows())
    return charts.Figure(
        charts.bars(
            dis.year,
            category="label",
            value="discharges",
            title=f"Care order discharges in the 12 months to {long_month(dis.end)}, by route",
            subtitle="Children leaving care as a full care order ends; interim orders and adoption are not included",
            x_title="Children",
            figure=specs["discharges"],
        ),
        f"Bar chart of the {show_count(total)} care order discharges in the 12 months to {long_month(dis.end)}, by "
        f"route: {words}.",
        dis.year.select("label", "discharges", "discharges_before"),
        caption="Care order discharges by route",
        protect=["discharges", "discharges_before"],
        labels=LABELS,
        figures=specs,
    )


def year_figures(dis: DischargesSection) -> dict[str, FigureSpec]:
    """The pack figures of the routes table (rows by route label): the rolling 12-month discharges by route, in
    metrics.csv as care_order_discharges_12m at the review month and 12 months before."""
    route_of = dict(zip(dis.year["label"].to_list(), dis.year["route"].to_list(), strict=True))
    now, before = month_label(dis.end), month_label(shift_months(dis.end, -12))

    def at(period: str) -> FigureSpec:
        return lambda row: ("care_order_discharges_12m", route_of[row["label"]], period)

    return {"discharges": at(now), "discharges_before": at(before)}


def interim_table(dis: DischargesSection) -> dict:
    """Children who left care as an interim care order ended, by route, in the 12 months to the review date
    and the 12 before, for `report.table(**...)`. Not care order discharges: shown apart."""
    first, before = shift_months(dis.end, -12), shift_months(dis.end, -24)
    months = dis.interim.filter(pl.col("route") != "all")
    frame = (
        months.group_by("route")
        .agg(
            pl.col("ended").filter(pl.col("date") > first).sum().alias("ended"),
            pl.col("ended").filter((pl.col("date") > before) & (pl.col("date") <= first)).sum().alias("ended_before"),
        )
        .with_columns(pl.col("route").replace_strict(SHORT_LABEL).alias("label"))
    )
    order = pl.DataFrame({"route": INTERIM_ROUTES})
    return {
        "frame": order.join(frame, on="route", how="left").select("label", "ended", "ended_before"),
        "caption": (
            f"Children who left care as an interim care order ended, 12 months to {long_month(dis.end)} (not care "
            "order discharges)"
        ),
        "protect": ["ended", "ended_before"],
        "labels": LABELS
        | {"label": "Route out of care", "ended": "Last 12 months", "ended_before": "The 12 months before"},
    }


def monthly_figure(dis: DischargesSection) -> charts.Figure:
    """Rolling 12-month discharges (all routes and reunification), with the monthly counts by route in the table.

    Only the total and the largest route are drawn: drawing every route beside the total would let a
    suppressed route (child arrangements orders are usually 1 to 4 a year) be worked out by subtraction.
    """
    rolling = dis.monthly.drop_nulls("discharges_12m").filter(pl.col("route").is_in(["all", "reunification"]))
    long = mask_figures(rolling, {"discharges_12m": _rolling_key}).with_columns(
        pl.col("route").replace_strict(SHORT_LABEL).alias("who")
    )
    wide = dis.monthly.drop_nulls("discharges").pivot(on="route", index="date", values="discharges").sort("date")
    wide = wide.select("date", "all", *ROUTES)
    total = rolling.filter(pl.col("route") == "all")
    home = rolling.filter(pl.col("route") == "reunification")
    return charts.Figure(
        charts.lines(
            long,
            value="discharges_12m",
            series="who",
            title="Care order discharges in the 12 months to each month end",
            subtitle="Rolling 12-month totals: every route, and reunification; small counts are not drawn",
            y_title="Children (rolling 12 months)",
            order=[SHORT_LABEL["all"], SHORT_LABEL["reunification"]],
        ),
        charts.describe_trend(
            total,
            "discharges_12m",
            "care order discharges in the 12 months to each month end",
            count=True,
            figure=_rolling_key,
        )
        + " "
        + charts.describe_trend(
            home, "discharges_12m", "reunifications over the same 12-month spans", count=True, figure=_rolling_key
        ),
        wide,
        caption="Care order discharges each month, by route",
        counts=["all", *ROUTES],
        labels=LABELS,
        figures={c: ("care_order_discharges", c) for c in ["all", *ROUTES]},
        parts=[ROUTES],
    )


def _rolling_key(row: Mapping[str, Any]) -> tuple[str, str, str]:
    """The pack figure of a rolling 12-month discharges cell (`disclosure.FigureSpec`)."""
    return ("care_order_discharges_12m", row["route"], f"{row['date']:%Y-%m}")


def _rate_text(row: dict) -> str:
    if not row["complete"] or row["rate"] is None:
        return "not yet known"
    decided = figure_hidden(("reunification_reentry_12m_rate", "all", f"{row['date']:%Y-%m}"))
    if decided is not None:  # a figure of the pack: as the pack-wide decision says
        return "c" if decided else f"{row['rate']:.0f}"
    return pct_text(row["rate"], row["re_entered"], row["re_entered"] + row["stayed_out"]).rstrip("%")


def reentry_figure(dis: DischargesSection) -> charts.Figure:
    """The share of reunified children back in care within 12 months, for each complete 12-month cohort."""
    series = dis.reentry_series
    done = series.filter(pl.col("complete") & (pl.col("left") > 0))
    # Each cohort's rate is a figure of the pack: drawn where the pack-wide decision shows it (withheld with a hidden
    # count), else where it is not built on a small count.
    decided = figures_hidden(done, {"rate": ("reunification_reentry_12m_rate", "all")})["rate"]
    local = [rate_shown(a, a + b) for a, b in done.select("re_entered", "stayed_out").iter_rows()]
    safe = [ok if d is None else not d for d, ok in zip(decided, local, strict=True)]
    shown = done.with_columns(pl.when(pl.Series(safe, dtype=pl.Boolean)).then(pl.col("rate")).alias("rate"))
    marks = (pl.col("date").dt.month() == 3) | pl.col("date").is_in([dis.end, latest_complete(dis.observed_to)])
    rows = series.filter(marks)
    rates = [_rate_text(r) for r in rows.iter_rows(named=True)]
    table = row_protected_text(rows, ["re_entered", "stayed_out", "censored"]).select(
        "date", "left", "re_entered", "stayed_out", "censored", pl.Series("rate", rates)
    )
    chart = _rate_chart(shown.drop_nulls("rate"))
    return charts.Figure(
        chart,
        charts.describe_trend(
            shown, "rate", "the percentage of reunified children back in care within 12 months, by 12-month cohort"
        ),
        table,
        caption="Reunified children: what happened in the 12 months after they went home",
        counts=["left"],
        labels=LABELS | {"date": "Went home in the 12 months to"},
    )


def _rate_chart(frame: pl.DataFrame) -> alt.Chart:
    """The re-entry percentage over cohorts, on a scale of at least 0 to 20% so a flat zero reads as zero."""
    top = max(20.0, float(frame["rate"].max() or 0) * 1.1)
    return (
        alt.Chart(frame)
        .mark_line(color=charts.AUTHORITY, strokeWidth=3, point=True)
        .encode(
            x=alt.X(
                "date:T", title="End of the 12 months in which the children went home", axis=alt.Axis(format="%b %Y")
            ),
            y=alt.Y("rate:Q", title="Back in care within 12 months (%)", scale=alt.Scale(domain=[0, top])),
        )
        .properties(
            title=alt.Title(
                "Reunified children back in care within 12 months",
                subtitle="Children reunified from a care order in the 12 months to each month end; drawn once all "
                "have had 12 months at home",
            ),
            width=charts.WIDTH,
            height=charts.HEIGHT,
        )
    )


def reentry_routes_table(dis: DischargesSection) -> dict:
    """Re-entry by route for the latest complete cohort and the latest year, for `report.table(**...)`.

    The children who left by each route are parts of the totals shown in `routes_figure`, so they are
    protected down the column; a percentage is hidden with its children or when built on a small count.
    """
    done = latest_complete(dis.observed_to)
    frame = dis.reentry_routes.filter(pl.col("route") != "all")
    old_hidden = hidden(frame, "left").to_list()
    rates = [
        "c" if h else pct_text(r, a, a + b)
        for h, (r, a, b) in zip(old_hidden, frame.select("rate", "re_entered", "stayed_out").iter_rows(), strict=True)
    ]
    table = frame.select("label", "left", "re_entered", pl.Series("rate", rates), "left_recent", "re_entered_recent")
    return {
        "frame": table,
        "caption": (
            f"Back in care within 12 months, by route: children who left in the 12 months to {long_month(done)} "
            f"(all followed for 12 months) and in the 12 months to {long_month(dis.end)} (most too recent to say)"
        ),
        "counts": ["re_entered", "re_entered_recent"],
        "protect": ["left", "left_recent"],
        "labels": LABELS
        | {
            "label": "Route out of care",
            "left": f"Left, 12 months to {long_month(done)}",
            "left_recent": f"Left, 12 months to {long_month(dis.end)}",
            "re_entered_recent": "Back in care so far",
        },
    }


REENTRY_NOTE = (
    "A child 'comes back into care' when a new period of care starts within 12 months of the day they left. A "
    "child who left less than 12 months before the latest return could still come back, so they are counted as "
    "'too soon to say' and left out of the percentage, rather than counted as a success. A child who went home "
    "twice counts twice. Percentages built on small counts are shown as 'c'."
)


def home_figure(dis: DischargesSection) -> charts.Figure:
    """Children placed with parents under a care order at each month end."""
    long = (
        mask_small(dis.home, ["children", "home_12m_or_more"])
        .select(
            "date",
            pl.col("children").alias("Placed with parents"),
            pl.col("home_12m_or_more").alias("Of whom a year or more"),
        )
        .unpivot(index="date", variable_name="who", value_name="children")
    )
    table = dis.home.filter(pl.col("date").dt.month().is_in([3, 9]) | (pl.col("date") == dis.end))
    return charts.Figure(
        charts.lines(
            long,
            value="children",
            series="who",
            title="Children placed with their parents under a care order",
            subtitle="Placement P1 with legal status C1 or C2 at each month end: the main candidates for discharge",
            y_title="Children",
            order=["Placed with parents", "Of whom a year or more"],
        ),
        charts.describe_trend(
            dis.home,
            "children",
            "children placed with parents under a care order",
            count=True,
            figure=("placed_with_parents_care_order", "all"),
        )
        + " "
        + charts.describe_trend(
            dis.home,
            "home_12m_or_more",
            "those placed at home for a year or more",
            count=True,
            figure=("placed_with_parents_care_order", "home_12m_or_more"),
        ),
        table,
        caption="Children placed with parents under a care order at each 31 March, 30 September and the review date",
        counts=["children", "home_12m_or_more"],
        labels=LABELS,
    )


def home_groups_figure(dis: DischargesSection) -> charts.Figure:
    """How long the children placed with parents have been at home."""
    shown = protect(dis.home_groups, "children")
    words = "; ".join(f"{g} {n}" for g, n in shown.select("group", "children_label").iter_rows())
    day = dis.home["date"].max() if dis.home.height else dis.end
    return charts.Figure(
        charts.bars(
            dis.home_groups,
            category="group",
            value="children",
            title=f"Children placed with parents at {long_date(day)}, by time at home",
            x_title="Children",
        ),
        f"Bar chart of children placed with parents under a care order by time at home: {words}.",
        dis.home_groups,
        caption="Time placed with parents (since the start of the unbroken placement at home)",
        protect=["children"],
        labels=LABELS,
    )


def reconciliation_table(dis: DischargesSection) -> dict:
    """Tracker orders against 903 exits by route and what the check found, for `report.table(**...)`."""
    counts = dis.reconciled
    assert counts is not None, "reconciliation_table needs the permanence tracker"
    wide = counts.pivot(on="route", index="status", values="children").with_columns(
        pl.col("status").replace_strict(reconciliation.STATUS_LABEL)
    )
    routes = [r for r in reconciliation.ROUTES if r in wide.columns]
    since = "; ".join(f"{SHORT_LABEL[r].lower()} from {long_month(d)}" for r, d in dis.compared_from.items())
    return {
        "frame": wide.select("status", *routes),
        "caption": (
            f"Tracker 'order made' rows against the 903, every month both cover ({since}) to {long_month(dis.end)}"
        ),
        "protect": routes,
        "labels": LABELS,
    }


RECONCILIATION_NOTE = (
    "Each 'order made' row in the permanence tracker is paired with the same child's exit from care in the 903 on "
    "the same route (closest dates first). They agree when the dates are within 31 days. Differences usually mean "
    "a tracker row was never added or not updated, or a 903 episode was closed with the wrong reason: both are "
    "worth correcting at source before the figures are relied on. Discharges home are compared only from a care "
    "order (a return home from section 20 needs no court)."
)
