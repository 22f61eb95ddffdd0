"""The care order discharges section: discharges by route, whether reunification lasts, children
placed with parents, the discharge pipeline and the check of the tracker against the 903.

`prepare` computes every frame once; the notebook charts and tabulates them, `headlines` turns
them into sentences and `section_metrics` into metrics.csv rows. The 903 parts need only the
903; the pipeline and the reconciliation need the permanence tracker and are None without it.
Definitions: `analysis.metrics.discharges`, `analysis.metrics.permanence`, `analysis.metrics.reconciliation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from analysis.core.disclosure import protect, show_count, show_figure
from analysis.core.periods import long_date, long_month, parse_period, shift_months
from analysis.load.inputs import Inputs
from analysis.load.ssda903 import coverage_start
from analysis.metrics import discharges, reconciliation
from analysis.metrics.care_periods import periods_of_care
from analysis.metrics.cla import review_window
from analysis.metrics.discharges import ROUTES, SHORT_LABEL
from analysis.metrics.permanence import STUCK_DAYS
from analysis.metrics.tidy import combine, tidy
from analysis.sections.headlines import change_words
from analysis.sections.pipeline_section import (
    Pipeline,
    pipeline_metrics,
    pipeline_sentence,
    prepare_pipeline,
    stuck_sentence,
)
from analysis.sections.small_counts import pct_text

MONTHS = 60
ROUTE = "discharge_to_parents"
FILE_NEEDED = "the permanence tracker (permanence.csv)"
ANALYST_FILE = "tracker_903_mismatches.csv"
DAY = timedelta(days=1)


@dataclass(frozen=True)
class DischargesSection:
    """The section's figures for one review period."""

    end: date
    start: date | None  # the returns' coverage start
    observed_to: date  # the last day re-entry can be seen: the review date or the returns' end
    monthly: pl.DataFrame  # one row per (month end, route incl. "all"): discharges, discharges_12m
    year: pl.DataFrame  # one row per route: discharges in the 12 months to `end` and the 12 before
    interim: pl.DataFrame  # one row per (month end, route incl. "all"): interim care orders ended, ended_12m
    interim_year: int  # children who left care as an interim care order ended, in the 12 months to `end`
    reentry: pl.DataFrame  # child-level, never shown: one row per care order discharge and what followed
    reentry_series: pl.DataFrame  # one row per month end: 12-month cohorts of reunified children
    reentry_home_series: pl.DataFrame  # the same for every return home (section 20 included)
    reentry_routes: pl.DataFrame  # one row per route and "all": the latest complete cohort and the latest
    home: pl.DataFrame  # one row per month end: children placed with parents under a care order
    home_groups: pl.DataFrame  # one row per time-at-home group at `end`
    pipeline: Pipeline | None  # the discharge_to_parents tracker pipeline; None without a tracker
    mismatches: pl.DataFrame | None  # child-level, never shown: tracker against 903, in the window
    reconciled: pl.DataFrame | None  # one row per (route, status): children
    compared_from: dict[str, date]  # the first day each route is compared


def missing_tracker(inputs: Inputs) -> str | None:
    """What the tracker parts still need, in words for `report.missing`, or None when they can be shown."""
    return FILE_NEEDED if inputs.permanence is None else None


