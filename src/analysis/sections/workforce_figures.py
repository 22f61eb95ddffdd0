"""The workforce page's charts and tables: each a `charts.Figure` (chart, text alternative, figures)
or the arguments of `report.table`, built from a `workforce_section.WorkforceSection`."""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import polars as pl

from analysis.core.disclosure import mask_small, show_count
from analysis.core.periods import long_date, long_month
from analysis.metrics.workforce import BEYOND, LIKELY, MET, MISSED, NO_FIGURE, OFF_TRACK, ON_TRACK, UNLIKELY
from analysis.sections import charts
from analysis.sections.workforce_labels import HEADCOUNTS, LABELS, RATE_DECIMALS, caseload_labels
from analysis.sections.workforce_section import CONTRACT_LABELS, WorkforceSection, pct, projection_sentence, row_at

#: How the targets table words each target's status.
STATUS_WORDS = {
    MET: "met",
    MISSED: "not met",
    ON_TRACK: "on track on the recent trend",
    OFF_TRACK: "off track on the recent trend",
    LIKELY: "met on the trend line, but the range includes higher rates",
    UNLIKELY: "missed on the trend line, but the range reaches the target",
    BEYOND: "beyond the projection",
    NO_FIGURE: "no figure",
}


# --- Shared pieces ---------------------------------------------------------------------------------


def _table(frame: pl.DataFrame, caption: str, **labels: str) -> dict:
    """A table of rates for `report.table(**...)`: the page's headings, with `labels` replacing some."""
    return {"frame": frame, "caption": caption, "decimals": RATE_DECIMALS, "labels": {**LABELS, **labels}}


def _trend_text(frame: pl.DataFrame, *measures: tuple[str, str]) -> str:
    """The text alternative of one or more lines of rates (column, words), one decimal place, in turn."""
    return " ".join(charts.describe_trend(frame, column, what, decimals=1) for column, what in measures)


def _lines(frame: pl.DataFrame, names: dict[str, str], *, series: str, value: str, **options: str) -> alt.LayerChart:
    """`charts.lines` of columns of a one-row-per-snapshot frame, each named (in order) by `names`."""
    long = frame.select("date", *[pl.col(c).alias(name) for c, name in names.items()]).unpivot(
        index="date", variable_name=series, value_name=value
    )
    return charts.lines(long, value=value, series=series, order=list(names.values()), **options)


def _month_ends() -> alt.X:
    """The x axis of a chart over snapshots, as `charts.lines` draws it."""
    return alt.X("date:T", title="Month end", axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=8))


def _full_size(chart: alt.Chart | alt.LayerChart, title: str, subtitle: str) -> alt.Chart | alt.LayerChart:
    """A chart over snapshots, titled, at the pack's full width and height."""
    return chart.properties(title=alt.Title(title, subtitle=subtitle), width=charts.WIDTH, height=charts.HEIGHT)


def _rows(
    frame: pl.DataFrame,
    shown: pl.DataFrame,
    layers: Callable[[alt.Chart], list[alt.Chart]],
    *,
    category: str,
    title: str,
    subtitle: str,
) -> alt.LayerChart:
    """One horizontal row per `category` in `frame`'s order, sized to fit; `layers` draw `shown` on the rows."""
    y = alt.Y(f"{category}:N", sort=frame[category].to_list(), title=None, axis=alt.Axis(labelLimit=320))
    return alt.layer(*layers(alt.Chart(shown).encode(y=y))).properties(
        title=alt.Title(title, subtitle=subtitle), width=charts.WIDTH - 200, height=max(60, 28 * frame.height)
    )


# --- Figures and tables ----------------------------------------------------------------------------


def _census_rows(wf: WorkforceSection) -> pl.DataFrame:
    """The snapshots at each 30 September (the DfE census date) and the latest one."""
    s = wf.series
    return s.filter(
        ((pl.col("date").dt.month() == 9) & (pl.col("date").dt.day() == 30)) | (pl.col("date") == wf.latest)
    )


def agency_rate_figure(wf: WorkforceSection, authority: str) -> charts.Figure:
    """The agency rate at each snapshot with the published England (and regional) rates."""
    table = _census_rows(wf).select(
        "date", "agency_fte", "inpost_fte", "agency_rate", "agency_rate_headcount", "agency_rate_case_holding"
    )
    england = wf.comparator_rates.filter(pl.col("area") == "england").select("date", pl.col("value").alias("england"))
    table = table.join(england, on="date", how="left")
    return charts.Figure(
        charts.line_with_comparators(
            wf.series,
            wf.comparator_rates,
            value="agency_rate",
            title="Agency workers as a share of children's social workers",
            subtitle="Agency full-time equivalent (FTE) / (agency + directly employed FTE), each month; comparators "
            "are the DfE's figures at 30 September, held until the next one",
            y_title="Agency rate (%)",
            authority=authority,
        ),
        _trend_text(wf.series, ("agency_rate", "the agency rate (percent of FTE) at each snapshot")),
        table,
        caption="The agency rate at each 30 September (the DfE's census date) and at the latest snapshot",
        decimals=RATE_DECIMALS | {"england": 1},
        labels={**LABELS, "england": "England, DfE (%)"},
    )


