"""The SGO pipeline section: from "plan for SGO" to an order, SGOs granted in the 903 and in the
tracker side by side, and support for new special guardians.

`prepare` computes every frame once; the notebook charts and tabulates them (`sgo_figures`),
`headlines` turns them into sentences and `section_metrics` into metrics.csv rows. The 903 parts
need only the 903; everything from the tracker is None without `permanence.csv`.
Definitions: `analysis.metrics.sgo`, `analysis.metrics.permanence`, `analysis.metrics.reconciliation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from analysis.core.disclosure import FigureSpec, protect, show_count, show_figure
from analysis.core.periods import long_month, parse_period, shift_months
from analysis.load.inputs import Inputs
from analysis.load.ssda903 import coverage_start
from analysis.metrics import discharges, reconciliation, relations, sgo
from analysis.metrics.care_periods import periods_of_care
from analysis.metrics.permanence import FUNNEL, STUCK_DAYS, funnel, labels, lost_reasons
from analysis.metrics.permanence_ageing import plan_to_order_by_quarter
from analysis.metrics.permanence_applications import monthly_orders
from analysis.metrics.tidy import combine, tidy
from analysis.sections.headlines import change_words
from analysis.sections.pipeline_section import (
    Pipeline,
    applications_sentence,
    pipeline_metrics,
    pipeline_sentence,
    prepare_pipeline,
    stage_metrics,
    stuck_sentence,
)
from analysis.sections.small_counts import pct_text, rate_shown

MONTHS = 60
ROUTE = "special_guardianship_order"
FILE_NEEDED = "the permanence tracker (permanence.csv)"
DAY = timedelta(days=1)


@dataclass(frozen=True)
class SgoSection:
    """The section's figures for one review period."""

    end: date
    start: date | None  # the returns' coverage start
    monthly: pl.DataFrame  # one row per (month end, breakdown): SGOs in the 903, and the rolling 12 months
    year: pl.DataFrame  # one row per breakdown: SGOs in the 12 months to `end` and the 12 before
    years: pl.DataFrame  # one row per 12-month span to `end` (up to five): SGOs by breakdown
    pipeline: Pipeline | None  # the SGO tracker pipeline; None without a tracker
    funnel: pl.DataFrame | None  # one row per funnel step
    lost: pl.DataFrame | None  # one row per (furthest step, reason group) for plans closed without an order
    quarters: pl.DataFrame | None  # one row per quarter: orders and days from plan to order
    side: pl.DataFrame | None  # one row per month: SGOs in the 903 and orders in the tracker
    reconciled: pl.DataFrame | None  # one row per status: SGO children, tracker against 903
    support: pl.DataFrame | None  # one row per support answer, SGOs made in the 12 months to `end`
    support_all: pl.DataFrame | None  # the same for every SGO the tracker records up to `end`
    compared_from: date | None  # the first day the SGO route is compared


def missing_tracker(inputs: Inputs) -> str | None:
    """What the tracker parts still need, in words for `report.missing`, or None when they can be shown."""
    return FILE_NEEDED if inputs.permanence is None else None


def prepare(inputs: Inputs, period: str, *, stuck_days: int = STUCK_DAYS, months: int = MONTHS) -> SgoSection:
    """Compute every figure of the section for the review period."""
    end = parse_period(period)
    start = coverage_start(inputs.episodes)
    periods = periods_of_care(inputs.episodes)
    exits = sgo.sgo_exits(periods)
    monthly = sgo.monthly_sgos(exits, end, months, start)
    year = _year(exits, end)
    years = sgo.sgos_by_year(exits, end, start)
    tracker = inputs.permanence
    if tracker is None:
        return SgoSection(end, start, monthly, year, years, None, None, None, None, None, None, None, None, None)
    pipeline = prepare_pipeline(tracker, ROUTE, end, threshold=stuck_days, months=months, start=start)
    tracked_from = tracker.filter(pl.col("route") == ROUTE)["identified_date"].min()
    detail = reconciliation.reconcile(
        reconciliation.tracker_orders(tracker), reconciliation.comparable_exits(discharges.order_exits(periods))
    )
    starts = reconciliation.tracking_starts(tracker, start)
    window = reconciliation.in_window(detail, starts, end).filter(pl.col("route") == ROUTE)
    counts = reconciliation.counts(window).filter(pl.col("route") == ROUTE)
    first = max(d for d in (start, tracked_from) if d is not None) if (start or tracked_from) else None
    side = sgo.side_by_side(monthly, monthly_orders(pipeline.orders, end, months, first))
    return SgoSection(
        end=end,
        start=start,
        monthly=monthly,
        year=year,
        years=years,
        pipeline=pipeline,
        funnel=funnel(pipeline.status),
        lost=lost_reasons(pipeline.status),
        quarters=plan_to_order_by_quarter(pipeline.orders, end),
        side=side,
        reconciled=counts,
        support=sgo.support_plans(pipeline.orders, shift_months(end, -12) + DAY, end),
        support_all=sgo.support_plans(pipeline.orders, pipeline.orders["order_date"].min() or end, end),
        compared_from=starts.get(ROUTE),
    )


