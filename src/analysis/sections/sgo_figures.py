"""The SGO page's charts and tables: each a `charts.Figure` (chart, text alternative, figures) or the
arguments of `report.table`, built from a `sgo_section.SgoSection`."""

from __future__ import annotations

import altair as alt
import polars as pl

from analysis.core.disclosure import figures_hidden, is_suppressed, mask_figures, protect, show_count
from analysis.core.periods import long_date, long_month
from analysis.metrics import reconciliation, relations
from analysis.metrics.permanence import FUNNEL
from analysis.metrics.sgo import BREAKDOWN_LABEL, SUPPORT_LABEL, relationship_parts
from analysis.sections import charts
from analysis.sections.sgo_section import STAGE_LABELS, SgoSection, support_share
from analysis.sections.small_counts import pct_text, row_protected_text

LABELS = {
    "date": "Month end",
    "label": "Special guardians",
    "sgos": "Last 12 months",
    "sgos_before": "The 12 months before",
    "all": "All SGOs",
    "former": "To former foster carers",
    "other_carer": "To other carers",
    "relative": "To relatives or friends",
    "other_rel": "To others",
    "not_recorded": "Relationship not recorded",
    "step": "Step",
    "reached": "Plans reaching the step",
    "conversion": "Of those at the step before (%)",
    "open_here": "Still here",
    "lost_here": "Lost here",
    "reason": "Recorded reason (grouped)",
    "children": "Children",
    "orders": "Orders in the quarter",
    "median_days": "Median days, plan to order",
    "orders_12m": "Orders, four quarters to date",
    "median_days_12m": "Median days, four quarters to date",
    "sgos_903_12m": "903 return (12 months to date)",
    "orders_tracker_12m": "Tracker (12 months to date)",
    "difference": "Tracker minus 903",
    "answer": "Support for the new special guardians",
    "share": "Share of recorded answers (%)",
    "status": "What the check found",
}


#: The 903's SGOs in the 12 months to a month end: a figure of the pack-wide decision (`relations.SHOWN_ROLLING`).
SGO_12M = (relations.rolling_name("sgo_granted"), "all")
#: The tracker's orders in the 12 months to a month end (`relations.SHOWN_ROLLING`).
TRACKER_12M = (relations.rolling_name("sgo_orders_tracker"), "all")


def sgo_figure(s: SgoSection) -> charts.Figure:
    """SGOs granted in the 12 months to each month end (903), with the monthly split by carer in the table."""
    total = s.monthly.filter(pl.col("breakdown") == "all").drop_nulls("sgos_12m")
    wide = s.monthly.pivot(on="breakdown", index="date", values="sgos").sort("date")
    wide = wide.rename(
        {
            "carer:former_foster_carer": "former",
            "carer:other_carer": "other_carer",
            "relationship:relative_or_friend": "relative",
            "relationship:other": "other_rel",
            "relationship:not_recorded": "not_recorded",
        }
    )
    relationships = [SHORT[b] for b in relationship_parts(int(wide["not_recorded"].sum()))]
    return charts.Figure(
        charts.simple_line(
            mask_figures(total, {"sgos_12m": SGO_12M}),
            x="date",
            y="sgos_12m",
            title="Special guardianship orders in the 12 months to each month end (903 return)",
            subtitle="Periods of care ending with REC E45-E48; small counts are not drawn",
            x_title="Month end",
            y_title="SGOs (rolling 12 months)",
        ),
        charts.describe_trend(
            total, "sgos_12m", "SGOs granted in the 12 months to each month end", count=True, figure=SGO_12M
        ),
        wide.select("date", "all", "former", "other_carer", *relationships),
        caption="SGOs granted each month, by who the special guardians are (903 return)",
        counts=["all", "former", "other_carer", *relationships],
        labels=LABELS,
        figures={"all": ("sgo_granted", "all")}
        | {c: ("sgo_granted", b) for b, c in SHORT.items() if c in ["former", "other_carer", *relationships]},
        parts=[["former", "other_carer"], relationships],
    )


SPLITS = {"carer": ["carer:former_foster_carer", "carer:other_carer"], "relationship": [
    "relationship:relative_or_friend", "relationship:other"]}  # fmt: skip