def projection_figure(wf: WorkforceSection) -> charts.Figure:
    """The agency rate's recent straight-line trend carried forward, with its band and the targets."""
    history = wf.series.select("date", "agency_rate").drop_nulls().tail(24)
    x = _month_ends()
    y = alt.Y("value:Q", title="Agency rate (%)", scale=alt.Scale(zero=True))
    layers: list[alt.Chart] = [
        alt.Chart(history.rename({"agency_rate": "value"}))
        .mark_line(color=charts.AUTHORITY, strokeWidth=3)
        .encode(x=x, y=y)
    ]
    p = wf.projection
    subtitle = "Too few recent snapshots to project the trend"
    if p is not None:
        line = pl.concat(
            [
                p.fitted.rename({"fitted": "value"}),
                p.frame.select("date", pl.col("projected").alias("value")),
            ]
        )
        subtitle = (
            f"Dashed: the straight-line trend of the last {p.points} snapshots, carried forward; shaded: the "
            f"{round(p.level * 100)}% range; diamonds: the targets"
        )
        layers += [
            alt.Chart(p.frame)
            .mark_area(color=charts.AUTHORITY, opacity=0.18)
            .encode(x=x, y=alt.Y("lower:Q", title="Agency rate (%)"), y2="upper:Q"),
            alt.Chart(line).mark_line(color="#505a5f", strokeWidth=2, strokeDash=[6, 4]).encode(x=x, y=y),
        ]
    else:
        subtitle += "; diamonds: the targets"
    first = history["date"].min()
    targets = wf.targets.filter(pl.col("date") >= first) if first is not None else wf.targets
    if p is not None:
        targets = targets.filter(pl.col("date") <= p.frame["date"].max())
    targets = targets.select("date", pl.col("target").alias("value")).with_columns(
        pl.format("Target {}%", pl.col("value").round(1)).alias("label")
    )
    if targets.height:
        layers += [
            alt.Chart(targets).mark_point(shape="diamond", size=110, filled=True, color="#0b0c0c").encode(x=x, y=y),
            alt.Chart(targets)
            .mark_text(align="left", dx=8, dy=12, fontSize=12, color="#0b0c0c")
            .encode(x=x, y=y, text="label:N"),
        ]
    chart = _full_size(alt.layer(*layers), "The agency rate on its recent trend, against the targets", subtitle)
    text = _trend_text(history, ("agency_rate", "the agency rate over the last 24 snapshots"))
    data = p.frame if p is not None else None
    return charts.Figure(
        chart,
        f"{text} {projection_sentence(wf)}",
        data,
        caption="The agency rate projected on its recent trend, with its range",
        decimals=RATE_DECIMALS,
        labels={**LABELS, "date": "Month end"},
    )


def targets_table(wf: WorkforceSection) -> dict:
    """The agency-rate targets against the actual or projected rate, ready for `report.table(**...)`."""
    frame = wf.targets.with_columns(pl.col("status").replace_strict(STATUS_WORDS, default=pl.col("status")))
    return _table(
        frame, "Agency-rate targets set at review, against the rate and its recent trend", date="Target month end"
    )


def _percent_bars(frame: pl.DataFrame, *, category: str, value: str, title: str, subtitle: str = "") -> alt.LayerChart:
    """Horizontal bars of a percentage, each labelled with its value (or 'nobody in post')."""
    shown = frame.with_columns(
        pl.when(pl.col(value).is_null())
        .then(pl.lit("nobody in post"))
        .otherwise(pl.col(value).round(1).cast(pl.String) + "%")
        .alias("_label"),
        pl.col(value).fill_null(0).alias("_pos"),
    )
    return _rows(
        frame,
        shown,
        lambda base: [
            base.mark_bar(color=charts.AUTHORITY).encode(
                x=alt.X(f"{value}:Q", title="Agency rate (%)", scale=alt.Scale(domain=[0, 100]))
            ),
            base.mark_text(align="left", dx=4, fontSize=12).encode(x="_pos:Q", text="_label:N"),
        ],
        category=category,
        title=title,
        subtitle=subtitle,
    )