def _year(exits: pl.DataFrame, end: date) -> pl.DataFrame:
    """One row per breakdown: SGOs in the 12 months to `end` (sgos) and in the 12 before (sgos_before)."""
    rows = []
    spans = {
        "sgos": (shift_months(end, -12) + DAY, end),
        "sgos_before": (shift_months(end, -24) + DAY, shift_months(end, -12)),
    }
    for breakdown in sgo.BREAKDOWNS:
        row: dict = {"breakdown": breakdown, "label": sgo.BREAKDOWN_LABEL[breakdown]}
        for column, (first, last) in spans.items():
            frame = exits.filter(pl.col("end").is_between(first, last))
            if breakdown != "all":
                key, value = breakdown.split(":")
                frame = frame.filter(pl.col(key) == value)
            row[column] = frame.height
        rows.append(row)
    return pl.DataFrame(rows)


# --- Words ----------------------------------------------------------------------------------------


def split_words(frame: pl.DataFrame, value: str, end: date | None = None) -> str:
    """'5 to former foster carers and c to other carers; …': each pair adds up to the total, so each is
    protected as parts of it; a pair whose parts are all hidden is left out of the words. With `end`, the values
    are the 12 months to `end`, pack figures (`relations.YEARLY_ROLLING`) hidden as the pack-wide decision says."""
    parts = []
    legacy = frame.filter(pl.col("breakdown") == "relationship:not_recorded")[value].sum()
    for key in ("carer", "relationship"):
        split = frame.filter(pl.col("breakdown").str.starts_with(key + ":"))
        if key == "relationship":  # "not recorded" only for legacy codes (never a hidden zero: `relations`)
            split = split.filter(pl.col("breakdown").is_in(sgo.relationship_parts(legacy)))
        pair = protect(split, value, figure=_yearly(end))
        if pair[value].null_count() == pair.height:
            continue
        words = [
            f"{n} {label[0].lower() + label[1:]}" for label, n in pair.select("label", f"{value}_label").iter_rows()
        ]
        parts.append(" and ".join(words))
    return "; ".join(parts)


def _yearly(end: date | None) -> FigureSpec | None:
    """A row's 12-month SGO count to `end` by its breakdown, as the pack figure it is (None without `end`)."""
    if end is None:
        return None
    period = f"{end:%Y-%m}"
    return lambda row: (relations.rolling_name("sgo_granted"), row["breakdown"], period)


def support_share(support: pl.DataFrame | None) -> float | None:
    """The share of new special guardians with a support plan or allowance, of those with an answer, from a
    `sgo.support_plans` frame; None when there is no answer or when the yes or the no count is small."""
    if support is None:
        return None
    answers = dict(support.select("answer", "children").iter_rows())
    yes, no = answers["yes"], answers["no"]
    if yes + no == 0 or not (rate_shown(yes, yes + no) and rate_shown(no, yes + no)):
        return None
    return yes / (yes + no) * 100


def span_words(s: SgoSection) -> str:
    """Who became special guardians over every year shown, as a sentence (each pair protected)."""
    total = int(s.years["all"].sum())
    first, last = s.years["first"].min(), s.years["date"].max()
    if not total:
        return ""
    parts = []
    for key, label in [
        ("carer:former_foster_carer", "former foster carers"),
        ("relationship:relative_or_friend", "relatives or friends"),
    ]:
        other = key.split(":")[0] + (":other_carer" if key.startswith("carer") else ":other")
        pair = protect(
            pl.DataFrame({"b": [key, other], "n": [int(s.years[key].sum()), int(s.years[other].sum())]}), "n"
        )
        parts.append(f"{pair['n_label'][0]} to {label}")
    return (
        f"From {long_month(first)} to {long_month(last)}, {show_count(total)} SGOs were granted: "
        + " and ".join(parts)
        + "."
    )  # fmt: skip


def funnel_sentence(s: SgoSection) -> str:
    """How many plans ended in an order, and the commonest reason plans were lost."""
    assert s.funnel is not None and s.lost is not None
    reached = dict(s.funnel.select("step", "reached").iter_rows())
    plans, made = reached[FUNNEL[0]], reached["order_made"]
    lost = int(s.funnel["lost_here"].sum())
    share = f" ({pct_text(made / plans * 100, made, plans)})" if made else ""
    text = (
        f"Of the {show_count(plans)} plans for SGO in the tracker, {show_count(made)} have ended in an order{share} "
        f"and {show_count(lost)} were closed without one"
    )
    reasons = (
        s.lost.group_by("reason").agg(pl.col("children").sum()).sort("children", "reason", descending=[True, False])
    )
    if reasons.height:
        top = reasons.row(0, named=True)
        text += f", most often because of '{top['reason'].lower()}' ({show_count(top['children'])})"
    return text + "."


