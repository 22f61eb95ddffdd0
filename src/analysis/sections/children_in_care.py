"""The children-in-care section: everything its notebook shows, its headlines and its metrics.

`prepare` computes every frame once from the inputs; the notebook charts and tabulates them,
`headlines` turns them into sentences and `section_metrics` into metrics.csv rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from analysis.core.disclosure import FigureSpec, figures_hidden, mask_figures, protect, show_figure
from analysis.core.periods import long_date, long_month, parse_period, shift_months
from analysis.load.inputs import Inputs
from analysis.load.ssda903 import coverage_start
from analysis.metrics import comparators, relations
from analysis.metrics.care_periods import (
    annual_ceased,
    annual_started,
    children_ceased_by_route,
    collection_years,
    monthly_ceased_by_route,
    monthly_flows,
    periods_of_care,
    year_label,
)
from analysis.metrics.cla import looked_after_on, monthly_cla, rate_per_10k, review_window
from analysis.metrics.cla_mix import (
    GROUPINGS,
    STATUS_LINES,
    UASC_LINE,
    age_groups,
    duration_groups,
    mix_at,
    status_table,
    uasc_counts_at,
)
from analysis.metrics.tidy import combine, tidy
from analysis.sections import charts
from analysis.sections.headlines import change_words

#: Months shown in the section's trend charts (at least 24; fewer if the returns start later).
MONTHS = 60
DAY = timedelta(days=1)


@dataclass(frozen=True)
class ChildrenInCare:
    """The section's figures for one review period."""

    end: date
    series: pl.DataFrame  # one row per month end: cla_count, rate_per_10k, uasc_count, rate_excl_uasc_per_10k
    march: pl.DataFrame  # the same at each 31 March in the window
    flows: pl.DataFrame  # one row per month: starts, ceases (of periods) and rolling 12-month sums
    routes_12m: pl.DataFrame  # one row per route: children ceased in the 12 months to `end` and the 12 before
    started_year: pl.DataFrame  # one row per whole collection year: children who started (DfE count)
    ceased_year: pl.DataFrame  # one row per (whole collection year, breakdown): children who ceased (DfE count)
    routes_monthly: pl.DataFrame  # one row per (month end, route)
    legal_status: pl.DataFrame  # one row per (month end, group)
    placement: pl.DataFrame  # one row per (month end, group)
    ages: pl.DataFrame  # one row per age group at `end`
    durations: pl.DataFrame  # one row per time-in-care group at `end`
    status: pl.DataFrame  # the child-status table at `end`
    comparator_rates: pl.DataFrame  # published rates per 10,000 (comparators.points)
    uasc_known: bool = True  # False without uasc.csv: uasc_count and rate_excl_uasc_per_10k are null


def prepare(inputs: Inputs, period: str, months: int = MONTHS) -> ChildrenInCare:
    """Compute every figure of the section for the review period."""
    end = parse_period(period)
    episodes = inputs.episodes
    dates = review_window(episodes, end, months)
    series = monthly_cla(episodes, inputs.population, end, months).join(
        uasc_counts_at(episodes, dates, inputs.uasc).select("date", "uasc_count", "non_uasc_count"),
        on="date",
        how="left",
    )
    uasc_known = inputs.uasc is not None
    if uasc_known:
        series = series.with_columns(pl.col("uasc_count", "non_uasc_count").fill_null(0))
    if inputs.population is not None and uasc_known:
        excl = rate_per_10k(series.select("date", "non_uasc_count"), inputs.population, count="non_uasc_count")
        series = series.join(
            excl.select("date", pl.col("rate_per_10k").alias("rate_excl_uasc_per_10k")), on="date", how="left"
        )
    else:
        series = series.with_columns(pl.lit(None, pl.Float64).alias("rate_excl_uasc_per_10k"))
    periods = periods_of_care(episodes)
    start = coverage_start(episodes)
    year_ago = shift_months(end, -12)
    routes = children_ceased_by_route(periods, shift_months(end, -12) + DAY, end).join(
        children_ceased_by_route(periods, shift_months(end, -24) + DAY, year_ago).select(
            "route", pl.col("ceased").alias("ceased_before")
        ),
        on="route",
    )
    years = collection_years(start, end)
    status_dates = pl.Series([d for d in (year_ago, shift_months(end, -1), end) if start is None or d >= start])
    on_end = looked_after_on(episodes, dates.filter(dates == end))
    return ChildrenInCare(
        end=end,
        series=series,
        march=series.filter((pl.col("date").dt.month() == 3) & (pl.col("date").dt.day() == 31)),
        flows=monthly_flows(periods, end, months, start),
        routes_12m=routes,
        started_year=annual_started(periods, years),
        ceased_year=annual_ceased(periods, years),
        routes_monthly=monthly_ceased_by_route(periods, end, months, start),
        legal_status=mix_at(episodes, dates, "legal_status"),
        placement=mix_at(episodes, dates, "placement_type"),
        ages=age_groups(on_end, inputs.header),
        durations=duration_groups(on_end, periods, episodes),
        status=status_table(looked_after_on(episodes, status_dates), inputs.uasc, end),
        comparator_rates=comparators.points(inputs.comparators, "cla_rate_per_10k", inputs.authority.region),
        uasc_known=uasc_known,
    )


