"""The social worker stability page's charts and tables: each a `charts.Figure` (chart, text alternative,
figures), built from a `stability_section.StabilitySection`.

Uncertainty is drawn, not hidden: shares carry 95% Wilson intervals, groups of fewer than
`stability.SMALL` children or orders are not drawn (and say so), and no trend line is fitted.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from analysis.core.disclosure import SUPPRESSED
from analysis.core.periods import long_date, long_month
from analysis.metrics import stability as st
from analysis.sections import charts
from analysis.sections.small_counts import rate_shown
from analysis.sections.stability_section import LINK_MINIMUM, StabilitySection, pct

LABELS = {
    "date": "Month end",
    "team": "Team of the child's worker",
    "children": "Children in care",
    "allocated": "With an allocated worker",
    "children_12m": "In care 12 months or more",
    "same_worker": "Same worker for 12 months",
    "same_worker_share": "Same worker for 12 months (%)",
    "same_worker_share_low": "95% interval from (%)",
    "same_worker_share_high": "95% interval to (%)",
    "changed": "Changed worker in 12 months",
    "changed_share": "Changed worker in 12 months (%)",
    "three_or_more_workers": "Three or more workers in 12 months",
    "three_or_more_workers_share": "Three or more workers (%)",
    "agency": "Worker is agency staff",
    "agency_share": "Worker is agency staff (%)",
    "workforce_agency_rate": "Team agency rate, workforce snapshot (% of FTE)",
    "band": "Changes of worker",
    "group": "Group",
    "teams": "Teams",
    "orders": "Orders made",
    "median_days": "Median days from plan to order",
    "q1_days": "Quarter took fewer than (days)",
    "q3_days": "Quarter took more than (days)",
    "value": "Quoted (%)",
    "source": "Where quoted",
}
COUNTS = [
    "children",
    "allocated",
    "children_12m",
    "same_worker",
    "changed",
    "three_or_more_workers",
    "agency",
    "orders",
]
DECIMALS = {
    "same_worker_share": 1,
    "same_worker_share_low": 1,
    "same_worker_share_high": 1,
    "changed_share": 1,
    "three_or_more_workers_share": 1,
    "agency_share": 1,
    "workforce_agency_rate": 1,
    "median_days": 0,
    "q1_days": 0,
    "q3_days": 0,
    "value": 1,
}
BAND_LABELS = {"0": "No change", "1": "One change", "2": "Two changes", "3_or_more": "Three or more changes"}
#: (share column, its count, its whole) for the shares the page shows.
SHARES = [
    ("same_worker_share", "same_worker", "children_12m"),
    ("changed_share", "changed", "children"),
    ("three_or_more_workers_share", "three_or_more_workers", "children"),
    ("agency_share", "agency", "allocated"),
]


def safe_shares(frame: pl.DataFrame) -> pl.DataFrame:
    """Shares (and their intervals) set to null where they would reveal a small count, for charts."""
    out = frame
    for share, part, whole in SHARES:
        if share not in frame.columns:
            continue
        ok = pl.Series([rate_shown(p, w) for p, w in frame.select(part, whole).iter_rows()], dtype=pl.Boolean)
        columns = [c for c in (share, f"{share}_low", f"{share}_high") if c in frame.columns]
        out = out.with_columns(pl.when(ok).then(pl.col(c)).alias(c) for c in columns)
    return out


def shown_shares(frame: pl.DataFrame) -> pl.DataFrame:
    """Shares as the tables write them: one decimal place, "c" where built on a small count, "–" for none."""
    out = frame
    for share, part, whole in SHARES:
        if share not in frame.columns:
            continue
        texts = [
            "–" if v is None else SUPPRESSED if not rate_shown(p, w) else f"{v:.1f}"
            for v, p, w in frame.select(share, part, whole).iter_rows()
        ]
        columns = [c for c in (f"{share}_low", f"{share}_high") if c in frame.columns]
        hidden = [t == SUPPRESSED for t in texts]
        out = out.with_columns(pl.Series(share, texts, dtype=pl.String))
        for c in columns:
            values = [
                SUPPRESSED if h else "–" if v is None else f"{v:.1f}"
                for v, h in zip(frame[c].to_list(), hidden, strict=True)
            ]
            out = out.with_columns(pl.Series(c, values, dtype=pl.String))
    return out


def _x() -> alt.X:
    return alt.X("date:T", title="Month end", axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=8))


def same_worker_figure(s: StabilitySection, authority: str) -> charts.Figure:
    """The same-worker share each month, with its 95% interval and the figures the reviews quoted."""
    frame = safe_shares(s.series)
    y_title = "Percent of children in care 12 months or more"
    y = alt.Y("same_worker_share:Q", title=y_title, scale=alt.Scale(zero=True))
    layers: list[alt.Chart] = [
        alt.Chart(frame)
        .mark_area(color=charts.AUTHORITY, opacity=0.18)
        .encode(x=_x(), y=alt.Y("same_worker_share_low:Q", title=y_title), y2="same_worker_share_high:Q"),
        alt.Chart(frame).mark_line(color=charts.AUTHORITY, strokeWidth=3).encode(x=_x(), y=y),
    ]
    subtitle = "Line: the share; shaded: its 95% interval"
    if s.quoted.height:
        quoted = s.quoted.with_columns(pl.format("Quoted {}%", pl.col("value").round(1)).alias("label"))
        qy = alt.Y("value:Q", title=y_title)
        layers += [
            alt.Chart(quoted).mark_point(shape="diamond", size=110, filled=True, color="#0b0c0c").encode(x=_x(), y=qy),
            alt.Chart(quoted)
            .mark_text(align="left", dx=8, dy=-10, fontSize=12, color="#0b0c0c")
            .encode(x=_x(), y=qy, text="label:N"),
        ]
        subtitle += "; diamonds: the figures the Commissioner's report quoted"
    chart = alt.layer(*layers).properties(
        title=alt.Title("Children in care with the same social worker for the previous 12 months", subtitle=subtitle),
        width=charts.WIDTH,
        height=charts.HEIGHT,
    )
    text = charts.describe_trend(
        frame, "same_worker_share", f"the percent of {authority}'s children in care for a year or more with the "
        "same social worker for the previous 12 months", decimals=1
    )  # fmt: skip
    for day, value, _ in s.quoted.iter_rows():
        text += f" The Commissioner's report quoted {value:.1f}% for {long_month(day)}."
    table = s.series.select(
        "date", "children_12m", "same_worker", "same_worker_share", "same_worker_share_low", "same_worker_share_high"
    )
    return charts.Figure(
        chart,
        text,
        shown_shares(table),
        caption="Same social worker for the previous 12 months, each month end, with the 95% interval",
        counts=["children_12m", "same_worker"],
        labels=LABELS,
    )


def changes_figure(s: StabilitySection) -> charts.Figure:
    """Children in care at the latest month end by changes of worker in the last 12 months."""
    latest = s.distribution.filter(pl.col("date") == s.end).with_columns(
        pl.col("band").replace_strict(BAND_LABELS).alias("changes")
    )
    # Each bar is a pack figure: worker_changes_12m by band at the month end.
    band_of = {label: band for band, label in BAND_LABELS.items()}
    day = s.end.isoformat()

    def figure(row: dict) -> tuple[str, str, str] | None:
        band = row.get("band") or band_of.get(row.get("changes"))
        return None if band is None else ("worker_changes_12m", band, day)

    chart = charts.bars(
        latest,
        category="changes",
        value="children",
        title=f"Changes of social worker in the 12 months to {long_date(s.end)}",
        x_title="Children in care",
        subtitle="Children in care at the month end; the first worker in the 12 months is not a change",
        figure=figure,
    )
    from analysis.core.disclosure import protect

    words = "; ".join(
        f"{c.lower()} {label}"
        for c, label in protect(latest, "children", figure=figure).select("changes", "children_label").iter_rows()
    )
    return charts.Figure(
        chart,
        f"Bar chart of children in care at {long_date(s.end)} by changes of social worker in the previous 12 months: "
        f"{words}.",
        latest.select("changes", "children"),
        caption=f"Children in care by changes of social worker in the 12 months to {long_date(s.end)}",
        protect=["children"],
        labels={"changes": "Changes of worker", "children": "Children in care"},
        figures={"children": figure},
    )


def changes_trend_figure(s: StabilitySection) -> charts.Figure:
    """The shares with a change of worker, and with three or more workers, each month."""
    frame = safe_shares(s.series)
    long = frame.select(
        "date",
        pl.col("changed_share").alias("At least one change"),
        pl.col("three_or_more_workers_share").alias("Three or more workers"),
    ).unpivot(index="date", variable_name="measure", value_name="share")
    chart = charts.lines(
        long,
        value="share",
        series="measure",
        title="Children in care with a change of social worker in the last 12 months",
        y_title="Percent of children in care",
        subtitle="Each month end, over the previous 12 months",
    )
    text = " ".join(
        [
            charts.describe_trend(frame, "changed_share", "the percent of children in care with at least one change "
                                  "of social worker in the previous 12 months", decimals=1),
            charts.describe_trend(frame, "three_or_more_workers_share", "the percent with three or more workers",
                                  decimals=1),
        ]
    )  # fmt: skip
    table = s.series.select(
        "date", "children", "changed", "changed_share", "three_or_more_workers", "three_or_more_workers_share"
    ).tail(13)
    return charts.Figure(
        chart,
        text,
        shown_shares(table),
        caption="Changes of social worker, last 13 month ends",
        counts=["children", "changed", "three_or_more_workers"],
        labels=LABELS,
    )


def team_figure(s: StabilitySection) -> charts.Figure:
    """Each team's same-worker share with its 95% interval, teams in order of their agency share."""
    frame = safe_shares(s.team_latest)
    drawn = frame.filter((pl.col("children_12m") >= st.SMALL) & pl.col("same_worker_share").is_not_null())
    order = frame["team"].to_list()
    labelled = frame.with_columns(
        pl.when(pl.col("agency_share").is_not_null())
        .then(pl.format("agency {}%", pl.col("agency_share").round(0).cast(pl.Int64)))
        .otherwise(pl.lit("too few children to show"))
        .alias("_agency"),
        pl.lit(0.0).alias("_zero"),
    )
    y = alt.Y("team:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    x_title = "Same social worker for 12 months (%)"
    x = alt.X("same_worker_share:Q", title=x_title, scale=alt.Scale(domain=[0, 100]))
    chart = alt.layer(
        alt.Chart(drawn)
        .mark_rule(color=charts.AUTHORITY, strokeWidth=2)
        .encode(y=y, x=alt.X("same_worker_share_low:Q", title=x_title), x2="same_worker_share_high:Q"),
        alt.Chart(drawn).mark_point(filled=True, size=90, color=charts.AUTHORITY).encode(y=y, x=x),
        alt.Chart(labelled)
        .mark_text(align="left", dx=0, fontSize=12, color="#505a5f")
        .encode(y=y, x=alt.value(charts.WIDTH - 190), text="_agency:N"),
    ).properties(
        title=alt.Title(
            f"Same social worker for 12 months, by team, at {long_date(s.end)}",
            subtitle="Dots: the share; lines: the 95% interval. Teams in order of the share of their children with "
            "an agency worker (shown on the right)",
        ),
        width=charts.WIDTH - 200,
        height=max(60, 30 * frame.height),
    )
    parts = []
    for row in frame.iter_rows(named=True):
        if row["children_12m"] < st.SMALL or row["same_worker_share"] is None:
            parts.append(f"{row['team']}: too few children to show")
        else:
            parts.append(
                f"{row['team']} {pct(row['same_worker_share'])} (95% interval {pct(row['same_worker_share_low'])} to "
                f"{pct(row['same_worker_share_high'])}), agency {pct(row['agency_share'])}"
            )
    table = frame.select(
        "team", "children", "children_12m", "same_worker", "same_worker_share", "same_worker_share_low",
        "same_worker_share_high", "allocated", "agency", "agency_share", "workforce_agency_rate",
    )  # fmt: skip
    return charts.Figure(
        chart,
        f"Dot chart of the share of children in care for a year or more with the same social worker for 12 months, "
        f"by team, at {long_date(s.end)}, with 95% intervals: {'; '.join(parts)}.",
        shown_shares(s.team_latest.select(table.columns)),
        caption=f"Stability and agency workers by team at {long_date(s.end)}",
        counts=[c for c in COUNTS if c in table.columns],
        decimals=DECIMALS,
        labels=LABELS,
    )


def link_figure(s: StabilitySection) -> charts.Figure | None:
    """Team agency share against same-worker share, one dot per team with its interval; no trend line.

    None when fewer than three teams have `SMALL` or more children in care for a year: too few to draw.
    """
    frame = safe_shares(s.team_latest).filter(
        (pl.col("children_12m") >= st.SMALL)
        & pl.col("same_worker_share").is_not_null()
        & pl.col("agency_share").is_not_null()
    )
    if frame.height < 3:
        return None
    x = alt.X("agency_share:Q", title="Children whose worker is agency staff (%)", scale=alt.Scale(domain=[0, 100]))
    y_title = "Same worker for 12 months (%)"
    y = alt.Y("same_worker_share:Q", title=y_title, scale=alt.Scale(domain=[0, 100]))
    chart = alt.layer(
        alt.Chart(frame)
        .mark_rule(color=charts.AUTHORITY)
        .encode(x=x, y=alt.Y("same_worker_share_low:Q", title=y_title), y2="same_worker_share_high:Q"),
        alt.Chart(frame).mark_point(filled=True, size=80, color=charts.AUTHORITY).encode(x=x, y=y),
        alt.Chart(frame).mark_text(align="left", dx=7, dy=-7, fontSize=11).encode(x=x, y=y, text="team:N"),
    ).properties(
        title=alt.Title(
            "Agency workers and stability, team by team",
            subtitle=f"At {long_date(s.end)}; vertical lines: 95% intervals; no trend line, as there are too few teams",
        ),
        width=charts.WIDTH,
        height=charts.HEIGHT + 40,
    )
    words = "; ".join(
        f"{t}: agency {pct(a)}, same worker {pct(v)}"
        for t, a, v in frame.select("team", "agency_share", "same_worker_share").iter_rows()
    )
    return charts.Figure(
        chart,
        f"Scatter chart of {frame.height} teams: the share of children whose worker is agency staff against the "
        f"share with the same worker for 12 months, with 95% intervals. {words}. It shows an association only.",
        shown_shares(s.groups) if s.groups.height else None,
        caption="Teams with most agency staff against the other teams, pooled",
        counts=["children_12m", "same_worker"],
        decimals=DECIMALS,
        labels=LABELS,
    )


def agency_figure(s: StabilitySection) -> charts.Figure:
    """The share of children whose worker is agency staff, by team, month by month."""
    teams = safe_shares(s.teams.filter(pl.col("children") > 0))
    overall = safe_shares(s.series).select("date", pl.lit("All teams").alias("team"), "agency_share")
    long = pl.concat([overall, teams.select("date", "team", "agency_share")]).drop_nulls("agency_share")
    order = ["All teams", *s.team_latest.filter(pl.col("children") > 0)["team"].to_list()]
    order = [t for t in order if t in set(long["team"].to_list())][: len(charts.PALETTE)]
    long = long.filter(pl.col("team").is_in(order))
    chart = charts.lines(
        long,
        value="agency_share",
        series="team",
        order=order,
        title="Children in care whose social worker is agency staff",
        y_title="Percent of children with a worker",
        subtitle="By the team of the child's worker, each month end; a share built on a small count is not drawn",
    )
    text = charts.describe_trend(
        safe_shares(s.series), "agency_share", "the percent of children in care whose worker is agency staff, all "
        "teams", decimals=1
    )  # fmt: skip
    text += " One line per team follows the same measure for the children of that team."
    latest = s.teams.filter(pl.col("date") == s.end).select("team", "allocated", "agency", "agency_share")
    return charts.Figure(
        chart,
        text,
        shown_shares(latest),
        caption=f"Children whose worker is agency staff, by team, at {long_date(s.end)}",
        counts=["allocated", "agency"],
        labels=LABELS,
    )


def timeliness_figure(s: StabilitySection) -> charts.Figure | None:
    """Median days from plan to order with the interquartile range, by changes of worker; None if too few orders."""
    if s.timeliness is None:
        return None
    frame = s.timeliness.with_columns(pl.col("band").replace_strict(BAND_LABELS).alias("changes"))
    drawn = frame.drop_nulls("median_days")
    if s.orders < LINK_MINIMUM or drawn.height < 2:
        return None
    order = list(BAND_LABELS.values())
    y = alt.Y("changes:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    x_title = "Days from plan to order"
    x = alt.X("median_days:Q", title=x_title, scale=alt.Scale(zero=True))
    labels = frame.with_columns(
        pl.when(pl.col("median_days").is_null())
        .then(pl.lit("too few orders to show"))
        .otherwise(pl.format("{} days", pl.col("median_days").round(0).cast(pl.Int64)))
        .alias("_label"),
    )
    chart = alt.layer(
        alt.Chart(drawn)
        .mark_rule(color=charts.AUTHORITY, strokeWidth=2)
        .encode(y=y, x=alt.X("q1_days:Q", title=x_title), x2="q3_days:Q"),
        alt.Chart(drawn).mark_point(filled=True, size=90, color=charts.AUTHORITY).encode(y=y, x=x),
        alt.Chart(labels)
        .mark_text(align="left", fontSize=12, color="#505a5f")
        .encode(y=y, x=alt.value(charts.WIDTH - 190), text="_label:N"),
    ).properties(
        title=alt.Title(
            "Days from plan to order, by changes of social worker between them",
            subtitle="Special guardianship and discharge orders; dots: the median; lines: the middle half of orders",
        ),
        width=charts.WIDTH - 200,
        height=max(60, 32 * frame.height),
    )
    words = "; ".join(
        f"{c.lower()}: too few orders to show" if m is None else f"{c.lower()}: median {m:.0f} days ({n} orders)"
        for c, m, n in frame.select("changes", "median_days", "orders").iter_rows()
    )
    return charts.Figure(
        chart,
        f"Dot chart of the median days from plan to order by changes of social worker between plan and order, with "
        f"the middle half of orders: {words}. It shows an association only.",
        frame.select("changes", "orders", "median_days", "q1_days", "q3_days"),
        caption="Days from plan to order by changes of social worker between them",
        counts=["orders"],
        decimals=DECIMALS,
        labels={**LABELS, "changes": "Changes of worker"},
    )


def quoted_table(s: StabilitySection) -> dict | None:
    """The figures the reviews quoted, beside this pack's, for `report.table(**...)`; None when none apply."""
    if s.quoted.height == 0:
        return None
    frame = s.quoted.join(
        s.series.select("date", pl.col("same_worker_share").alias("here")), on="date", how="left"
    ).select("date", "value", "here", "source")
    return {
        "frame": frame,
        "caption": "The same-worker share quoted in the reviews, and in this pack for the same month",
        "decimals": {"value": 1, "here": 1},
        "labels": {**LABELS, "here": "This pack (%)"},
    }
