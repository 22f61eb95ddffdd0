"""Altair charts for the pack: rendered as SVG in the kernel, so the HTML needs no network.

Each chart has a plain-English title and axis labels, direct labels instead of a legend where
the lines are few, and comparator lines drawn dashed. A chart never draws a suppressed count
(1 to the disclosure threshold): mask them first with `analysis.core.disclosure.mask_small`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import altair as alt
import polars as pl

#: Colour-blind-safe palette (Okabe-Ito), the authority first.
AUTHORITY = "#0072B2"
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
COMPARATOR_COLOURS = {
    "england": "#505a5f",
    "statistical_neighbours": "#D55E00",
    "region": "#009E73",
}
FONT = "Arial, Helvetica, sans-serif"
WIDTH, HEIGHT = 640, 260


@dataclass(frozen=True)
class Figure:
    """A chart with its text alternative and the table of figures behind it."""

    chart: alt.TopLevelMixin
    alt: str
    data: pl.DataFrame | None = None
    caption: str = ""
    counts: Sequence[str] = ()
    protect: Sequence[str] = ()
    decimals: dict[str, int] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    #: rolling 12-month column -> the monthly column it sums (both shown: protected together)
    rolling: dict[str, str] = field(default_factory=dict)
    #: column -> the pack figure in each of its cells (`disclosure.FigureSpec`): hidden where the pack hides it
    figures: dict[str, object] = field(default_factory=dict)
    #: groups of count columns adding up, row by row, to a total shown elsewhere (`report.table_cells`)
    parts: Sequence[Sequence[str]] = ()


def setup() -> None:
    """Render every chart as SVG (vl-convert, offline) with the pack's house style."""
    alt.renderers.enable("svg")
    alt.data_transformers.disable_max_rows()

    @alt.theme.register("review_pack", enable=True)
    def _theme() -> alt.theme.ThemeConfig:
        return {
            "config": {
                "font": FONT,
                "view": {"stroke": None, "continuousWidth": WIDTH, "continuousHeight": HEIGHT},
                "title": {
                    "fontSize": 16,
                    "anchor": "start",
                    "color": "#0b0c0c",
                    "subtitleColor": "#505a5f",
                    "subtitleFontSize": 13,
                },
                "axis": {
                    "labelFontSize": 12,
                    "titleFontSize": 13,
                    "labelColor": "#0b0c0c",
                    "titleColor": "#0b0c0c",
                    "gridColor": "#e5e5e5",
                },
                "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"},
                "range": {"category": PALETTE},
            }
        }


def line_with_comparators(
    series: pl.DataFrame,
    comparators: pl.DataFrame | None,
    *,
    value: str,
    title: str,
    subtitle: str,
    y_title: str,
    authority: str,
) -> alt.LayerChart:
    """The authority's monthly line, with published comparators as labelled dashed step lines.

    `series` has `date` and `value` columns; `comparators` (optional) has `date`, `area`,
    `area_label` and `value` (one row per published figure, see `analysis.metrics.comparators.points`).
    Each line is labelled at its last point.
    """
    main = series.select("date", pl.col(value).alias("value")).with_columns(pl.lit(authority).alias("who"))
    x = alt.X("date:T", title="Month end", axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=8))
    y = alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=True))
    base_line = alt.Chart(main).mark_line(color=AUTHORITY, strokeWidth=3).encode(x=x, y=y)
    layers: list[alt.Chart] = [base_line]
    labels = [main.sort("date").tail(1)]
    domain, colours = [authority], [AUTHORITY]
    if comparators is not None and comparators.height:
        comp = comparators.select("date", "area_label", "value").sort("date")
        shown = comparators.select("area", "area_label").unique(maintain_order=True)
        domain += shown["area_label"].to_list()
        colours += [COMPARATOR_COLOURS.get(a, "#000000") for a in shown["area"]]
        held = held_segments(comp, main["date"].min(), main["date"].max())
        comp = comp.filter(pl.col("date").is_between(main["date"].min(), main["date"].max()))
        colour = alt.Color("area_label:N", scale=alt.Scale(domain=domain[1:], range=colours[1:]), legend=None)
        layers.append(
            alt.Chart(held)
            .mark_line(strokeDash=[6, 4], strokeWidth=2)
            .encode(x=x, y=y, color=colour, detail="segment:N")
        )
        layers.append(alt.Chart(comp).mark_point(filled=True, size=40).encode(x=x, y=y, color=colour))
        labels.append(
            held.group_by("area_label")
            .agg(pl.all().sort_by("date").last())
            .rename({"area_label": "who"})
            .select("date", "value", "who")
        )
    label_frame = pl.concat([frame.select("date", "value", "who") for frame in labels])
    layers.append(
        alt.Chart(label_frame)
        .mark_text(align="left", dx=6, fontSize=12, fontWeight="bold")
        .encode(
            x=x,
            y=y,
            text="who:N",
            color=alt.Color("who:N", scale=alt.Scale(domain=domain, range=colours), legend=None),
        )
    )
    return (
        alt.layer(*layers)
        .resolve_scale(color="independent")
        .properties(
            title=alt.Title(title, subtitle=subtitle),
            width=WIDTH,
            height=HEIGHT,
            padding={"left": 5, "top": 5, "right": 170, "bottom": 5},
        )
    )