def tracker_sentence(s: SgoSection) -> str:
    """The 903 and the tracker side by side for the last 12 months, and support for new guardians."""
    assert s.side is not None and s.reconciled is not None and s.support is not None
    assert s.pipeline is not None
    tracker = s.pipeline.orders.filter(pl.col("order_date") > shift_months(s.end, -12)).height
    in_903 = s.year.filter(pl.col("breakdown") == "all")["sgos"].item()
    text = (
        f"In the 12 months to {long_month(s.end)} the tracker records {show_count(tracker)} orders made against "
        f"{show_count(in_903)} SGOs in the 903"
    )
    wrong = int(s.reconciled.filter(pl.col("status") != "matched")["children"].sum())
    if s.compared_from is not None:
        text += (
            f"; since {long_month(s.compared_from)} they disagree about {show_count(wrong)} "
            f"{'child' if wrong == 1 else 'children'}"
        )
    recent, ever = support_share(s.support), support_share(s.support_all)
    if recent is not None:
        text += f". {recent:.0f}% of the new special guardians with a recorded answer had a support plan or allowance"
    elif ever is not None:
        text += (
            f". Of all the special guardians in the tracker with a recorded answer, {ever:.0f}% had a support plan "
            "or allowance (too few in the last 12 months to give a share)"
        )
    return text + "."


def headlines(s: SgoSection) -> list[str]:
    """Three to five sentences for the advisor, each built from the computed figures."""
    all_ = s.year.filter(pl.col("breakdown") == "all").row(0, named=True)
    split = split_words(s.year, "sgos", s.end) if all_["sgos"] else ""
    year = show_figure((relations.rolling_name("sgo_granted"), "all", f"{s.end:%Y-%m}"), all_["sgos"])
    first = (
        f"In the 12 months to {long_month(s.end)}, the 903 return records {year} special "
        f"guardianship orders" + (f" ({split})" if split else "")
    )
    if s.start is None or shift_months(s.end, -24) + DAY >= s.start:
        first += f", {change_words(all_['sgos'], all_['sgos_before'])} than in the 12 months before"
    sentences = [(first + ". " + span_words(s)).strip()]
    if s.pipeline is None:
        sentences.append(
            "The pipeline from plan to order, the time children wait at each stage and the applications planned "
            "are not shown: they need the permanence tracker (permanence.csv)."
        )
        return sentences
    sentences.append(pipeline_sentence(s.pipeline, "plan for SGO") + " " + stuck_sentence(s.pipeline))
    sentences.append(funnel_sentence(s))
    sentences.append(applications_sentence(s.pipeline))
    sentences.append(tracker_sentence(s))
    return sentences[:5]


# --- Metrics --------------------------------------------------------------------------------------


def section_metrics(inputs: Inputs, period: str) -> pl.DataFrame:
    """metrics.csv rows for the section, computed from the inputs (see `metrics`)."""
    return metrics(prepare(inputs, period))


def metrics(s: SgoSection) -> pl.DataFrame:
    """metrics.csv rows for the section (one row per metric, breakdown and period; see docs/metrics.md); the
    tracker rows only with a tracker."""
    frames = [tidy(s.monthly, "sgo_granted", "sgos", breakdown="breakdown")]
    p = s.pipeline
    if p is not None and s.side is not None and s.quarters is not None and s.support is not None:
        frames += [
            tidy(s.side.drop_nulls("orders_tracker"), "sgo_orders_tracker", "orders_tracker"),
            pipeline_metrics(p, "sgo_pipeline_count", "sgo_pipeline_stuck"),
            stage_metrics(p, "sgo_stage_median_days"),
            tidy(s.quarters.drop_nulls("median_days_12m"), "sgo_plan_to_order_median_days", "median_days_12m"),
            tidy(p.applications.drop_nulls("sent"), "sgo_applications_sent", "sent"),
            tidy(p.applications, "sgo_applications_planned", "planned"),
        ]
        share = support_share(s.support)
        if share is not None:
            frames.append(tidy(pl.DataFrame({"date": [s.end], "share": [share]}), "sgo_support_plan_share", "share"))
    return combine(frames)


#: The metrics the notebook defines at the foot of the page.
DEFINED = [
    "sgo_granted",
    "sgo_pipeline_count",
    "sgo_stage_median_days",
    "sgo_plan_to_order_median_days",
    "sgo_support_plan_share",
    "tracker_903_reconciliation",
]

FUNNEL_NOTE = (
    "Every plan for special guardianship the tracker holds is counted once, at the furthest step it reached by the "
    "review date (a step reached means every earlier step counts as passed, even if its date was not recorded). "
    "'Still here' are open plans that have got no further; 'lost here' are plans withdrawn or refused at that step. "
    "A positive assessment with carers who will not proceed stops at 'assessment positive'."
)
SUPPORT_NOTE = (
    "Special guardians can be offered a support plan and an allowance. The share is of the orders where the tracker "
    "records an answer; orders with no answer are shown separately, not counted as 'no'."
)
STAGE_LABELS = labels(ROUTE)
