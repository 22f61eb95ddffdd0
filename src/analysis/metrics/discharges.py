"""Care order discharges from the 903: how children leave care when a full care order ends, and
whether a return home lasts.

The 903 has no "care order discharged" code. A **care order discharge** is read from how a period
of care (`care_periods.periods_of_care`) ends: its last episode is under a full care order (LS C2)
and ends with one of these REC codes (DfE SSDA903 guidance, REC list, rule 149):

    reunification               E4A returned home to parents or others with parental responsibility
                                as part of care planning; E4B the same, not as part of care planning
    special_guardianship_order  E45, E46 SGO to former foster carers (relatives or friends / others);
                                E47, E48 SGO to other carers (relatives or friends / others);
                                legacy E43 (to former foster carers) and E44 (to other carers)
    child_arrangements_order    E41 residence order or child arrangements order granted

so `all` is the sum of the three routes. This is how the council counts them: "From November 2019
to end October 2020, 32 children have had their care order discharged": 11 reunified and 21 by
SGO (Herefordshire Council, Children and Young People Scrutiny Committee agenda pack, 1 December
2020). It is an inference from the codes, not a DfE measure.

Not counted:

* an **interim** care order (LS C1) that ends with the child leaving care: the order lapses at the
  final hearing (for example with a child arrangements or supervision order) and is not discharged.
  These are counted on their own by `interim_orders_ended` (metric `interim_care_order_ended`);
* **adoption** (E11/E12): the adoption order ends the placement order (LS E1, legacy D1) that
  replaced the care order; it stays a route out of care (`cla_ceased`, route adoption);
* a return home from section 20 accommodation (LS V2; no order), a care order discharged while the
  child stays looked after (C2 followed by V2, RNE L), E13 (left to live with someone without
  parental responsibility) and periods made up only of short breaks.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from analysis.core.codes import REC_ROUTE
from analysis.core.periods import month_ends, monthly_rolling
from analysis.load.ssda903 import YEAR
from analysis.metrics.cla import looked_after_on

ROUTES = ["reunification", "special_guardianship_order", "child_arrangements_order"]
SHORT_LABEL = {
    "reunification": "Reunification",
    "special_guardianship_order": "Special guardianship order",
    "child_arrangements_order": "Child arrangements order",
    "other": "Any other reason",
    "all": "All routes",
}
#: REC → route for the exits this section counts (DfE SSDA903 REC code list): the routes out of care of
#: `codes.REC_ROUTE` that discharge an order, with "returned home" named "reunification" (E4A, E4B); SGO
#: E45-E48 (legacy E43/E44) and CAO E41 keep their names. Adoption (E11/E12) is kept for `order_exits`
#: (the tracker check) but is never a care order discharge.
REC_DISCHARGE_ROUTE = {
    rec: "reunification" if route == "returned_home" else route
    for rec, route in REC_ROUTE.items()
    if route in {"returned_home", "special_guardianship_order", "child_arrangements_order", "adoption"}
}
#: The full care order: the only legal status whose ending by these routes is a care order discharge.
CARE_ORDER_LS = ("C2",)
#: The interim care order, whose ending is counted on its own (`interim_orders_ended`).
INTERIM_LS = ("C1",)
#: Routes by which children leave care when an interim care order ends: the discharge routes, and any
#: other reason (E13, E8 …) as "other".
INTERIM_ROUTES = [*ROUTES, "other"]
#: Legal statuses under which a child placed with parents is "placed with parents under a care order".
PLACED_LS = ("C1", "C2")
#: Follow-up for re-entry to care after leaving, in months.
FOLLOW_UP_MONTHS = 12
_ONE_DAY = timedelta(days=1)


def order_exits(periods: pl.DataFrame) -> pl.DataFrame:
    """One row per period of care ended by reunification, an SGO, a CAO or adoption (any legal status).

    Columns: CHILD, period, end, REC, route (`ROUTES` or adoption), last_ls, care_order (a care order
    discharge: the last episode was under a full care order, LS C2, and the route is not adoption).
    Periods made up only of short breaks (LS V3/V4) are left out.
    """
    return (
        periods.filter(
            ~pl.col("short_breaks_only") & pl.col("end").is_not_null() & pl.col("REC").is_in(list(REC_DISCHARGE_ROUTE))
        )
        .with_columns(pl.col("REC").replace_strict(REC_DISCHARGE_ROUTE).alias("route"))
        .with_columns(
            (pl.col("last_ls").is_in(list(CARE_ORDER_LS)) & pl.col("route").is_in(ROUTES)).alias("care_order")
        )
        .select("CHILD", "period", "end", "REC", "route", "last_ls", "care_order")
        .sort("end", "CHILD")
    )


def care_order_discharges(periods: pl.DataFrame) -> pl.DataFrame:
    """One row per care order discharge (see the module docstring): `order_exits` under a full care order."""
    return order_exits(periods).filter(pl.col("care_order"))


def interim_orders_ended(periods: pl.DataFrame) -> pl.DataFrame:
    """One row per period of care whose last episode was under an interim care order (LS C1) and ended.

    The interim order lapses when the child leaves care; it is not a care order discharge. Columns:
    CHILD, period, end, REC, route (`INTERIM_ROUTES`: reunification E4A/E4B, special_guardianship_order
    E45-E48/E43/E44, child_arrangements_order E41, other for any other reason). Periods made up only of
    short breaks are left out.
    """
    route = REC_DISCHARGE_ROUTE | {rec: "other" for rec, r in REC_DISCHARGE_ROUTE.items() if r == "adoption"}
    return (
        periods.filter(
            ~pl.col("short_breaks_only") & pl.col("end").is_not_null() & pl.col("last_ls").is_in(list(INTERIM_LS))
        )
        .with_columns(pl.col("REC").replace_strict(route, default="other").alias("route"))
        .select("CHILD", "period", "end", "REC", "route")
        .sort("end", "CHILD")
    )


def monthly_interim_ended(ended: pl.DataFrame, end: date, months: int, start: date | None = None) -> pl.DataFrame:
    """Interim care orders ended per month by route (`INTERIM_ROUTES` and "all"), zero-filled: date, route,
    ended, ended_12m (rolling 12-month sum; null until 12 covered months lie behind it)."""
    counts = ended.group_by(pl.col("end").dt.month_end().alias("date"), "route").agg(pl.len().alias("ended"))
    counts = pl.concat(
        [counts, counts.group_by("date").agg(pl.lit("all").alias("route"), pl.col("ended").sum())],
        how="vertical_relaxed",
    )
    return monthly_rolling(
        counts, key="route", keys=[*INTERIM_ROUTES, "all"], value="ended", end=end, months=months, start=start
    )


def monthly_discharges(discharges: pl.DataFrame, end: date, months: int, start: date | None = None) -> pl.DataFrame:
    """Discharges per month by route, with rolling 12-month sums.

    One row per (month end, route) for the `months` months up to `end` (none before `start`, the
    returns' coverage) and each route in `ROUTES` plus "all": date, route, discharges,
    discharges_12m (null until 12 months of coverage lie behind it: never a partial year).
    """
    counts = discharges.group_by(pl.col("end").dt.month_end().alias("date"), "route").agg(pl.len().alias("discharges"))
    counts = pl.concat(
        [counts, counts.group_by("date").agg(pl.lit("all").alias("route"), pl.col("discharges").sum())],
        how="vertical_relaxed",
    )
    return monthly_rolling(
        counts, key="route", keys=[*ROUTES, "all"], value="discharges", end=end, months=months, start=start
    )


def discharges_by_route(discharges: pl.DataFrame, first: date, last: date) -> pl.DataFrame:
    """Discharges between `first` and `last` (inclusive): one row per route in `ROUTES` order, zero-filled.

    Columns: route, label, discharges.
    """
    counts = (
        discharges.filter(pl.col("end").is_between(first, last))
        .group_by("route")
        .agg(pl.len().cast(pl.Int64).alias("discharges"))
    )
    return (
        pl.DataFrame({"route": ROUTES, "label": [SHORT_LABEL[r] for r in ROUTES]})
        .join(counts, on="route", how="left")
        .with_columns(pl.col("discharges").fill_null(0))
    )


def coverage_end(episodes: pl.DataFrame) -> date | None:
    """The last day the returns cover: 31 March of the latest return year (or the latest date seen)."""
    if episodes.height == 0:
        return None
    if YEAR in episodes.columns and episodes[YEAR].max() is not None and episodes[YEAR].max() > 0:
        return date(int(episodes[YEAR].max()), 3, 31)
    return episodes.select(pl.max_horizontal(pl.col("DECOM").max(), pl.col("DEC").max())).item()


def reentries(
    exits: pl.DataFrame, periods: pl.DataFrame, observed_to: date, months: int = FOLLOW_UP_MONTHS
) -> pl.DataFrame:
    """Whether each child who left care came back within `months` months.

    One row per exit in `exits` (a child who left twice has two rows), ended on or before
    `observed_to`. Columns: CHILD, period, end, route, follow_up_end (end + `months` months),
    reentry (the start of the child's next period of care, if it began by `observed_to`; periods of
    short breaks only are not care), outcome:

    * `re_entered`: a new period of care began after `end` and on or before `follow_up_end`;
    * `stayed_out`: no new period by `follow_up_end`, which is on or before `observed_to`;
    * `censored`: no new period yet, but `follow_up_end` is after `observed_to`: too soon to say.
      A censored child is not a success: they are left out of the rate (see `reentry_cohorts`).
    """
    starts = (
        periods.filter(~pl.col("short_breaks_only") & (pl.col("start") <= observed_to))
        .select("CHILD", pl.col("start").alias("reentry"))
        .sort("reentry")
    )
    left = exits.filter(pl.col("end") <= observed_to).sort("end")
    matched = left.join_asof(
        starts,
        left_on="end",
        right_on="reentry",
        by="CHILD",
        strategy="forward",
        allow_exact_matches=False,
        check_sortedness=False,
    )
    matched = matched.with_columns(
        pl.when(pl.col("reentry") > pl.col("end")).then(pl.col("reentry")).alias("reentry"),
        pl.col("end").dt.offset_by(f"{months}mo").alias("follow_up_end"),
    )
    return matched.with_columns(
        pl.when(pl.col("reentry").is_not_null() & (pl.col("reentry") <= pl.col("follow_up_end")))
        .then(pl.lit("re_entered"))
        .when(pl.col("follow_up_end") <= observed_to)
        .then(pl.lit("stayed_out"))
        .otherwise(pl.lit("censored"))
        .alias("outcome")
    ).select("CHILD", "period", "end", "route", "follow_up_end", "reentry", "outcome")


def reentry_cohort(reentry: pl.DataFrame, first: date, last: date) -> dict:
    """The children who left between `first` and `last` and what happened next: left, re_entered,
    stayed_out, censored, and rate = re_entered / (re_entered + stayed_out) × 100 (null when no child's
    outcome is known yet). `complete` is True when no child is censored."""
    cohort = reentry.filter(pl.col("end").is_between(first, last))
    n = {k: cohort.filter(pl.col("outcome") == k).height for k in ("re_entered", "stayed_out", "censored")}
    known = n["re_entered"] + n["stayed_out"]
    return {
        "left": cohort.height,
        **n,
        "rate": n["re_entered"] / known * 100 if known else None,
        "complete": n["censored"] == 0,
    }


def reentry_cohorts(reentry: pl.DataFrame, end: date, months: int, start: date | None = None) -> pl.DataFrame:
    """Re-entry within 12 months for the children who left in the 12 months to each month end.

    One row per month end (`months` up to `end`; none whose 12 months begin before `start`):
    date, left, re_entered, stayed_out, censored, rate (re_entered / (re_entered + stayed_out) × 100),
    complete (no child still within their follow-up: only then is the rate final).
    """
    days = month_ends(end, months)
    firsts = days.dt.offset_by("-12mo").dt.month_end() + _ONE_DAY
    if start is not None:
        days, firsts = days.filter(firsts >= start), firsts.filter(firsts >= start)
    # Every month end at once: the exits in (first, day] are those ending on or before the day less those before first.
    ended = reentry.select("end", "outcome").drop_nulls("end").sort("end")

    def between(ends: pl.Series) -> pl.Series:
        return (ends.search_sorted(days, side="right") - ends.search_sorted(firsts, side="left")).cast(pl.Int64)

    counts = {k: between(ended.filter(pl.col("outcome") == k)["end"]) for k in ("re_entered", "stayed_out", "censored")}
    known = pl.col("re_entered") + pl.col("stayed_out")
    return pl.DataFrame(
        {"date": days, "left": between(ended["end"]), **counts},
        schema={
            "date": pl.Date,
            "left": pl.Int64,
            "re_entered": pl.Int64,
            "stayed_out": pl.Int64,
            "censored": pl.Int64,
        },
    ).with_columns(
        pl.when(known > 0).then(pl.col("re_entered") / known * 100).cast(pl.Float64).alias("rate"),
        (pl.col("censored") == 0).alias("complete"),
    )


def placed_with_parents(episodes: pl.DataFrame, dates: pl.Series) -> pl.DataFrame:
    """Children placed with parents under a care order: one row per (date, CHILD).

    A child counts at date D when looked after at D (`cla.looked_after_on`) in an episode with
    PLACE P1 (placed with own parents or others with parental responsibility) and LS C1 or C2 (`PLACED_LS`).
    Columns: date, CHILD, LS, home_since (when the child's unbroken run of P1 episodes began),
    months_home (whole calendar months from home_since to D).
    """
    placed = (pl.col("PLACE") == "P1") & pl.col("LS").is_in(list(PLACED_LS))
    on = looked_after_on(episodes, dates, where=placed, columns=["DECOM", "LS"])
    # Each child's run at home depends on that child's episodes alone: only the children placed at a date need it.
    # Sorted by child, "the previous episode" is the previous row when it is the same child's (no window per child).
    same_child = pl.col("CHILD") == pl.col("CHILD").shift(1)
    previous_place = pl.when(same_child).then(pl.col("PLACE").shift(1))
    previous_dec = pl.when(same_child).then(pl.col("DEC").shift(1))
    runs = (
        episodes.select("CHILD", "DECOM", "DEC", "PLACE")
        .filter(pl.col("CHILD").is_in(on["CHILD"].unique().implode()))
        .sort("CHILD", "DECOM")
        .with_columns(
            # A new run at every child's first episode, so a running count over all rows numbers each child's runs.
            (
                (pl.col("PLACE") != "P1")
                | (previous_place != "P1")
                | previous_place.is_null()
                | (previous_dec != pl.col("DECOM"))
            )
            .cum_sum()
            .alias("_run")
        )
        .with_columns(pl.col("DECOM").min().over("CHILD", "_run").alias("home_since"))
        .select("CHILD", "DECOM", "home_since")
    )
    return (
        on.join(runs, on=["CHILD", "DECOM"], how="left")
        .with_columns(
            (
                (pl.col("date").dt.year() - pl.col("home_since").dt.year()) * 12
                + pl.col("date").dt.month()
                - pl.col("home_since").dt.month()
                - (pl.col("date").dt.day() < pl.col("home_since").dt.day()).cast(pl.Int32)
            ).alias("months_home")
        )
        .select("date", "CHILD", "LS", "home_since", "months_home")
    )


HOME_GROUPS = ["Under 6 months", "6 to 12 months", "1 to 2 years", "2 years or more"]


def placed_with_parents_counts(on_p1: pl.DataFrame, dates: pl.Series) -> pl.DataFrame:
    """Children placed with parents under a care order at each date: one row per date, zero-filled.

    Columns: date, children, home_12m_or_more (placed at home for 12 months or more).
    """
    counts = on_p1.group_by("date").agg(
        pl.len().cast(pl.Int64).alias("children"),
        (pl.col("months_home") >= 12).sum().cast(pl.Int64).alias("home_12m_or_more"),
    )
    return (
        pl.DataFrame({"date": dates})
        .join(counts, on="date", how="left")
        .with_columns(pl.col("children", "home_12m_or_more").fill_null(0))
    )


def time_at_home(on_p1: pl.DataFrame, day: date) -> pl.DataFrame:
    """Children placed with parents under a care order at `day` by time at home: one row per group in
    `HOME_GROUPS` order (zero-filled): group, children."""
    months = pl.col("months_home")
    group = (
        pl.when(months < 6)
        .then(pl.lit(HOME_GROUPS[0]))
        .when(months < 12)
        .then(pl.lit(HOME_GROUPS[1]))
        .when(months < 24)
        .then(pl.lit(HOME_GROUPS[2]))
        .otherwise(pl.lit(HOME_GROUPS[3]))
    )
    counts = (
        on_p1.filter(pl.col("date") == day)
        .group_by(group.alias("group"))
        .agg(pl.len().cast(pl.Int64).alias("children"))
    )
    return (
        pl.DataFrame({"group": HOME_GROUPS})
        .join(counts, on="group", how="left")
        .with_columns(pl.col("children").fill_null(0))
    )