SHORT = {
    "carer:former_foster_carer": "former",
    "carer:other_carer": "other_carer",
    "relationship:relative_or_friend": "relative",
    "relationship:other": "other_rel",
    "relationship:not_recorded": "not_recorded",
}


def carers_figure(s: SgoSection) -> charts.Figure:
    """Who became special guardians over the years shown: each split protected as parts of the total."""
    years = s.years
    first, last = years["first"].min(), years["date"].max()
    splits = {**SPLITS, "relationship": relationship_parts(int(years["relationship:not_recorded"].sum()))}
    totals = pl.DataFrame(
        {
            "breakdown": [b for pair in splits.values() for b in pair],
            "split": [k for k, pair in splits.items() for _ in pair],
        }
    ).with_columns(
        pl.col("breakdown").replace_strict(BREAKDOWN_LABEL).alias("label"),
        pl.col("breakdown")
        .replace_strict({b: int(years[b].sum()) for b in SHORT}, return_dtype=pl.Int64)
        .alias("sgos"),
    )
    # A span's total is the sum of its years, each a figure of the pack: where the pack hides a year of a split,
    # both of its bars are hidden (a shown bar and the other years would give the hidden year).
    year_specs = {b: (relations.rolling_name("sgo_granted"), b) for b in ["all", *SHORT]}
    year_flags = figures_hidden(years, year_specs)
    held = {k for k, pair in splits.items() if any(any(year_flags[b]) for b in pair)}
    all_held = any(year_flags["all"])
    shown = (
        pl.concat([protect(totals.filter(pl.col("split") == k), "sgos") for k in splits])
        .with_columns(
            pl.when(pl.col("split").is_in(list(held))).then(None).otherwise(pl.col("sgos")).alias("sgos"),
            pl.when(pl.col("split").is_in(list(held)))
            .then(pl.lit("c"))
            .otherwise(pl.col("sgos_label"))
            .alias("sgos_label"),
        )
        .with_columns(pl.col("sgos").fill_null(0).alias("_pos"))
    )
    y = alt.Y("label:N", sort=shown["label"].to_list(), title=None, axis=alt.Axis(labelLimit=320))
    base = alt.Chart(shown).encode(y=y)
    span = f"{long_month(first)} to {long_month(last)}"
    chart = alt.layer(
        base.mark_bar(color=charts.AUTHORITY).encode(x=alt.X("sgos:Q", title="SGOs")),
        base.mark_text(align="left", dx=4, fontSize=12).encode(x="_pos:Q", text="sgos_label:N"),
    ).properties(
        title=alt.Title(
            f"Who became special guardians, {span}",
            subtitle="Two ways of splitting the same orders: former foster carers or not; relatives or friends or not",
        ),
        width=charts.WIDTH - 200,
        height=28 * shown.height,
    )
    table = years.rename(SHORT)
    relationships = [SHORT[b] for b in splits["relationship"]]
    words = "; ".join(f"{lab} {n}" for lab, n in shown.select("label", "sgos_label").iter_rows())
    everyone = "c" if all_held else show_count(int(years["all"].sum()))
    return charts.Figure(
        chart,
        f"Bar chart of the {everyone} SGOs from {span} by who the special guardians were: {words}.",
        table.select("date", "all", "former", "other_carer", *relationships),
        caption="SGOs in each 12 months by who the special guardians are (each pair adds up to all SGOs)",
        counts=["all", "former", "other_carer", *relationships],
        labels=LABELS | {"date": "12 months to"},
        # each cell is a 12-month sum of the pack's monthly SGOs: a figure of the pack-wide decision
        figures={
            ("all" if b == "all" else SHORT[b]): spec
            for b, spec in year_specs.items()
            if b == "all" or SHORT[b] in ["former", "other_carer", *relationships]
        },
        parts=[["former", "other_carer"], relationships],
    )