def prepare(inputs: Inputs, period: str, *, stuck_days: int = STUCK_DAYS, months: int = MONTHS) -> DischargesSection:
    """Compute every figure of the section for the review period."""
    end = parse_period(period)
    episodes = inputs.episodes
    start = coverage_start(episodes)
    observed_to = min(end, discharges.coverage_end(episodes) or end)
    periods = periods_of_care(episodes)
    exits = discharges.order_exits(periods)
    cods = exits.filter(pl.col("care_order"))
    year = discharges.discharges_by_route(cods, shift_months(end, -12) + DAY, end).join(
        discharges.discharges_by_route(cods, shift_months(end, -24) + DAY, shift_months(end, -12)).select(
            "route", pl.col("discharges").alias("discharges_before")
        ),
        on="route",
    )
    reentry = discharges.reentries(cods, periods, observed_to)
    interim = discharges.interim_orders_ended(periods)
    home_exits = exits.filter(pl.col("route") == "reunification")
    reunified = reentry.filter(pl.col("route") == "reunification")
    dates = review_window(episodes, end, months)
    on_p1 = discharges.placed_with_parents(episodes, dates)
    tracker = inputs.permanence
    pipeline = mismatches = reconciled = None
    compared_from: dict[str, date] = {}
    if tracker is not None:
        pipeline = prepare_pipeline(tracker, ROUTE, end, threshold=stuck_days, months=months, start=start)
        detail = reconciliation.reconcile(
            reconciliation.tracker_orders(tracker), reconciliation.comparable_exits(exits)
        )
        compared_from = reconciliation.tracking_starts(tracker, start)
        mismatches = reconciliation.in_window(detail, compared_from, end)
        reconciled = reconciliation.counts(mismatches)
    return DischargesSection(
        end=end,
        start=start,
        observed_to=observed_to,
        monthly=discharges.monthly_discharges(cods, end, months, start),
        year=year,
        interim=discharges.monthly_interim_ended(interim, end, months, start),
        interim_year=interim.filter(pl.col("end").is_between(shift_months(end, -12) + DAY, end)).height,
        reentry=reentry,
        reentry_series=discharges.reentry_cohorts(reunified, end, months, start),
        reentry_home_series=discharges.reentry_cohorts(
            discharges.reentries(home_exits, periods, observed_to), end, months, start
        ),
        reentry_routes=_reentry_routes(reentry, observed_to, end),
        home=discharges.placed_with_parents_counts(on_p1, dates),
        home_groups=discharges.time_at_home(on_p1, dates.max() or end),
        pipeline=pipeline,
        mismatches=mismatches,
        reconciled=reconciled,
        compared_from=compared_from,
    )


def latest_complete(observed_to: date) -> date:
    """The last month end L whose 12-month cohort has had its full follow-up: L + 12 months ≤ `observed_to`."""
    candidate = shift_months(observed_to, -12)
    if pl.Series([candidate]).dt.offset_by("12mo").item() <= observed_to:
        return candidate
    return shift_months(observed_to, -13)


def _reentry_routes(reentry: pl.DataFrame, observed_to: date, end: date) -> pl.DataFrame:
    """One row per route and "all": the latest complete 12-month cohort, and the 12 months to `end`."""
    done = latest_complete(observed_to)
    rows = []
    for route in [*ROUTES, "all"]:
        frame = reentry if route == "all" else reentry.filter(pl.col("route") == route)
        old = discharges.reentry_cohort(frame, shift_months(done, -12) + DAY, done)
        new = discharges.reentry_cohort(frame, shift_months(end, -12) + DAY, end)
        rows.append(
            {
                "route": route,
                "label": SHORT_LABEL[route],
                "left": old["left"],
                "re_entered": old["re_entered"],
                "stayed_out": old["stayed_out"],
                "rate": old["rate"],
                "left_recent": new["left"],
                "re_entered_recent": new["re_entered"],
                "censored_recent": new["censored"],
            }
        )
    return pl.DataFrame(rows)


# --- Words ----------------------------------------------------------------------------------------


ROUTE_WORDS = {
    "reunification": "reunified with their families",
    "special_guardianship_order": "by special guardianship order",
    "child_arrangements_order": "by child arrangements order",
}


def routes_words(frame: pl.DataFrame, value: str, end: date | None = None) -> str:
    """'22 reunified with their families and 10 by special guardianship or child arrangements orders': the
    routes are parts of a total, so they are protected, and the hidden ones are given together (their sum
    can be worked out from the total anyway; "c" if it is a small count). With `end`, the values are the 12 months
    to `end`, pack figures (care_order_discharges_12m by route), hidden as the pack-wide decision says."""
    period = f"{end:%Y-%m}" if end is not None else ""
    shown = protect(
        frame, value, figure=(lambda row: ("care_order_discharges_12m", row["route"], period)) if end else None
    )
    words = [
        f"{n} {ROUTE_WORDS[r]}"
        for r, n, v in shown.select("route", f"{value}_label", value).iter_rows()
        if v is not None
    ]
    hidden = shown.filter(pl.col(value).is_null())
    if hidden.height == 1:
        words.append(f"c {ROUTE_WORDS[hidden['route'][0]]}")
    elif hidden.height > 1:
        together = int(frame.filter(pl.col("route").is_in(hidden["route"].implode()))[value].sum())
        names = " or ".join(SHORT_LABEL[r].lower().removesuffix(" order") for r in hidden["route"])
        words.append(f"{show_count(together)} by {names} orders")
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def reentry_sentence(dis: DischargesSection) -> str:
    """Whether reunification lasted for the latest cohort with full follow-up, and what is too soon to say."""
    done = latest_complete(dis.observed_to)
    r = dis.reentry_routes.filter(pl.col("route") == "reunification").row(0, named=True)
    if r["left"] == 0:
        text = f"No child was reunified from a care order in the 12 months to {long_month(done)}"
    else:
        known = r["re_entered"] + r["stayed_out"]
        text = (
            f"Of the {show_count(r['left'])} children reunified from a care order in the 12 months to "
            f"{long_month(done)} (the latest year whose 12 months of follow-up are complete), "
            + (
                "none came back into care within 12 months"
                if r["re_entered"] == 0
                else f"{show_count(r['re_entered'])} came back into care within 12 months "
                f"({pct_text(r['rate'], r['re_entered'], known)})"
            )
        )
    if r["censored_recent"]:
        text += (
            f"; for {show_count(r['censored_recent'])} reunified more recently it is too soon to say, so they are not "
            "counted as successes"
        )
    return text + "."