def held_segments(points: pl.DataFrame, start: date, end: date, hold_months: int = 12) -> pl.DataFrame:
    """Each published figure drawn flat from its date until the next one, for at most `hold_months`.

    One row per segment end (two per segment): segment, area_label, date, value. A figure is
    not carried forward beyond a year, so an old comparator never looks current. Segments are
    clipped to the chart's span; segments wholly outside it are dropped.
    """
    ordered = points.sort("area_label", "date").with_columns(
        pl.col("date").shift(-1).over("area_label").alias("_next"),
        pl.col("date").dt.offset_by(f"{hold_months}mo").alias("_limit"),
    )
    segments = (
        ordered.with_columns(
            pl.max_horizontal(pl.col("date"), pl.lit(start)).alias("from"),
            pl.min_horizontal(pl.col("_next").fill_null(pl.col("_limit")), pl.col("_limit"), pl.lit(end)).alias("to"),
        )
        .filter(pl.col("from") <= pl.col("to"))
        .with_row_index("segment")
    )
    return pl.concat(
        [
            segments.select("segment", "area_label", pl.col("from").alias("date"), "value"),
            segments.select("segment", "area_label", pl.col("to").alias("date"), "value"),
        ]
    ).sort("segment", "date")


def simple_line(
    frame: pl.DataFrame,
    *,
    x: str,
    y: str,
    title: str,
    x_title: str,
    y_title: str,
    subtitle: str = "",
) -> alt.Chart:
    """A single labelled line over months."""
    return (
        alt.Chart(frame)
        .mark_line(color=AUTHORITY, strokeWidth=3, point=True)
        .encode(
            x=alt.X(f"{x}:T", title=x_title, axis=alt.Axis(format="%b %Y", labelAngle=0)),
            y=alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(zero=True)),
        )
        .properties(title=alt.Title(title, subtitle=subtitle), width=WIDTH, height=HEIGHT)
    )


def describe_trend(
    frame: pl.DataFrame, value: str, what: str, *, decimals: int = 0, count: bool = False, figure: object = None
) -> str:
    """A text alternative for a line chart: the span, the first and latest values, and the direction.

    Example: "Line chart of children in care per 10,000 children at each month end from April 2021
    to March 2024. It rose from 95 to 105; the latest value is 105."

    Values are written as the pack shows them: "c" where hidden (with `figure`, the pack figure of each row,
    `disclosure.FigureSpec`, as the pack-wide decision hides it; else a count from 1 to the threshold), and no
    direction is given from a hidden value.
    """
    from analysis.core import disclosure
    from analysis.core.periods import long_month

    rows = frame.drop_nulls(value).sort("date")
    if rows.height == 0:
        return f"Chart of {what}: no figures to show."
    ends = pl.concat([rows.head(1), rows.tail(1)])
    flags = disclosure.figures_hidden(ends, {value: figure})[value] if figure is not None else [None, None]
    first, last = ends.row(0, named=True), ends.row(1, named=True)
    a, b = round(first[value], decimals), round(last[value], decimals)
    hidden = [
        disclosure.is_suppressed(v) if f is None and count else bool(f) for f, v in zip(flags, (a, b), strict=True)
    ]
    span = f"from {long_month(first['date'])} to {long_month(last['date'])}"

    def fmt(v: float, hide: bool) -> str:
        return disclosure.SUPPRESSED if hide else f"{round(v):,}" if count else f"{v:,.{decimals}f}"

    if any(hidden):
        return (
            f"Line chart of {what} {span}. The first value is {fmt(a, hidden[0])}; the latest is {fmt(b, hidden[1])}."
        )
    move = "rose" if b > a else "fell" if b < a else "stayed level"
    a_text, b_text = fmt(a, False), fmt(b, False)
    return f"Line chart of {what} {span}. It {move} from {a_text} to {b_text}; the latest value is {b_text}."