def team_figure(wf: WorkforceSection) -> charts.Figure:
    """The agency rate of each team at the latest snapshot, with each team's rate a month and three months before."""
    frame = wf.team_latest
    top = frame.drop_nulls("agency_rate")
    words = "; ".join(
        f"{t} {pct(r)}" if r is not None else f"{t}: nobody in post"
        for t, r in frame.select("team", "agency_rate").iter_rows()
    )
    alt_text = f"Bar chart of the agency rate of each team at {long_date(wf.latest)}: {words}."
    if top.height:
        alt_text += f" The highest is {top['team'][0]} at {pct(top['agency_rate'][0])}."
    return charts.Figure(
        _percent_bars(
            frame,
            category="team",
            value="agency_rate",
            title=f"Agency rate by team at {long_date(wf.latest)}",
            subtitle="Agency FTE / (agency + directly employed FTE) in each team",
        ),
        alt_text,
        frame.select(
            "team",
            "posts",
            "inpost_fte",
            "agency_fte",
            "agency_rate",
            "agency_rate_1m",
            "agency_rate_3m",
            "agency_rate_headcount",
            "vacancy_rate",
        ),
        caption=f"Agency and vacancy rates by team at {long_date(wf.latest)}",
        counts=HEADCOUNTS,
        decimals=RATE_DECIMALS,
        labels=LABELS,
    )


def rising_table(wf: WorkforceSection) -> dict:
    """The teams whose agency rate rose, ready for `report.table(**...)`."""
    return _table(
        wf.rising.select("team", "agency_rate_3m", "agency_rate_1m", "agency_rate", "change_1m", "change_3m"),
        "Teams whose agency rate rose over the last month or the last three months",
        agency_rate="Agency rate now (%)",
    )


def posts_figure(wf: WorkforceSection) -> charts.Figure:
    """The agency and vacancy rates over time, with the fixed-term posts in the table."""
    return charts.Figure(
        _lines(
            wf.series,
            {"agency_rate": "Agency rate", "vacancy_rate": "Vacancy rate"},
            series="measure",
            value="rate",
            title="Agency and vacancy rates at each snapshot",
            subtitle="Vacancies are posts without a directly employed worker, whether or not agency staff cover them",
            y_title="Percent of FTE",
        ),
        _trend_text(
            wf.series,
            ("vacancy_rate", "the vacancy rate (percent of FTE) at each snapshot"),
            ("agency_rate", "the agency rate over the same snapshots"),
        ),
        wf.series.select(
            "date",
            "inpost_fte",
            "agency_fte",
            "vacant_fte",
            "vacancy_fte",
            "vacancy_rate",
            "vacancy_agency_cover_rate",
            "fixed_term_fte",
            "fixed_term_headcount",
        ).tail(13),
        caption="Vacancies and fixed-term posts, last 13 snapshots",
        counts=HEADCOUNTS,
        decimals=RATE_DECIMALS,
        labels=LABELS,
    )


def contracts_figure(wf: WorkforceSection) -> charts.Figure:
    """Full-time equivalent by contract over time, stacked to the whole establishment; the latest in the table."""
    order = list(CONTRACT_LABELS.values())
    long = (
        wf.series.select("date", *[pl.col(f"{c}_fte").alias(label) for c, label in CONTRACT_LABELS.items()])
        .unpivot(index="date", variable_name="contract", value_name="fte")
        .with_columns(pl.col("contract").replace_strict({c: i for i, c in enumerate(order)}).alias("_order"))
    )
    chart = _full_size(
        alt.Chart(long)
        .mark_area()
        .encode(
            x=_month_ends(),
            y=alt.Y("fte:Q", title="Full-time equivalent (FTE)", stack="zero"),
            color=alt.Color(
                "contract:N",
                scale=alt.Scale(domain=order, range=["#0072B2", "#56B4E9", "#E69F00", "#d9d9d9"]),
                sort=order,
                title=None,
            ),
            order=alt.Order("_order:Q"),
        ),
        "Social work posts by contract, in full-time equivalents (FTE)",
        "Every social-work post in the establishment, stacked; managers included",
    )
    now = wf.contracts
    words = "; ".join(f"{c.lower()} {f:,.1f} FTE" for c, f in now.select("contract", "fte").iter_rows())
    return charts.Figure(
        chart,
        f"Stacked area chart of social work FTE by contract at each snapshot from "
        f"{long_month(wf.series['date'].min())} to {long_month(wf.latest)}. At {long_date(wf.latest)}: {words}.",
        now,
        caption=f"Posts by contract at {long_date(wf.latest)}",
        counts=["posts"],
        decimals=RATE_DECIMALS,
        labels=LABELS,
    )