def headlines(cic: ChildrenInCare, authority: str) -> list[str]:
    """Three to five sentences for the advisor, each built from the computed figures."""
    series = cic.series.sort("date")
    latest = series.row(-1, named=True)
    sentences = []
    day = latest["date"].isoformat()
    first = (
        f"At the end of {long_month(latest['date'])}, {show_figure(('cla_count', 'all', day), latest['cla_count'])} "
        "children were in care"
    )
    if latest["rate_per_10k"] is not None:
        first += f" ({latest['rate_per_10k']:.0f} per 10,000 children)"
    year_ago = series.filter(pl.col("date") == shift_months(latest["date"], -12))
    if year_ago.height:
        first += f", {change_words(latest['cla_count'], year_ago['cla_count'][0])} than a year earlier"
    sentences.append(first + ".")
    if latest["rate_per_10k"] is not None:
        parts = []
        for area, name in [
            ("england", "England"),
            ("statistical_neighbours", "statistical neighbours (similar councils)"),
        ]:
            comp = comparators.latest(cic.comparator_rates, area, latest["date"])
            if comp is not None:
                parts.append(f"{name} {comp['value']:.0f} (at {long_date(comp['date'])})")
        if parts:
            sentences.append(
                f"{authority}'s rate of {latest['rate_per_10k']:.0f} per 10,000 compares with "
                + " and ".join(parts)
                + "."
            )
    annual = annual_table(cic)
    if annual.height:
        y = annual.row(-1, named=True)
        started, ceased = y["started"], y["ceased"]
        balance = "as many children left care as came in"
        if ceased != started:
            balance = "more children " + ("left care than came in" if ceased > started else "came into care than left")
        sentences.append(
            f"In the year to {long_date(y['year_end'])}, "
            f"{show_figure(('cla_started_year', 'all', y['period']), started)} children started to be looked after "
            f"and {show_figure(('cla_ceased_year', 'all', y['period']), ceased)} ceased to be looked after, each "
            f"child counted once: {balance}."
        )
    routes = cic.routes_12m.with_columns(
        protect(cic.routes_12m, "ceased", figure=route_figures(cic).get("ceased"))["ceased_label"]
    ).filter(pl.col("ceased") > 0)
    if routes.height:
        top = routes.sort("ceased", descending=True).row(0, named=True)
        sentences.append(
            f"The most common way out of care in the last 12 months was '{top['label'].lower()}' "
            f"({top['ceased_label']} children)."
        )
    if latest["uasc_count"]:
        excl = latest["rate_excl_uasc_per_10k"]
        sentence = (
            f"{show_figure(('cla_uasc_count', 'all', day), latest['uasc_count'])} of the children in care were "
            "unaccompanied asylum-seeking children"
        )
        sentences.append(sentence + (f"; without them the rate is {excl:.0f} per 10,000." if excl is not None else "."))
    elif not cic.uasc_known:
        sentences.append(UASC_NOT_KNOWN)
    return sentences[:5]


def section_metrics(inputs: Inputs, period: str, months: int = MONTHS) -> pl.DataFrame:
    """metrics.csv rows for the section, computed from the inputs (see `metrics`)."""
    return metrics(prepare(inputs, period, months))