def lines(
    frame: pl.DataFrame,
    *,
    value: str,
    series: str,
    title: str,
    y_title: str,
    subtitle: str = "",
    order: list[str] | None = None,
) -> alt.LayerChart:
    """Several lines over month ends (long frame: date, `series`, `value`), each labelled at its end.

    Small counts must already be masked (`disclosure.mask_small`): they are not drawn.
    """
    order = order or frame[series].unique(maintain_order=True).to_list()
    colour = alt.Color(f"{series}:N", scale=alt.Scale(domain=order, range=PALETTE[: len(order)]), legend=None)
    x = alt.X("date:T", title="Month end", axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=8))
    y = alt.Y(f"{value}:Q", title=y_title, scale=alt.Scale(zero=True))
    base = alt.Chart(frame).encode(x=x, y=y, color=colour)
    last = frame.drop_nulls(value).sort("date").group_by(series, maintain_order=True).last()
    top = frame[value].max() or 1
    last = spread_labels(last, value, gap=top * 0.06)
    labels = (
        alt.Chart(last)
        .mark_text(align="left", dx=6, fontSize=12, fontWeight="bold")
        .encode(x=x, y=alt.Y("label_y:Q", scale=alt.Scale(zero=True)), color=colour, text=f"{series}:N")
    )
    return alt.layer(base.mark_line(strokeWidth=2.5), labels).properties(
        title=alt.Title(title, subtitle=subtitle),
        width=WIDTH,
        height=HEIGHT,
        padding={"left": 5, "top": 5, "right": 260, "bottom": 5},
    )


def bars(
    frame: pl.DataFrame,
    *,
    category: str,
    value: str,
    title: str,
    x_title: str,
    subtitle: str = "",
    figure: object = None,
) -> alt.LayerChart:
    """Horizontal bars in the frame's order, each labelled with its count.

    The bars are parts of a whole, so primary and secondary suppression apply
    (`disclosure.protect`): a hidden count is not drawn and is labelled "c". `figure`: the pack figure of
    each bar (`disclosure.FigureSpec`), hidden where the pack-wide decision hides it.
    """
    from analysis.core.disclosure import protect

    shown = protect(frame, value, figure=figure).with_columns(
        pl.col(f"{value}_label").alias("_label"),
        pl.col(value).fill_null(0).alias("_pos"),
    )
    y = alt.Y(f"{category}:N", sort=frame[category].to_list(), title=None, axis=alt.Axis(labelLimit=320))
    base = alt.Chart(shown).encode(y=y)
    return alt.layer(
        base.mark_bar(color=AUTHORITY).encode(x=alt.X(f"{value}:Q", title=x_title)),
        base.mark_text(align="left", dx=4, fontSize=12).encode(x="_pos:Q", text="_label:N"),
    ).properties(title=alt.Title(title, subtitle=subtitle), width=WIDTH - 200, height=max(60, 28 * frame.height))


def sparklines(frame: pl.DataFrame, *, title: str, order: list[str]) -> alt.FacetChart:
    """Small multiples: one tiny line per measure (long frame: measure, date, value), each with its own scale.

    Each row is labelled with the measure; the last value is marked with a dot.
    """
    base = alt.Chart(frame).encode(
        x=alt.X("date:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=4, grid=False)),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False), axis=alt.Axis(tickCount=2, grid=False)),
    )
    last = base.transform_window(rank="rank()", sort=[alt.SortField("date", order="descending")], groupby=["measure"])
    layered = alt.layer(
        base.mark_line(color=AUTHORITY, strokeWidth=2),
        last.transform_filter(alt.datum.rank == 1).mark_point(color=AUTHORITY, filled=True, size=30),
    ).properties(width=360, height=42)
    return (
        layered.facet(
            row=alt.Row(
                "measure:N",
                sort=order,
                title=None,
                header=alt.Header(labelAngle=0, labelAlign="left", labelFontSize=12, labelLimit=330, labelPadding=8),
            )
        )
        .resolve_scale(y="independent")
        .properties(title=alt.Title(title))
        .configure_view(stroke=None)
        .configure_facet(spacing=6)
    )


def spread_labels(frame: pl.DataFrame, value: str, gap: float) -> pl.DataFrame:
    """Add `label_y`: the values moved apart, upwards, so that end-of-line labels are at least `gap` apart."""
    ordered = frame.sort(value)
    positions: list[float] = []
    for v in ordered[value].to_list():
        positions.append(v if not positions else max(v, positions[-1] + gap))
    return ordered.with_columns(pl.Series("label_y", positions, dtype=pl.Float64))