def funnel_figure(s: SgoSection) -> charts.Figure:
    """Every plan for SGO at the furthest step it reached, with conversion and the plans lost at each step."""
    assert s.funnel is not None
    frame = s.funnel.with_columns(pl.col("step").replace_strict(STAGE_LABELS).alias("label"))
    before = pl.col("reached").shift(1)
    frame = frame.with_columns(
        pl.struct("conversion", "reached", before.alias("_before"))
        .map_elements(
            lambda r: pct_text(r["conversion"], r["reached"], r["_before"]).rstrip("%") if r["_before"] else "–",
            return_dtype=pl.String,
        )
        .alias("conversion")
    )
    table = row_protected_text(frame, ["open_here", "lost_here"])
    words = "; ".join(f"{lab} {show_count(n)}" for lab, n in frame.select("label", "reached").iter_rows())
    return charts.Figure(
        charts.bars(
            frame.select("label", "reached"),
            category="label",
            value="reached",
            title="From plan to order: how far every plan for SGO got",
            subtitle=f"Every plan in the tracker identified by {long_date(s.end)}, at the furthest step it reached",
            x_title="Plans",
        ),
        f"Funnel bar chart of plans for SGO by the furthest step reached: {words}.",
        table.select("label", "reached", "conversion", "open_here", "lost_here"),
        caption="The SGO funnel: plans reaching each step, and those still there or lost there",
        counts=["reached"],
        labels=LABELS | {"label": "Step"},
    )


def lost_table(s: SgoSection) -> dict:
    """Plans closed without an order, by the step they reached and the grouped reason, for `report.table`."""
    assert s.lost is not None
    order = {step: i for i, step in enumerate(FUNNEL)}
    frame = protect(s.lost, "children", by=["step"]).with_columns(
        pl.col("step").replace_strict(STAGE_LABELS),
        pl.col("step").replace_strict(order).alias("_o"),
    )
    shown = frame.sort("_o").select("step", "reason", pl.col("children_label").alias("children"))
    if shown.height == 0:
        shown = pl.DataFrame({"step": ["–"], "reason": ["No plan has been closed without an order"], "children": ["0"]})
    return {
        "frame": shown,
        "caption": "Plans for SGO closed without an order: where they stopped and why (the tracker's blocker, grouped)",
        "labels": LABELS | {"step": "Furthest step reached"},
    }


def plan_to_order_figure(s: SgoSection) -> charts.Figure:
    """Days from plan to order for orders made in each quarter: the four-quarter median, and the table."""
    assert s.quarters is not None
    frame = s.quarters
    chart = charts.simple_line(
        frame.drop_nulls("median_days_12m"),
        x="date",
        y="median_days_12m",
        title="Days from plan for SGO to the order",
        subtitle="Median over the orders made in the four quarters to each quarter end (shown for 5 orders or more)",
        x_title="Quarter end",
        y_title="Median days from plan to order",
    )
    return charts.Figure(
        chart,
        charts.describe_trend(
            frame, "median_days_12m", "the median days from plan to order over the four quarters to each quarter end"
        ),
        frame,
        caption="Orders made each quarter and the days from plan to order (medians shown for 5 orders or more)",
        counts=["orders", "orders_12m"],
        decimals={"median_days": 0, "median_days_12m": 0},
        labels=LABELS | {"date": "Quarter end"},
    )


