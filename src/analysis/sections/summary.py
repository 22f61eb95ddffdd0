"""The summary page: the scorecard the advisor reads first, other indicators, what changed since
the last review, and sparklines of each measure's trend."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from analysis.core.definitions import METRICS
from analysis.core.periods import long_month, parse_period
from analysis.load import provenance
from analysis.load.inputs import Inputs
from analysis.metrics import changes
from analysis.metrics.indicators import indicator_table
from analysis.metrics.scorecard import MEASURES, figure_of, hides, scorecard, series, shown
from analysis.sections import charts

SPARK_MONTHS = 24
#: Metric ids whose definitions the summary page lists.
DEFINED = [m.metric for m in MEASURES if m.metric in METRICS]


if TYPE_CHECKING:
    from analysis.sections.report import Block


@dataclass(frozen=True)
class Summary:
    """Everything the summary page shows for one review."""

    period: str
    scorecard: pl.DataFrame  # one row per measure
    indicators: pl.DataFrame | None  # one row per other indicator, or None without indicators.csv
    previous: changes.Pack | None
    moved: pl.DataFrame | None  # measures that moved most since the last review
    definitions_changed: list[str]
    inputs_changed: pl.DataFrame | None
    revisions: pl.DataFrame | None
    trends: pl.DataFrame  # long: measure, date, value (last 24 months)


def prepare(
    inputs: Inputs, period: str, metrics: pl.DataFrame, previous_pack: str = "", outputs_dir: str = ""
) -> Summary:
    """Compute the summary from the section metrics (`sections.all_metrics`) and the last pack.

    `previous_pack` names the last review's pack folder; when empty, the latest pack for an
    earlier period in `outputs_dir` is used; with neither, this is the first review.
    """
    found = (
        Path(previous_pack)
        if previous_pack
        else changes.find_previous_pack(outputs_dir, period)
        if outputs_dir
        else None
    )
    previous = changes.read_pack(found) if found else None
    card = scorecard(
        metrics,
        period,
        previous=previous.metrics if previous else None,
        previous_period=previous.period if previous else None,
        comparator_table=inputs.comparators,
        targets=inputs.authority.targets,
    )
    hashes = provenance.input_hashes(inputs.folder, inputs.files)
    return Summary(
        period=period,
        scorecard=card,
        indicators=indicator_table(inputs.indicators, period) if inputs.indicators is not None else None,
        previous=previous,
        moved=changes.moved_most(metrics, period, previous) if previous else None,
        definitions_changed=changes.definition_changes(previous, provenance.definition_hashes()) if previous else [],
        inputs_changed=changes.input_changes(previous, hashes) if previous else None,
        revisions=changes.revisions(previous, metrics) if previous else None,
        trends=trends(metrics, period),
    )


def trends(metrics: pl.DataFrame, period: str, months: int = SPARK_MONTHS) -> pl.DataFrame:
    """Long frame for the sparklines: measure, date, value over the last `months` months.

    A figure the pack hides ("c": the pack-wide decision, `scorecard.hides`) is not drawn (null), as everywhere in
    the pack: a rolling 12-month sum is a figure of its own, linked to its months.
    """
    end = parse_period(period)
    start = pl.Series([end]).dt.offset_by(f"-{months - 1}mo").dt.month_start()[0]
    frames = []
    for m in MEASURES:
        unit = METRICS[m.metric].unit if m.metric in METRICS else "count"
        frame = series(metrics, m).filter(pl.col("date").is_between(start, end))
        if frame.height:
            hide = [hides(figure_of(m, p), v, unit) for p, v in frame.select("period", "value").iter_rows()]
            frame = frame.select(
                "date",
                pl.when(pl.Series(hide, dtype=pl.Boolean)).then(None).otherwise(pl.col("value")).alias("value"),
                pl.lit(m.label).alias("measure"),
            )
            frames.append(frame)
    if not frames:
        return pl.DataFrame(schema={"date": pl.Date, "value": pl.Float64, "measure": pl.String})
    return pl.concat(frames)


def headlines(summary: Summary) -> list[str]:
    """Up to five sentences: how many measures improved or worsened, the RAG count, the biggest mover."""
    card = summary.scorecard
    available = card.filter(pl.col("latest") != "–")
    improving = available.filter(pl.col("direction").str.ends_with("improving")).height
    worse = available.filter(pl.col("direction").str.ends_with("worse")).height
    against = "the last review" if summary.previous else "a year earlier"
    sentences = [
        f"Of the {available.height} measures with figures for {long_month(parse_period(summary.period))}, "
        f"{improving} improved and {worse} got worse compared with {against}."
    ]
    rated = available.filter(pl.col("rag") != "Not rated")
    if rated.height:
        counts = {k: rated.filter(pl.col("rag") == k).height for k in ("Green", "Amber", "Red")}
        sentences.append(
            f"Against the targets set at review: {counts['Green']} met (green), {counts['Amber']} narrowly missed "
            f"(amber) and {counts['Red']} missed (red)."
        )
    if summary.moved is not None and summary.moved.height:
        top = summary.moved.row(0, named=True)
        unit = METRICS[top["metric"]].unit
        sentences.append(
            f"The biggest move since the last review ({long_month(parse_period(summary.previous.period))}) was in "
            f"'{top['measure'].lower()}': from {shown(top['then'], unit, 1)} to {shown(top['now'], unit, 1)}."
        )
    elif summary.previous is None:
        sentences.append(
            "This is the first review in this outputs folder, so there is no earlier pack to compare with."
        )
    missing = card.filter(pl.col("latest") == "–")
    if missing.height:
        sentences.append(
            f"{missing.height} measure{'s are' if missing.height != 1 else ' is'} not available because "
            "the data it needs is not in this review's inputs."
        )
    return sentences[:5]


def scorecard_frame(summary: Summary) -> pl.DataFrame:
    """The scorecard with plain column names, ready to show."""
    return summary.scorecard.select(
        pl.col("measure").alias("Measure"),
        pl.col("latest").alias("Latest"),
        pl.col("last_review").alias("At the last review"),
        pl.col("year_ago").alias("A year ago"),
        pl.col("direction").alias("Direction"),
        pl.col("comparator").alias("England and similar areas"),
        pl.col("target").alias("Target"),
        pl.col("rag").alias("Status"),
    )


def sparklines_figure(summary: Summary) -> charts.Figure:
    """The 24-month trend of each measure as small multiples."""
    order = [m.label for m in MEASURES if m.label in set(summary.trends["measure"])]
    latest = summary.trends.sort("date").group_by("measure", maintain_order=True).last()
    decimals = {m.label: m.decimals for m in MEASURES}
    alt_text = "Small line charts of the last 24 months for each measure. " + "; ".join(
        f"{row['measure']}: latest {row['value']:,.{decimals.get(row['measure'], 1)}f}"
        if row["value"] is not None
        else f"{row['measure']}: latest c"
        for row in latest.iter_rows(named=True)
    )  # the displayed text: "c" where the pack hides the figure (it is not drawn either)
    return charts.Figure(
        charts.sparklines(summary.trends, title="The last 24 months, measure by measure", order=order), alt_text
    )


def moved_frame(summary: Summary) -> pl.DataFrame:
    """Measures that moved most, with values written as the pack writes them."""
    assert summary.moved is not None
    return summary.moved.select(
        pl.col("measure").alias("Measure"),
        pl.struct("metric", "then")
        .map_elements(lambda r: shown(r["then"], METRICS[r["metric"]].unit, 1), return_dtype=pl.String)
        .alias("At the last review"),
        pl.struct("metric", "now")
        .map_elements(lambda r: shown(r["now"], METRICS[r["metric"]].unit, 1), return_dtype=pl.String)
        .alias("Now"),
        pl.col("change_pct").round(1).alias("Change (%)"),
    )


def revisions_frame(summary: Summary) -> pl.DataFrame:
    """Revisions to earlier months, with counts suppressed."""
    assert summary.revisions is not None
    rows = [
        {
            "Measure": METRICS[r["metric"]].label if r["metric"] in METRICS else r["metric"],
            "Breakdown": r["breakdown"],
            "Periods revised": r["periods_revised"],
            "Largest revision at": r["largest_at"],
            "Was": _shown(r["metric"], r["was"]),
            "Now": _shown(r["metric"], r["now"]),
        }
        for r in summary.revisions.iter_rows(named=True)
    ]
    return pl.DataFrame(rows, schema={c: pl.Int64 if c == "Periods revised" else pl.String for c in REVISION_COLUMNS})


REVISION_COLUMNS = ["Measure", "Breakdown", "Periods revised", "Largest revision at", "Was", "Now"]


def _shown(metric: str, value: float | None) -> str:
    return shown(value, METRICS[metric].unit if metric in METRICS else "count", 1)


def changes_html(summary: Summary) -> Block:
    """The "what changed since the last review" block: movers, changed definitions and inputs, revisions
    (its HTML, and its tables for tables.xlsx)."""
    from analysis.sections.report import Block, table_parts

    records: list[dict] = []

    def table_html(frame: pl.DataFrame, **kwargs: object) -> str:
        body, record = table_parts(frame, **kwargs)  # type: ignore[arg-type]
        records.append(record)
        return body

    if summary.previous is None:
        return Block(
            "<p>This is the first review in this outputs folder: there is no earlier pack to compare with. "
            "The next pack will show what changed.</p>"
        )
    prev = long_month(parse_period(summary.previous.period))
    parts = [f"<p>Compared with the pack for {prev}, built {summary.previous.manifest.get('built_at', '')[:10]}.</p>"]
    if summary.moved is not None and summary.moved.height:
        parts.append(
            table_html(moved_frame(summary), caption="The measures that moved most", decimals={"Change (%)": 1})
        )
    if summary.definitions_changed:
        names = ", ".join(METRICS[m].label for m in summary.definitions_changed if m in METRICS)
        parts.append(
            f"<p><strong>Definitions changed or added since the last pack:</strong> {names}. "
            "Compare these figures with care.</p>"
        )
    else:
        parts.append("<p>No measure changed its definition since the last pack.</p>")
    if summary.inputs_changed is not None and summary.inputs_changed.height:
        parts.append(
            table_html(
                summary.inputs_changed.rename({"file": "Input file", "change": "Change"}),
                caption="Input files that changed since the last pack",
            )
        )
    else:
        parts.append("<p>The input files are the same as for the last pack.</p>")
    if summary.revisions is not None and summary.revisions.height:
        parts.append(
            "<p>Some figures for months both packs cover have changed, usually because events were recorded late "
            "in the case management system:</p>"
        )
        parts.append(table_html(revisions_frame(summary), caption="Revised figures for earlier months"))
    else:
        parts.append("<p>No figure for an earlier month was revised.</p>")
    return Block("\n".join(parts), tuple(records))