def metrics(cic: ChildrenInCare) -> pl.DataFrame:
    """metrics.csv rows for the section (see docs/metrics.md), from the computed section."""
    legal = cic.legal_status.with_columns(("legal_status:" + pl.col("group")).alias("breakdown"))
    place = cic.placement.with_columns(("placement_type:" + pl.col("group")).alias("breakdown"))
    flows = cic.flows.with_columns(pl.lit("all").alias("breakdown"))
    return combine(
        [
            tidy(cic.series, "cla_count", "cla_count"),
            tidy(legal, "cla_count", "children", breakdown="breakdown"),
            tidy(place, "cla_count", "children", breakdown="breakdown"),
            tidy(cic.series.drop_nulls("rate_per_10k"), "cla_rate_per_10k", "rate_per_10k"),
            tidy(cic.series.drop_nulls("uasc_count"), "cla_uasc_count", "uasc_count"),
            tidy(
                cic.series.drop_nulls("rate_excl_uasc_per_10k"), "cla_rate_excl_uasc_per_10k", "rate_excl_uasc_per_10k"
            ),
            tidy(flows, "cla_starts", "starts"),
            tidy(flows, "cla_ceased", "ceases"),
            tidy(cic.started_year, "cla_started_year", "started", period="period"),
            tidy(cic.ceased_year, "cla_ceased_year", "ceased", period="period", breakdown="breakdown"),
            tidy(cic.routes_monthly, "cla_ceased", "ceased", breakdown="route"),
        ]
    )


def annual_table(cic: ChildrenInCare) -> pl.DataFrame:
    """The DfE's annual counts of children, one row per whole collection year: year_end, period ("2023/24"),
    started, ceased (each child counted once in a year; see `care_periods.annual_started`, `annual_ceased`)."""
    ceased = cic.ceased_year.filter(pl.col("breakdown") == "all").select("period", "ceased")
    return cic.started_year.join(ceased, on="period", how="left", maintain_order="left").select(
        "year_end", "period", "started", pl.col("ceased").fill_null(0)
    )


#: Columns of the annual table, as shown.
ANNUAL_LABELS = {
    "period": "Year (1 April to 31 March)",
    "started": "Children who started to be looked after",
    "ceased": "Children who ceased to be looked after",
}


def annual_table_frame(cic: ChildrenInCare) -> pl.DataFrame:
    """The annual table with plain column names, ready to show (counts: `ANNUAL_COUNTS`)."""
    return annual_table(cic).select(list(ANNUAL_LABELS)).rename(ANNUAL_LABELS)


ANNUAL_COUNTS = [ANNUAL_LABELS["started"], ANNUAL_LABELS["ceased"]]


#: What the pack says instead of a UASC figure when the returns have no UASC table.
UASC_NOT_KNOWN = (
    "How many of the children in care are unaccompanied asylum-seeking children is not known: the returns "
    "include no UASC file (uasc.csv), so the pack shows no UASC count and no rate excluding UASC, rather than 0."
)


# --- Figures: each chart with its text alternative and its table -------------------------------

LABELS = {
    "date": "Month end",
    "cla_count": "Children in care",
    "rate_per_10k": "Per 10,000 children",
    "uasc_count": "Unaccompanied asylum-seeking children",
    "rate_excl_uasc_per_10k": "Per 10,000, excluding UASC",
    "starts": "Started care",
    "ceases": "Left care",
    "starts_12m": "Started care, last 12 months",
    "ceases_12m": "Left care, last 12 months",
    "label": "Group",
    "group": "Group",
    "children": "Children",
    "ceased": "Left care, last 12 months",
    "ceased_before": "Left care, the 12 months before",
    "area_label": "Area",
    "value": "Per 10,000 children",
    "source": "Source",
}


def rate_figure(cic: ChildrenInCare, authority: str) -> charts.Figure:
    """The rate per 10,000 with England, statistical neighbours and the region."""
    return charts.Figure(
        charts.line_with_comparators(
            cic.series,
            cic.comparator_rates,
            value="rate_per_10k",
            title="Children in care per 10,000 children",
            subtitle="Month ends; comparators are the rates published for each 31 March, drawn for up to a year",
            y_title="Children in care per 10,000 children",
            authority=authority,
        ),
        charts.describe_trend(cic.series, "rate_per_10k", "children in care per 10,000 children at each month end"),
        cic.comparator_rates.select("date", "area_label", "value", "source"),
        caption="Published comparator rates per 10,000 children",
        decimals={"value": 0},
        labels={**LABELS, "date": "Date"},
    )