def headlines(dis: DischargesSection) -> list[str]:
    """Three to five sentences for the advisor, each built from the computed figures."""
    total = int(dis.year["discharges"].sum())
    before = int(dis.year["discharges_before"].sum())
    total_text = show_figure(("care_order_discharges_12m", "all", f"{dis.end:%Y-%m}"), total)
    first = (
        f"In the 12 months to {long_month(dis.end)}, {total_text} children left care through a care order "
        f"discharge: {routes_words(dis.year, 'discharges', dis.end)}"
    )
    if dis.start is None or shift_months(dis.end, -24) + DAY >= dis.start:
        before_key = ("care_order_discharges_12m", "all", f"{shift_months(dis.end, -12):%Y-%m}")
        if "c" not in (total_text, show_figure(before_key, before)):  # no direction from a hidden figure
            first += f". That is {change_words(total, before)} than in the 12 months before ({before:,})"
    if dis.interim_year:
        first += (
            f". A further {show_count(dis.interim_year)} left care when an interim care order ended: those orders "
            "lapse rather than being discharged, so they are counted apart"
        )
    sentences = [first + "."]
    sentences.append(reentry_sentence(dis))
    now = dis.home.row(-1, named=True) if dis.home.height else None
    if now is not None and now["children"] == 0:
        sentences.append(f"At {long_date(now['date'])}, no child was placed with their parents under a care order.")
    elif now is not None:
        sentences.append(
            f"At {long_date(now['date'])}, {show_count(now['children'])} children were placed with their parents "
            f"under a care order, {show_count(now['home_12m_or_more'])} of them for a year or more: they are the "
            "main candidates for discharge."
        )
    if dis.pipeline is not None:
        sentences.append(
            pipeline_sentence(dis.pipeline, "plan for discharge to their parents") + " " + stuck_sentence(dis.pipeline)
        )
        sentences.append(reconciliation_sentence(dis))
    else:
        sentences.append(
            "The discharge pipeline and the check of the tracker against the 903 are not shown: they need the "
            "permanence tracker (permanence.csv)."
        )
    return sentences[:5]


def reconciliation_sentence(dis: DischargesSection) -> str:
    """How far the tracker and the 903 agree, in counts."""
    counts = dis.reconciled
    if counts is None:
        return ""
    wrong = counts.filter(pl.col("status") != "matched")
    n, agree = int(wrong["children"].sum()), int(counts.filter(pl.col("status") == "matched")["children"].sum())
    since = min(dis.compared_from.values()) if dis.compared_from else dis.end
    if n == 0 and agree == 0:
        return f"Since {long_month(since)}, neither the tracker nor the 903 records an order to compare."
    if n == 0:
        return f"Since {long_month(since)}, the tracker and the 903 agree on every order ({show_count(agree)})."
    return (
        f"Since {long_month(since)}, the tracker and the 903 agree on {show_count(agree)} orders and disagree on "
        f"{show_count(n)}; the table below says how, and the list of children is for analysts only."
    )


# --- Metrics --------------------------------------------------------------------------------------