def side_by_side_figure(s: SgoSection) -> charts.Figure:
    """SGOs in the 903 and orders in the tracker, 12 months to each month end, side by side."""
    assert s.side is not None
    rolling = s.side.drop_nulls("sgos_903_12m")
    specs = {"sgos_903_12m": SGO_12M, "orders_tracker_12m": TRACKER_12M}
    long = (
        mask_figures(rolling, specs)
        .select(
            "date",
            pl.col("sgos_903_12m").alias("903 return"),
            pl.col("orders_tracker_12m").alias("Permanence tracker"),
        )
        .unpivot(index="date", variable_name="source", value_name="sgos")
    )
    table = rolling.filter(pl.col("date").dt.month().is_in([3, 6, 9, 12])).select(
        "date", "sgos_903_12m", "orders_tracker_12m", "difference"
    )
    # The difference is hidden with either side: it and the other side would give the hidden one.
    flags = figures_hidden(table, specs)
    hide = [
        any(is_suppressed(v) if f is None else f for f, v in ((flags[c][r], table[c][r]) for c in specs))
        for r in range(table.height)
    ]
    table = table.with_columns(
        (pl.col("orders_tracker_12m") - pl.col("sgos_903_12m")).alias("difference"),
    ).with_columns(
        pl.struct("sgos_903_12m", "orders_tracker_12m", "difference", pl.Series("_hide", hide, dtype=pl.Boolean))
        .map_elements(
            lambda r: (
                "c"
                if r["_hide"]
                else ("–" if r["difference"] is None else f"{r['difference']:+d}" if r["difference"] else "0")
            ),
            return_dtype=pl.String,
        )
        .alias("difference")
    )
    x = alt.X("date:T", title="Month end", axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=8))
    colour = alt.Color(
        "source:N",
        scale=alt.Scale(domain=["903 return", "Permanence tracker"], range=[charts.AUTHORITY, "#E69F00"]),
        legend=alt.Legend(title=None, orient="top"),
    )
    dash = alt.StrokeDash(
        "source:N", scale=alt.Scale(domain=["903 return", "Permanence tracker"], range=[[1, 0], [6, 4]]), legend=None
    )
    chart = (
        alt.Chart(long)
        .mark_line(strokeWidth=2.5)
        .encode(x=x, y=alt.Y("sgos:Q", title="SGOs (rolling 12 months)", scale=alt.Scale(zero=True)), color=colour,
                strokeDash=dash)
        .properties(
            title=alt.Title(
                "SGOs in the 903 return and in the permanence tracker, 12 months to each month end",
                subtitle="The lines should lie on top of each other; a gap means one source is missing or late",
            ),
            width=charts.WIDTH,
            height=charts.HEIGHT,
        )
    )  # fmt: skip
    return charts.Figure(
        chart,
        charts.describe_trend(
            rolling,
            "sgos_903_12m",
            "SGOs in the 903 return, 12 months to each month end",
            count=True,
            figure=SGO_12M,
        )
        + " "
        + charts.describe_trend(
            rolling,
            "orders_tracker_12m",
            "orders made in the tracker over the same spans",
            count=True,
            figure=TRACKER_12M,
        ),
        table,
        caption="SGOs in the 903 and the tracker, 12 months to each quarter end",
        counts=["sgos_903_12m", "orders_tracker_12m"],
        labels=LABELS,
        figures=specs,
    )


def reconciliation_table(s: SgoSection) -> dict:
    """The SGO part of the tracker-against-903 check, for `report.table(**...)`."""
    assert s.reconciled is not None
    frame = s.reconciled.select(pl.col("status").replace_strict(reconciliation.STATUS_LABEL), "children")
    since = long_month(s.compared_from) if s.compared_from else long_month(s.end)
    return {
        "frame": frame,
        "caption": f"Tracker SGO orders against SGOs in the 903, child by child, {since} to {long_month(s.end)}",
        "protect": ["children"],
        "labels": LABELS,
    }


def _share_text(answer: str, share: float | None, known: int) -> str:
    if answer == "not_recorded" or known == 0:
        return "–"
    if share is None:
        return "c"
    return f"{(share if answer == 'yes' else 100 - share):.0f}"


def support_table(s: SgoSection) -> dict:
    """Support plans and allowances for the SGOs made in the last 12 months and since the tracker's first order,
    for `report.table(**...)`. Shares are shown only when neither the yes nor the no count is small."""
    assert s.support is not None and s.support_all is not None
    columns = {}
    for name, frame in [("recent", s.support), ("ever", s.support_all)]:
        share = support_share(frame)
        known = int(frame.filter(pl.col("answer") != "not_recorded")["children"].sum())
        columns[name] = frame["children"]
        columns[f"{name}_share"] = [_share_text(answer, share, known) for answer in frame["answer"]]
    table = pl.DataFrame({"answer": [SUPPORT_LABEL[a] for a in s.support["answer"]], **columns})
    first = s.pipeline.orders["order_date"].min() if s.pipeline is not None else None
    since = long_month(first) if first is not None else ""
    return {
        "frame": table,
        "caption": "Support for special guardians: SGOs recorded in the tracker",
        "protect": ["recent", "ever"],
        "labels": LABELS
        | {
            "recent": f"SGOs, 12 months to {long_month(s.end)}",
            "recent_share": "Share (%)",
            "ever": f"SGOs, {since} to {long_month(s.end)}" if since else "SGOs, all in the tracker",
            "ever_share": "Share (%)",
        },
    }