#: The columns of the count and UASC tables as pack figures (month ends: the period is the date).
COUNT_FIGURES: dict[str, FigureSpec] = {
    "cla_count": ("cla_count", "all"),
    "rate_per_10k": ("cla_rate_per_10k", "all"),
    "uasc_count": ("cla_uasc_count", "all"),
    "rate_excl_uasc_per_10k": ("cla_rate_excl_uasc_per_10k", "all"),
}


def count_figure(cic: ChildrenInCare) -> charts.Figure:
    """Children in care at each month end, with the 31 March figures in the table (UASC "not known" without
    a UASC file)."""
    table = cic.march.select("date", "cla_count", "rate_per_10k", "uasc_count", "rate_excl_uasc_per_10k")
    if not cic.uasc_known:
        table = table.with_columns(pl.lit("not known").alias(c) for c in ("uasc_count", "rate_excl_uasc_per_10k"))
    return charts.Figure(
        charts.simple_line(
            cic.series,
            x="date",
            y="cla_count",
            title="Children in care at each month end",
            subtitle="Excludes children looked after only under an agreed series of short breaks",
            x_title="Month end",
            y_title="Children in care",
        ),
        charts.describe_trend(
            cic.series,
            "cla_count",
            "the number of children in care at each month end",
            count=True,
            figure=("cla_count", "all"),
        ),
        table,
        caption="Children in care at each 31 March",
        counts=["cla_count", "uasc_count"] if cic.uasc_known else ["cla_count"],
        decimals={"rate_per_10k": 0, "rate_excl_uasc_per_10k": 0},
        labels={**LABELS, "date": "31 March"},
        figures=COUNT_FIGURES if cic.uasc_known else {k: COUNT_FIGURES[k] for k in ("cla_count", "rate_per_10k")},
    )


def uasc_figure(cic: ChildrenInCare) -> charts.Figure:
    """The rate per 10,000 with and without unaccompanied asylum-seeking children (only when `cic.uasc_known`;
    otherwise the page shows `UASC_NOT_KNOWN`)."""
    long = cic.series.select(
        "date",
        pl.col("rate_per_10k").alias("All children in care"),
        pl.col("rate_excl_uasc_per_10k").alias("Excluding UASC"),
    ).unpivot(index="date", variable_name="who", value_name="rate")
    return charts.Figure(
        charts.lines(
            long,
            value="rate",
            series="who",
            title="Rate per 10,000 children, with and without unaccompanied asylum-seeking children",
            y_title="Per 10,000 children",
        ),
        charts.describe_trend(cic.series, "rate_excl_uasc_per_10k", "the rate per 10,000 excluding UASC"),
        cic.series.select("date", "cla_count", "uasc_count", "rate_per_10k", "rate_excl_uasc_per_10k").tail(13),
        caption="Unaccompanied asylum-seeking children, last 13 month ends",
        counts=["cla_count", "uasc_count"],
        decimals={"rate_per_10k": 0, "rate_excl_uasc_per_10k": 0},
        labels=LABELS,
        figures=COUNT_FIGURES,
    )


#: The flows table's columns as pack figures: the monthly starts and ends of care are in metrics.csv, and their
#: rolling 12-month sums are figures of the pack-wide decision too (`relations.SHOWN_ROLLING`).
FLOWS_FIGURES: dict[str, FigureSpec] = {
    "starts": ("cla_starts", "all"),
    "ceases": ("cla_ceased", "all"),
    "starts_12m": (relations.rolling_name("cla_starts"), "all"),
    "ceases_12m": (relations.rolling_name("cla_ceased"), "all"),
}