def _cohorts(series: pl.DataFrame, breakdown: str, followed_to: date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every complete cohort (from `discharges.reentry_cohorts`), unsuppressed: its re-entry count (0 for a cohort in
    which no child left, up to `followed_to`, the latest cohort whose 12 months of follow-up are over) and, where a
    child left, its rate. The pack hides what would reveal a small count (`analysis.metrics.relations`: a rate is
    withheld with its count); the analyst's metrics hold them all."""
    done = series.filter(pl.col("complete") & ((pl.col("left") > 0) | (pl.col("date") <= followed_to)))
    done = done.with_columns(pl.lit(breakdown).alias("b"))
    return done, done.filter(pl.col("left") > 0)


def section_metrics(inputs: Inputs, period: str) -> pl.DataFrame:
    """metrics.csv rows for the section, computed from the inputs (see `metrics`)."""
    return metrics(prepare(inputs, period))


def metrics(dis: DischargesSection) -> pl.DataFrame:
    """metrics.csv rows for the section (one row per metric, breakdown and period; see docs/metrics.md); the
    tracker rows only with a tracker."""
    monthly = dis.monthly.drop_nulls("discharges")
    frames = [
        tidy(monthly, "care_order_discharges", "discharges", breakdown="route"),
        tidy(
            dis.monthly.drop_nulls("discharges_12m"), "care_order_discharges_12m", "discharges_12m", breakdown="route"
        ),
        tidy(dis.interim.drop_nulls("ended"), "interim_care_order_ended", "ended", breakdown="route"),
        tidy(dis.home, "placed_with_parents_care_order", "children"),
        tidy(
            dis.home.with_columns(pl.lit("home_12m_or_more").alias("b")),
            "placed_with_parents_care_order",
            "home_12m_or_more",
            breakdown="b",
        ),
    ]
    for series, breakdown in [(dis.reentry_series, "all"), (dis.reentry_home_series, "all_returns_home")]:
        done, rated = _cohorts(series, breakdown, latest_complete(dis.observed_to))
        frames.append(tidy(done, "reunification_reentry_12m_count", "re_entered", breakdown="b"))
        frames.append(tidy(rated, "reunification_reentry_12m_rate", "rate", breakdown="b"))
    for route in [*ROUTES, "all"]:
        rows = dis.reentry if route == "all" else dis.reentry.filter(pl.col("route") == route)
        series = discharges.reentry_cohorts(rows, dis.end, MONTHS, dis.start)
        done, rated = _cohorts(series, route, latest_complete(dis.observed_to))
        frames.append(tidy(done, "care_order_discharge_reentry_12m_count", "re_entered", breakdown="b"))
        frames.append(tidy(rated, "care_order_discharge_reentry_12m_rate", "rate", breakdown="b"))
    if dis.pipeline is not None and dis.reconciled is not None:
        frames.append(pipeline_metrics(dis.pipeline, "discharge_pipeline_count", "discharge_pipeline_stuck"))
        counts = dis.reconciled.with_columns(
            (pl.col("route") + ":" + pl.col("status")).alias("b"), pl.lit(dis.end).alias("date")
        )
        frames.append(tidy(counts, "tracker_903_reconciliation", "children", breakdown="b"))
    return combine(frames)


# --- The analyst-only list ------------------------------------------------------------------------


def write_analyst_list(dis: DischargesSection, analyst_dir: str) -> Path | None:
    """Write the child-level mismatches to `<analyst_dir>/tracker_903_mismatches.csv` (marked
    OFFICIAL-SENSITIVE, analyst only, in its first line); do nothing when `analyst_dir` is "" or
    there is no tracker. Returns the file written, if any. Never shown in the pack."""
    if dis.mismatches is None:
        return None
    return reconciliation.write_analyst_csv(reconciliation.analyst_list(dis.mismatches), analyst_dir, ANALYST_FILE)


ANALYST_NOTE = (
    "For analysts: the child-by-child list of these differences has been written to the analyst-only folder. It is "
    "not part of this pack and must not be shared with it."
)

ROUTES_NOTE = (
    "The 903 return has no 'care order discharged' code, so a discharge is read from how the child left care: a "
    "period of care that ends, under a full care order, with a return home to parents (reunification, REC "
    "E4A/E4B), a special guardianship order (E45-E48, or the older E43/E44) or a child arrangements order (E41). "
    "This is how the council counted them in 2020 (for example 11 reunified and 21 by special guardianship order "
    "from November 2019 to October 2020). Not counted: an interim care order that ends as the child leaves care "
    "(it lapses at the final hearing; counted apart), adoption (it ends the placement order; shown with the "
    "routes out of care on the children-in-care page), and a return home from section 20 accommodation (there "
    "is no order)."
)

#: The metrics the notebook defines at the foot of the page.
DEFINED = [
    "care_order_discharges",
    "interim_care_order_ended",
    "reunification_reentry_12m_rate",
    "placed_with_parents_care_order",
    "discharge_pipeline_count",
    "tracker_903_reconciliation",
]
