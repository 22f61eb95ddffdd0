"""The review scorecard: each headline measure, its direction of travel, comparator and target.

Measures are data (`MEASURES`); values come from the same tidy metrics the sections write to
metrics.csv, so the scorecard can never disagree with the pages behind it. Whether a change is
good depends on the measure (`Metric.better` in `analysis.core.definitions`).

Every value shown is a figure of the pack (`figure_of`: a metric, breakdown and period of metrics.csv, or a
rolling 12-month sum the pack holds as a figure, `analysis.metrics.relations.summed_as`), hidden ("c") exactly
where the pack-wide decision hides it (`hides`). No direction or RAG status is worked out from a hidden figure:
"improving", "no real change" or "amber" would tell a reader where the hidden value lies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import polars as pl

from analysis.core.definitions import METRICS
from analysis.core.disclosure import SUPPRESSED, figure_hidden, is_suppressed, show_count
from analysis.core.periods import long_date, long_month, parse_period
from analysis.metrics import comparators
from analysis.metrics.relations import summed_as

Key = tuple[str, str, str]

#: RAG: within this share of the target on the wrong side is amber, beyond it red.
AMBER_MARGIN = 0.10


@dataclass(frozen=True)
class Measure:
    """One scorecard line: a metric (and breakdown), shown as its latest value or a 12-month sum."""

    metric: str
    label: str
    section: str
    breakdown: str = "all"
    rolling_12m: bool = False
    decimals: int = 0
    #: Use the latest figure on or before the review date (for measures that lag, such as re-entry
    #: within 12 months, which is only final a year later), and say which month it is.
    latest_available: bool = False
    #: With `latest_available`: the metric whose latest period on or before the review date is the one to show
    #: (re-entry: the latest complete cohort, a count written even when no child left, so the rate is then "not
    #: available" for that month rather than an older month's).
    anchor: str = ""


MEASURES: list[Measure] = [
    Measure("cla_rate_per_10k", "Children in care per 10,000 children", "Children in care"),
    Measure("cla_count", "Children in care", "Children in care"),
    # The DfE's annual counts of children (each child once), for the latest whole year to 31 March.
    Measure(
        "cla_started_year",
        "Children who started to be looked after in the year to 31 March",
        "Children in care",
        latest_available=True,
    ),
    Measure(
        "cla_ceased_year",
        "Children who ceased to be looked after in the year to 31 March",
        "Children in care",
        latest_available=True,
    ),
    Measure("care_order_discharges", "Full care orders discharged, last 12 months", "Discharges", rolling_12m=True),
    Measure(
        "reunification_reentry_12m_rate",
        "Children back in care within 12 months of going home",
        "Discharges",
        decimals=1,
        latest_available=True,
        anchor="reunification_reentry_12m_count",
    ),
    Measure("agency_rate", "Social workers from agencies (share of FTE)", "Workforce", decimals=1),
    Measure("vacancy_rate", "Social work vacancy rate", "Workforce", decimals=1),
    Measure("permanent_team_managers", "Permanent team managers", "Workforce"),
    Measure("caseload_over_threshold_share", "Case-holding social workers above the caseload threshold", "Workforce"),
    Measure("sgo_granted", "Special guardianship orders granted in the last 12 months", "SGO", rolling_12m=True),
    Measure(
        "same_worker_12m_share",
        "Children in care with the same social worker for the previous 12 months",
        "Stability",
        decimals=1,
    ),
]


def _as_date(period: pl.Expr) -> pl.Expr:
    """A metrics.csv period (ISO date, YYYY-MM for a monthly flow, or 2023/24 for a collection year) as the date it
    describes (a collection year ends on 31 March: 2023/24 is 31 March 2024)."""
    year = period.str.extract(r"^(\d{4})/\d{2}$").cast(pl.Int32, strict=False)
    return pl.coalesce(
        period.str.to_date("%Y-%m-%d", strict=False),
        (period + "-01").str.to_date("%Y-%m-%d", strict=False).dt.month_end(),
        pl.date(year + 1, 3, 31),
    )


def series(metrics: pl.DataFrame, measure: Measure) -> pl.DataFrame:
    """One row per date for a measure: date, value (a 12-month sum for rolling measures), period (as metrics.csv
    writes the figure's period; for a 12-month sum, its last month `YYYY-MM`).

    A rolling sum is the pack's 12-month metric where metrics.csv holds one (`relations.summed_as`), else the sum of
    the 12 months to each month, given only where the 12 months are all there: null if one of them is (a published
    pack's "c", read as missing). A value read back from a published pack is null where the pack showed "c".
    """
    summed = summed_as(measure.metric)
    direct = not measure.rolling_12m or summed in set(metrics["metric"].unique().to_list())
    source = summed if measure.rolling_12m and direct else measure.metric
    rows = (
        metrics.filter((pl.col("metric") == source) & (pl.col("breakdown") == measure.breakdown))
        .select(_as_date(pl.col("period")).alias("date"), pl.col("value").cast(pl.Float64, strict=False), "period")
        .sort("date")
    )
    if direct or rows.height == 0:
        return rows
    months = pl.date_range(rows["date"].min(), rows["date"].max(), "1mo", eager=True).dt.month_end()
    full = pl.DataFrame({"date": months}).join(rows, on="date", how="left")
    return (
        full.select(
            "date",
            pl.col("value").rolling_sum(12).alias("value"),
            pl.col("period").is_not_null().cast(pl.Int32).rolling_sum(12).alias("_months"),
            pl.col("date").dt.strftime("%Y-%m").alias("period"),
        )
        .filter(pl.col("_months") == 12)
        .drop("_months")
    )


def figure_of(measure: Measure, period: str) -> Key:
    """The pack figure behind a measure's value for `period` (as `series` writes it)."""
    metric = summed_as(measure.metric) if measure.rolling_12m else measure.metric
    return (metric, measure.breakdown, period)


def hides(key: Key | None, value: float | None, unit: str) -> bool:
    """Whether the pack shows this figure as "c": as the pack-wide decision says where the figure is one of the
    pack's (`disclosure.figure_hidden`), else a count from 1 to the threshold."""
    decided = figure_hidden(key)
    if decided is not None:
        return decided
    return unit == "count" and is_suppressed(value)


class Point(NamedTuple):
    """A measure's figure at one date: whether there is one, its value (None where a published pack hid it or
    there is no figure), and whether the pack hides it."""

    found: bool
    value: float | None
    hidden: bool


NOTHING = Point(False, None, False)


def point(
    frame: pl.DataFrame, measure: Measure, day: date | None, unit: str, latest: bool = False
) -> tuple[date | None, Point]:
    """The measure's figure at `day` (with `latest`, the latest date on or before it that has a row, its value
    given or not), and that date."""
    if day is None or frame.height == 0:
        return day, NOTHING
    rows = frame.filter((pl.col("date") <= day) if latest else (pl.col("date") == day))
    if rows.height == 0:
        return day, NOTHING
    row = rows.row(-1, named=True)
    value = row["value"]
    return row["date"], Point(True, value, value is not None and hides(figure_of(measure, row["period"]), value, unit))


def latest_on_or_before(frame: pl.DataFrame, day: date) -> tuple[date | None, float | None]:
    """The latest (date, value) on or before `day`, or (None, None)."""
    rows = frame.filter(pl.col("date") <= day).drop_nulls("value")
    return (rows["date"][-1], rows["value"][-1]) if rows.height else (None, None)


def value_on(frame: pl.DataFrame, day: date | None) -> float | None:
    """The value at exactly that date, or None."""
    if day is None:
        return None
    rows = frame.filter(pl.col("date") == day)
    return rows["value"][0] if rows.height else None


def tolerance(unit: str, before: float) -> float:
    """How big a change must be to count as a change: 1 point for rates and shares, 2% for counts (at least 1)."""
    if unit in {"percent", "per_10k"}:
        return 1.0
    return max(1.0, abs(before) * 0.02)


def direction(now: float | None, before: float | None, better: str, unit: str) -> tuple[str, str]:
    """(arrow, word) for the change from `before` to `now`.

    The arrow shows which way the number moved; the word says whether that is good for this
    measure: "improving" / "worse" when the good direction is known ("higher" or "lower"),
    "up" / "down" when it is not, "no real change" within `tolerance`, and "no earlier figure".
    """
    if now is None or before is None:
        return "–", "no earlier figure"
    change = now - before
    if abs(change) < tolerance(unit, before):
        return "→", "no real change"
    up = change > 0
    arrow = "↑" if up else "↓"
    if better == "neutral":
        return arrow, "up" if up else "down"
    return arrow, "improving" if up == (better == "higher") else "worse"


def target_for(targets: dict[str, float], period: str) -> tuple[str, float] | None:
    """The target that applies at the review period: the latest one set for a month on or before it."""
    due = sorted((p, v) for p, v in targets.items() if p <= period)
    return due[-1] if due else None


def rag(value: float | None, target: float | None, better: str) -> str:
    """Green when the target is met; amber when missed by no more than 10% of the target; red beyond.

    "Not rated" when there is no target, no value, or the measure has no good direction.
    """
    if value is None or target is None or better not in {"higher", "lower"}:
        return "Not rated"
    gap = (target - value) if better == "higher" else (value - target)
    if gap <= 0:
        return "Green"
    return "Amber" if gap <= abs(target) * AMBER_MARGIN else "Red"


def shown(value: float | None, unit: str, decimals: int = 0) -> str:
    """A value as the pack writes it: counts suppressed, shares with a % sign."""
    if value is None:
        return "–"
    if unit == "count":
        return show_count(value)
    text = f"{value:,.{decimals}f}"
    return f"{text}%" if unit == "percent" else text


def _comparator_text(points: pl.DataFrame, end: date, unit: str, decimals: int) -> str:
    parts = []
    for area, name in (("england", "England"), ("statistical_neighbours", "statistical neighbours")):
        found = comparators.latest(points, area, end)
        if found is not None:
            parts.append(f"{name} {shown(found['value'], unit, decimals)} ({long_date(found['date'])})")
    return "; ".join(parts) if parts else "no published comparator"


HIDDEN_DIRECTION = ("–", "not shown (a figure is hidden)")


def scorecard(
    metrics: pl.DataFrame,
    period: str,
    *,
    previous: pl.DataFrame | None = None,
    previous_period: str | None = None,
    comparator_table: pl.DataFrame | None = None,
    targets: dict[str, dict[str, float]] | None = None,
    measures: list[Measure] | None = None,
) -> pl.DataFrame:
    """One row per measure: the latest value, at the last review, a year ago, direction, comparator,
    target and RAG, and a sentence an advisor can read aloud.

    `previous` is the last review's metrics (its metrics.csv, "c" read as missing) for
    `previous_period`. The direction compares with the last review when there is one, else with a
    year ago; never with a figure the pack hides ("c"), and none is given when the latest figure is hidden. A
    measure with no figures says so ("not available") rather than being dropped.
    """
    end = parse_period(period)
    year_ago = pl.Series([end]).dt.offset_by("-1y").dt.month_end()[0]
    last_review = parse_period(previous_period) if previous_period else None
    rows = []
    for m in measures or MEASURES:
        spec = METRICS.get(m.metric)
        unit, better = (spec.unit, spec.better) if spec else ("count", "neutral")
        frame = series(metrics, m)
        at = end
        if m.latest_available:
            anchor = series(metrics, Measure(m.anchor, m.label, m.section, m.breakdown)) if m.anchor else frame
            at = point(anchor, m, end, unit, latest=True)[0] or end
        now = point(frame, m, at, unit)[1]
        lag = pl.Series([at]).dt.offset_by("-1y").dt.month_end()[0]
        past = series(previous, m) if previous is not None and last_review else None
        review = (
            point(past, m, last_review, unit, latest=m.latest_available)[1]
            if past is not None and last_review
            else NOTHING
        )
        if review.found and review.value is None:  # the last pack showed "c"
            review = Point(True, None, True)
        year = point(frame, m, lag if m.latest_available else year_ago, unit)[1]
        candidates = [("the last review", review), ("a year ago", year)]
        against, before = next(((w, p) for w, p in candidates if p.value is not None and not p.hidden), ("", NOTHING))
        if now.hidden or (before.value is None and any(p.hidden for _, p in candidates)):
            # no direction from a hidden figure: it would say where the hidden value lies
            arrow, word = HIDDEN_DIRECTION
        else:
            arrow, word = direction(now.value, before.value, better, unit)
        points = comparators.points(comparator_table, m.metric) if comparator_table is not None else None
        compare = _comparator_text(points, end, unit, m.decimals) if points is not None else "no published comparator"
        target = target_for((targets or {}).get(m.metric, {}), period)
        status = "Not rated" if now.hidden else rag(now.value, target[1] if target else None, better)
        rows.append(
            {
                "section": m.section,
                "measure": m.label,
                "latest": _text(now, unit, m.decimals),
                "last_review": _text(review, unit, m.decimals),
                "year_ago": _text(year, unit, m.decimals),
                "direction": f"{arrow} {word}",
                "comparator": compare,
                "target": f"{shown(target[1], unit, m.decimals)} by {long_month(parse_period(target[0]))}"
                if target
                else "no target set",
                "rag": status,
                "sentence": _sentence(m, now, before, against, word, compare, target, status, unit, at),
            }
        )
    return pl.DataFrame(rows)


def _text(found: Point, unit: str, decimals: int) -> str:
    """A figure as the scorecard writes it: "c" where the pack hides it, "–" where there is none."""
    if found.hidden:
        return SUPPRESSED
    if found.value is None:
        return "–"
    text = f"{found.value:,.{decimals}f}"
    return f"{text}%" if unit == "percent" else text


def _sentence(
    m: Measure,
    now: Point,
    before: Point,
    against: str,
    word: str,
    compare: str,
    target: tuple[str, float] | None,
    status: str,
    unit: str,
    end: date,
) -> str:
    if now.hidden:
        text = (
            f"{m.label}: c at {long_date(end)} (a small number, or one that would reveal a small number, is not "
            "shown, to protect children's privacy)."
        )
    elif now.value is None:
        return f"{m.label}: not available for {long_date(end)} (the input it needs is missing or has no figure)."
    else:
        text = f"{m.label}: {_text(now, unit, m.decimals)} at {long_date(end)}"
        if before.value is not None:
            text += f", {word} compared with {against} ({_text(before, unit, m.decimals)})"
        elif word == HIDDEN_DIRECTION[1]:
            text += " (the earlier figure is not shown, so no direction is given)"
        text += "."
    if compare != "no published comparator":
        text += f" Elsewhere: {compare}."
    if target:
        verdict = {"Green": "met", "Amber": "narrowly missed", "Red": "missed"}.get(status, "not rated")
        text += f" Target {shown(target[1], unit, m.decimals)} by {long_month(parse_period(target[0]))}: {verdict}."
    return text