def flows_figure(cic: ChildrenInCare) -> charts.Figure:
    """Starts and ceases of periods of care: rolling 12-month sums (periods, so a child who comes into care twice
    counts twice; the annual table counts children)."""
    rolling = cic.flows.drop_nulls("starts_12m")
    long = (
        mask_figures(rolling, FLOWS_FIGURES)
        .select(
            "date",
            pl.col("starts_12m").alias("Started care"),
            pl.col("ceases_12m").alias("Left care"),
        )
        .unpivot(index="date", variable_name="flow", value_name="children")
    )
    return charts.Figure(
        charts.lines(
            long,
            value="children",
            series="flow",
            title="Children starting and leaving care, in the 12 months to each month end",
            subtitle="Counts times a child came into care or left it: a child who came in twice counts twice",
            y_title="Starts and ends of care (rolling 12 months)",
            order=["Started care", "Left care"],
        ),
        charts.describe_trend(
            rolling,
            "starts_12m",
            "children starting care in the 12 months to each month end",
            count=True,
            figure=FLOWS_FIGURES["starts_12m"],
        )
        + " "
        + charts.describe_trend(
            rolling,
            "ceases_12m",
            "children leaving care over the same 12-month spans",
            count=True,
            figure=FLOWS_FIGURES["ceases_12m"],
        ),
        cic.flows.select("date", "starts", "ceases", "starts_12m", "ceases_12m"),
        caption="Children starting and leaving care each month",
        counts=["starts", "ceases", "starts_12m", "ceases_12m"],
        labels=LABELS,
        rolling={"starts_12m": "starts", "ceases_12m": "ceases"},
        figures=FLOWS_FIGURES,
    )


def route_figures(cic: ChildrenInCare) -> dict[str, FigureSpec]:
    """The routes table's cells as pack figures: when the review month is March, the 12 months to it are a whole
    collection year, and each route's count is that year's `cla_ceased_year` (the 12 months before, the year
    before); for any other month they are figures of this table only (protected by it)."""
    if cic.end.month != 3:
        return {}
    routes = dict(zip(cic.routes_12m["label"], cic.routes_12m["route"], strict=True))

    def year(back: int) -> FigureSpec:
        def key(row: dict) -> tuple[str, str, str] | None:
            route = routes.get(row.get("label"))
            return None if route is None else ("cla_ceased_year", route, year_label(cic.end.year - back))

        return key

    return {"ceased": year(0), "ceased_before": year(1)}


def routes_figure(cic: ChildrenInCare) -> charts.Figure:
    """How children left care in the last 12 months, by route."""
    figures = route_figures(cic)
    total = int(cic.routes_12m["ceased"].sum())
    labels = protect(cic.routes_12m, "ceased", figure=figures.get("ceased"))["ceased_label"]
    top = cic.routes_12m.with_columns(labels).sort("ceased", descending=True).row(0, named=True)
    whole = ("cla_ceased_year", "all", year_label(cic.end.year)) if figures else None
    return charts.Figure(
        charts.bars(
            cic.routes_12m,
            category="label",
            value="ceased",
            title=f"How children left care in the 12 months to {long_month(cic.end)}",
            x_title="Children",
            figure=figures.get("ceased"),
        ),
        f"Bar chart of the {show_figure(whole, total)} children who left care in the 12 months to "
        f"{long_month(cic.end)}, by "
        f"route (each child once, by how they last left). The largest group is '{top['label']}' with "
        f"{top['ceased_label']}.",
        cic.routes_12m.select("label", "ceased", "ceased_before"),
        caption="Children leaving care by route",
        protect=["ceased", "ceased_before"],
        labels={**LABELS, "label": "Route out of care"},
        figures=figures,
    )


def mix_figures(frame: pl.DataFrame, grouping: str, on: date | None = None) -> FigureSpec:
    """Each cell of a legal status or placement type frame (date, group or label, children) as its pack figure:
    `cla_count` by `legal_status:<group>` or `placement_type:<group>` on the row's date (`on` for a table of one
    date without a date column)."""
    prefix = "legal_status" if grouping == "legal_status" else "placement_type"
    groups = dict(zip(frame["label"], frame["group"], strict=False))

    def key(row: dict) -> tuple[str, str, str] | None:
        group = row.get("group") or groups.get(row.get("label"))
        day = row.get("date", on)
        if group is None or not isinstance(day, date):
            return None
        return ("cla_count", f"{prefix}:{group}", day.isoformat())

    return key