def team_managers_figure(wf: WorkforceSection) -> charts.Figure:
    """Team-manager posts and how many permanent managers fill them."""
    counts = ["team_manager_posts", "permanent_team_managers"]
    now = row_at(wf.series, wf.latest)
    return charts.Figure(
        _lines(
            mask_small(wf.series.select("date", *counts), counts),
            {"team_manager_posts": "Team-manager posts", "permanent_team_managers": "Filled by permanent managers"},
            series="who",
            value="posts",
            title="Team-manager posts and permanent team managers",
            y_title="Posts",
        ),
        charts.describe_trend(
            wf.series, "permanent_team_managers", "the number of permanent team managers at each snapshot", count=True
        )
        + f" At {long_date(wf.latest)}, {show_count(now['permanent_team_managers'])} of "
        f"{show_count(now['team_manager_posts'])} team-manager posts were filled by permanent managers.",
        wf.series.select(
            "date",
            "team_manager_posts",
            "permanent_team_managers",
            "fixed_term_team_managers",
            "agency_team_managers",
            "vacant_team_manager_posts",
        ).tail(13),
        caption="Team-manager posts by contract, last 13 snapshots",
        counts=HEADCOUNTS,
        labels=LABELS,
        # The four contracts add up to the posts, row by row: one small one would be the posts minus the rest.
        parts=[[*counts[1:], "fixed_term_team_managers", "agency_team_managers", "vacant_team_manager_posts"]],
    )


def caseload_figure(wf: WorkforceSection) -> charts.Figure:
    """The share of case-holding workers over the caseload threshold, with the averages in the table."""
    frame = wf.series.drop_nulls("over_threshold_share")
    return charts.Figure(
        charts.simple_line(
            frame,
            x="date",
            y="over_threshold_share",
            title=f"Case-holding workers with more than {wf.threshold} children allocated",
            subtitle="Share of workers holding at least one case",
            x_title="Snapshot",
            y_title=f"Percent with more than {wf.threshold}",
        ),
        _trend_text(
            frame,
            ("over_threshold_share", f"the percent of case holders with more than {wf.threshold} cases"),
            ("average_caseload", "the average caseload per case-holding worker"),
        ),
        frame.select(
            "date",
            "case_holders",
            "cases",
            "average_caseload",
            "caseload_per_fte",
            "median_caseload",
            "over_threshold",
            "over_threshold_share",
        ).tail(13),
        caption="Caseloads, last 13 snapshots",
        counts=HEADCOUNTS,
        decimals=RATE_DECIMALS,
        labels=caseload_labels(wf.threshold),
    )


def caseload_teams_figure(wf: WorkforceSection) -> charts.Figure:
    """Each team's caseloads at the latest snapshot: the median as a bar, the highest as a tick."""
    frame = wf.caseload_teams.filter(pl.col("date") == wf.latest).sort("median_caseload", descending=True)
    x_title = "Children allocated per worker"
    chart = _rows(
        frame,
        mask_small(frame, ["max_caseload"]),
        lambda base: [
            base.mark_bar(color=charts.AUTHORITY).encode(x=alt.X("median_caseload:Q", title=x_title)),
            base.mark_tick(color="#D55E00", thickness=3, size=20).encode(x="max_caseload:Q"),
            alt.Chart(pl.DataFrame({"threshold": [wf.threshold]}))
            .mark_rule(color="#505a5f", strokeDash=[6, 4])
            .encode(x="threshold:Q"),
        ],
        category="team",
        title=f"Caseloads by team at {long_date(wf.latest)}",
        subtitle=f"Bars: median caseload; orange ticks: the highest caseload; dashed line: {wf.threshold}",
    )
    words = "; ".join(
        f"{t} median {m:.0f}, highest {show_count(x)}"
        for t, m, x in frame.select("team", "median_caseload", "max_caseload").iter_rows()
    )
    return charts.Figure(
        chart,
        f"Bar chart of the median caseload of each team at {long_date(wf.latest)}, with the highest caseload marked: "
        f"{words}.",
        frame.select(
            "team",
            "case_holders",
            "cases",
            "average_caseload",
            "median_caseload",
            "max_caseload",
            "over_threshold",
            "over_threshold_share",
        ),
        caption=f"Caseloads by team at {long_date(wf.latest)}",
        counts=HEADCOUNTS,
        decimals=RATE_DECIMALS,
        labels=caseload_labels(wf.threshold),
    )