def mix_figure(cic: ChildrenInCare, grouping: str) -> charts.Figure:
    """The legal status or placement type of children in care over time."""
    frame = cic.legal_status if grouping == "legal_status" else cic.placement
    what = "legal status" if grouping == "legal_status" else "placement type"
    last = frame["date"].max()
    shown = protect(frame, "children", by=["date"], figure=mix_figures(frame, grouping))
    top = (
        frame.with_columns(shown["children_label"])
        .filter(pl.col("date") == last)
        .sort("children", descending=True)
        .row(0, named=True)
    )
    wide = frame.filter(pl.col("date") == last).sort("children", descending=True).select("label", "children")
    return charts.Figure(
        charts.lines(
            shown,
            value="children",
            series="label",
            title=f"Children in care by {what}",
            y_title="Children in care",
            order=frame["label"].unique(maintain_order=True).to_list(),
        ),
        f"Line chart of children in care by {what} at each month end. At {long_date(top['date'])} the largest "
        f"group was '{top['label']}' with {top['children_label']} children.",
        wide,
        caption=f"Children in care by {what} at {long_date(cic.end)}",
        protect=["children"],
        labels=LABELS,
        figures={"children": mix_figures(frame, grouping, last)},  # type: ignore[arg-type]
    )


def groups_figure(frame: pl.DataFrame, *, title: str, what: str) -> charts.Figure:
    """Children in care at the review date by age group or by time in care."""
    shown = protect(frame, "children")
    return charts.Figure(
        charts.bars(frame, category="group", value="children", title=title, x_title="Children"),
        f"Bar chart of children in care by {what}: "
        + "; ".join(f"{g} {n}" for g, n in shown.select("group", "children_label").iter_rows())
        + ".",
        frame,
        caption=title,
        protect=["children"],
        labels=LABELS,
    )


STATUS_COUNTS = ["Now", "A month earlier", "A year earlier"]


def _status_lines() -> dict[str, tuple[str, str]]:
    """The child-status lines that are pack figures: line -> (metric, breakdown). A line counting exactly the codes
    of a legal status or placement type group is that group's `cla_count`; "long-term foster" is no group."""
    lines = {"Number of children in care": ("cla_count", "all"), UASC_LINE: ("cla_uasc_count", "all")}
    for label, column, codes in STATUS_LINES:
        for grouping, (code_column, group_of, _) in GROUPINGS.items():
            groups = {group_of.get(c) for c in codes}
            if code_column == column and len(groups) == 1 and None not in groups:
                (group,) = groups
                if set(codes) == {c for c, g in group_of.items() if g == group}:
                    lines[label] = ("cla_count", f"{grouping}:{group}")
    return lines


def status_figures(cic: ChildrenInCare) -> dict[str, FigureSpec]:
    """The child-status table's cells as pack figures (`status_table_frame`'s columns): a line that is a pack figure
    (`_status_lines`) at the review date, the month end before and the same month end a year before."""
    lines = _status_lines()

    def at(day: date) -> FigureSpec:
        def key(row: dict) -> tuple[str, str, str] | None:
            figure = lines.get(row.get("Child status"))
            return None if figure is None else (*figure, day.isoformat())

        return key

    return {
        "Now": at(cic.end),
        "A month earlier": at(shift_months(cic.end, -1)),
        "A year earlier": at(shift_months(cic.end, -12)),
    }


def status_table_frame(cic: ChildrenInCare) -> pl.DataFrame:
    """The child-status table with plain column names, ready to show (its pack figures: `status_figures`). No
    direction of travel is given against a figure the pack hides: it would say where the hidden value lies."""
    frame = cic.status.rename(
        {
            "line": "Child status",
            "now": "Now",
            "month_before": "A month earlier",
            "change_month": "Since last month",
            "year_before": "A year earlier",
            "change_year": "Since last year",
        }
    )
    flags = figures_hidden(frame, status_figures(cic))
    now = flags["Now"]
    out = []
    for change, before in [("Since last month", "A month earlier"), ("Since last year", "A year earlier")]:
        hide = [bool(a) or bool(b) for a, b in zip(now, flags[before], strict=True)]
        out.append(pl.when(pl.Series(hide, dtype=pl.Boolean)).then(pl.lit("–")).otherwise(pl.col(change)).alias(change))
    return frame.with_columns(out) if out and frame.height else frame
