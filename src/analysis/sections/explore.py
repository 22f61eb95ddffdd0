"""The building blocks for exploring a review: child-level frames, documented, with one vocabulary.

These are thin, typed wrappers over the functions the pack itself uses (so every number here is
the pack's number), with what an analyst needs to know in each docstring: the **grain** (what one
row is), the **columns**, the **units**, and the **metric ids** (docs/metrics.md) each one feeds.
`analysis.Review` offers the same blocks on loaded inputs (`review.children_on(...)`,
`review.periods_of_care`, `review.tracker_status(...)`).

Two conventions hold throughout this module:

- **Dates.** An argument that is one date is called `day`; one that may be a date, a list of
  dates or a polars Series of dates is called `dates`. Dates may also be ISO strings
  ("2024-03-31"). No argument here is called `on`: elsewhere in the package `on` is sometimes a
  date and sometimes a frame.
- **Routes out of care.** One vocabulary, `ROUTES`, from `analysis.core.codes.REC_ROUTE`:
  `returned_home` (REC E4A, E4B), `special_guardianship_order` (E45-E48), `child_arrangements_order`
  (E41), `adoption` (E11, E12), `turned_18_or_independent` (E17, E5, E6, E7, E15) and `other`.
  The discharges section (`analysis.metrics.discharges`) and its metric ids call a return home under a
  care order **reunification**: there, `reunification` = `returned_home` with `care_order` True.
  The permanence tracker's route `discharge_to_parents` is a *plan* whose success is such an exit.
  `ROUTE_ALIASES` records both.

Nothing here prints or displays a child identifier: the frames carry `CHILD` (or `child_id`) so
they can be joined, and are for the analyst's machine only (keep them in `work/` or
`outputs/analyst/`, never in the pack).
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

import polars as pl

from analysis.core.codes import REC_ROUTE, ROUTE_LABEL
from analysis.core.periods import shift_months
from analysis.metrics import care_periods, cla, cla_mix, discharges, permanence, workforce

__all__ = [
    "ROUTES",
    "ROUTE_ALIASES",
    "DateLike",
    "age_on",
    "agency_rate",
    "as_dates",
    "breakdown",
    "ceases_by_route",
    "change",
    "children_on",
    "field_notes",
    "fields",
    "leavers",
    "periods_of_care",
    "reentries",
    "route_names",
    "tracker_status",
    "window",
]

#: One date, several dates, or a polars Series of dates (datetimes and ISO strings are read as dates).
DateLike = date | str | Iterable[date | str] | pl.Series

#: The routes out of care, in the order the pack shows them: route → plain-English label.
ROUTES: dict[str, str] = dict(ROUTE_LABEL)

#: Names other modules use for the same route: (module or input, their name) → the name used here.
ROUTE_ALIASES: dict[tuple[str, str], str] = {
    ("analysis.metrics.discharges", "reunification"): "returned_home",  # and under a care order (C1/C2)
    ("permanence.csv", "discharge_to_parents"): "returned_home",  # a plan; its success is a return home
    ("permanence.csv", "special_guardianship_order"): "special_guardianship_order",
    ("permanence.csv", "child_arrangements_order"): "child_arrangements_order",
}

#: Legal statuses that make an exit a care order discharge (`analysis.metrics.discharges`): care orders,
#: and for adoption the placement order that ends with the adoption order.
_CARE_ORDER_LS = discharges.CARE_ORDER_LS
_DISCHARGE_ROUTES = ("returned_home", "special_guardianship_order", "child_arrangements_order")


# --- Dates -------------------------------------------------------------------------------------


def as_dates(dates: DateLike) -> pl.Series:
    """`dates` as a sorted polars Series of distinct dates called `date`.

    Accepts a `datetime.date` (or datetime, read as its date), an ISO string ("2024-03-31"), a list
    or tuple of those, or a polars Series of dates, datetimes or ISO strings. Raises ValueError on
    anything that is not a date.
    """
    if isinstance(dates, pl.Series):
        series = dates
    elif isinstance(dates, date | str):
        series = pl.Series([dates])
    else:
        series = pl.Series(list(dates))
    if series.dtype == pl.String:
        try:
            series = series.str.to_date("%Y-%m-%d")
        except pl.exceptions.InvalidOperationError as exc:
            raise ValueError(f"dates must be written YYYY-MM-DD: {series.to_list()[:3]}") from exc
    elif isinstance(series.dtype, pl.Datetime):
        series = series.dt.date()
    elif series.dtype == pl.Object and all(isinstance(d, date | datetime) for d in series.to_list()):
        series = pl.Series([d.date() if isinstance(d, datetime) else d for d in series.to_list()], dtype=pl.Date)
    if series.dtype != pl.Date:
        raise ValueError(f"expected dates, got a {series.dtype} series")
    return series.drop_nulls().unique().sort().alias("date")


def _day(day: date | str) -> date:
    return as_dates(day).item()


def window(day: date | str, months: int) -> tuple[date, date]:
    """The first and last day of the `months` calendar months ending with `day`'s month (both inclusive).

    `window("2024-03-31", 12)` is (1 April 2023, 31 March 2024); `window("2024-03-31", 6)` starts on
    1 October 2023. Pass the pair to the `first` and `last` arguments below.
    """
    last = shift_months(_day(day), 0)
    return shift_months(last, -months) + timedelta(days=1), last


# --- Children in care on a date -----------------------------------------------------------------


def children_on(episodes: pl.DataFrame, dates: DateLike) -> pl.DataFrame:
    """The children looked after at the end of each date, with the episode open that day.

    Grain: one row per (date, CHILD). Columns: `date`, then the open episode's columns as read
    from the 903 (CHILD, DECOM, RNE, LS, CIN, PLACE, PLACE_PROVIDER, DEC, REC, …).

    Definition (DfE SSDA903 guidance; "Children looked after in England"): looked after at D when
    an episode has DECOM ≤ D and DEC empty or after D; episodes under an agreed series of short
    breaks (LS V3/V4) are left out. See `analysis.metrics.cla.looked_after_on`.

    `dates`: one date, a list of dates or a Series (see `as_dates`).
    Feeds: `cla_count` (rows per date), its `legal_status:` and `placement_type:` breakdowns
    (`breakdown`), `cla_uasc_count`, and the rates `cla_rate_per_10k`, `cla_rate_excl_uasc_per_10k`.
    """
    return cla.looked_after_on(episodes, as_dates(dates))


def age_on(frame: pl.DataFrame, header: pl.DataFrame, day: date | str | None = None) -> pl.DataFrame:
    """`frame` with the child's `DOB` and `age` in whole years added.

    Grain: unchanged (one row of `frame` per row). `frame` has a CHILD column; `header` is the
    903 header (one row per child: CHILD, DOB, …). The age is taken on `day` when given, else on
    each row's `date` column (as from `children_on`). A birthday counts on the day itself; a child
    with no DOB gets a null age (never dropped).
    Unit: years. Feeds the pack's "children in care by age" (DfE age groups under 1, 1-4, 5-9,
    10-15, 16 and over: `analysis.metrics.cla_mix.age_groups`).
    """
    at = pl.lit(_day(day)) if day is not None else pl.col("date")
    if day is None and "date" not in frame.columns:
        raise ValueError("age_on needs a `date` column in the frame, or `day`")
    joined = frame.join(header.select("CHILD", "DOB"), on="CHILD", how="left")
    return joined.with_columns(cla_mix._age(pl.col("DOB"), at).alias("age"))


def breakdown(children: pl.DataFrame, grouping: str) -> pl.DataFrame:
    """Children looked after at each date by legal status or placement type, as the pack groups them.

    Grain: one row per (date, group), zero-filled. Columns: date, group, children (count), label.
    `children` is a `children_on` frame; `grouping` is "legal_status" or "placement_type" (the
    groups are in `analysis.core.codes`: LS_GROUP, PLACE_GROUP). Feeds `cla_count` breakdowns
    `legal_status:<group>` and `placement_type:<group>`.
    """
    return cla_mix.mix(children, grouping)


def change(frame: pl.DataFrame, value: str, by: str | Sequence[str]) -> pl.DataFrame:
    """How `value` changed from the first date in `frame` to the last, per group.

    Grain: one row per `by` group. Columns: the `by` columns, before (at the first date), after
    (at the last date), change (after − before), in the units of `value`; largest change first
    (by size, either direction). A group missing at one date counts as 0 there.
    """
    keys = [by] if isinstance(by, str) else list(by)
    first, last = frame["date"].min(), frame["date"].max()

    def at(day: object, name: str) -> pl.DataFrame:
        return frame.filter(pl.col("date") == day).group_by(keys).agg(pl.col(value).sum().alias(name))

    return (
        at(first, "before")
        .join(at(last, "after"), on=keys, how="full", coalesce=True)
        .with_columns(pl.col("before", "after").fill_null(0))
        .with_columns((pl.col("after") - pl.col("before")).alias("change"))
        .sort(pl.col("change").abs(), *keys, descending=[True, *[False] * len(keys)])
    )


# --- Periods of care, leaving care and coming back ----------------------------------------------


def periods_of_care(episodes: pl.DataFrame) -> pl.DataFrame:
    """Periods of care: runs of a child's episodes joined end to start (SSDA903 rules 388, 431-433).

    Grain: one row per (CHILD, period). Columns: CHILD, period (1, 2, … for that child), start,
    end (null while open), REC (why the last episode ceased), route (`ROUTES`; null while open),
    last_ls, last_place, episodes (how many), short_breaks_only (every episode under LS V3/V4).
    Dates are dates. See `analysis.metrics.care_periods.periods_of_care`.
    Feeds: `cla_starts`, `cla_ceased` (and its route breakdowns), and every re-entry metric.
    """
    return care_periods.periods_of_care(episodes)


def ceases_by_route(periods: pl.DataFrame, first: date | str, last: date | str) -> pl.DataFrame:
    """Periods of care that ended between `first` and `last` (both inclusive), by route.

    Grain: one row per route in `ROUTES` order, zero-filled. Columns: route, label, ceased
    (count). Periods made up only of short breaks are left out, as the DfE leaves them out.
    `periods` is a `periods_of_care` frame. Feeds `cla_ceased` (breakdown by route).
    """
    return care_periods.ceased_by_route(periods, _day(first), _day(last))


def leavers(periods: pl.DataFrame, routes: Sequence[str] | None = None) -> pl.DataFrame:
    """The periods of care that have ended, with how and whether an order was discharged.

    Grain: one row per ended period of care (a child who left twice has two rows); short-break-only
    periods are left out. Columns: CHILD, period, end, REC, route (`ROUTES`), last_ls, care_order
    (the last episode was under a care order C1/C2, or for adoption a placement order E1/D1: a
    care order discharge in `analysis.metrics.discharges`). `routes` keeps only those routes.
    Feeds `cla_ceased`; with care_order True, `care_order_discharges` (where `returned_home` is
    called `reunification`).
    """
    ended = periods.filter(~pl.col("short_breaks_only") & pl.col("end").is_not_null())
    if routes is not None:
        unknown = set(routes) - set(ROUTES)
        if unknown:
            raise ValueError(f"unknown route(s) {sorted(unknown)}; routes are {list(ROUTES)}")
        ended = ended.filter(pl.col("route").is_in(list(routes)))
    ls = pl.col("last_ls")
    care_order = ls.is_in(list(_CARE_ORDER_LS)) & pl.col("route").is_in(list(_DISCHARGE_ROUTES))
    return (
        ended.with_columns(care_order.fill_null(False).alias("care_order"))
        .select("CHILD", "period", "end", "REC", "route", "last_ls", "care_order")
        .sort("end", "CHILD")
    )


def reentries(
    periods: pl.DataFrame,
    day: date | str,
    routes: Sequence[str] | None = ("returned_home",),
    months: int = discharges.FOLLOW_UP_MONTHS,
    care_order_only: bool = False,
) -> pl.DataFrame:
    """For each child who left care by one of `routes` on or before `day`: did they come back within `months`?

    Grain: one row per exit (`leavers`), ended on or before `day` (the last day the data covers).
    Columns: CHILD, period, end, route (`ROUTES`), care_order, follow_up_end (end + `months`
    months), reentry (start of the next period of care, if it began by `day`), outcome:
    `re_entered` (back by follow_up_end), `stayed_out` (not back by follow_up_end, which is on or
    before `day`), `censored` (not back yet, but follow_up_end is after `day`: too soon to say; not
    a success). See `analysis.metrics.discharges.reentries`.

    `routes=None` keeps every route; `care_order_only` keeps care order discharges.
    Feeds: `reunification_reentry_12m_rate` and `reunification_reentry_12m_count` (routes
    returned_home, care_order_only=True; every return home for the `all_returns_home` breakdown),
    and `care_order_discharge_reentry_12m_rate` (the four order routes, care_order_only=True).
    The rate is re_entered / (re_entered + stayed_out) × 100, for the leavers of a 12-month window.
    """
    exits = leavers(periods, routes)
    if care_order_only:
        exits = exits.filter(pl.col("care_order"))
    back = discharges.reentries(exits, periods, _day(day), months)
    return back.join(exits.select("CHILD", "period", "care_order"), on=["CHILD", "period"], how="left").select(
        "CHILD", "period", "end", "route", "care_order", "follow_up_end", "reentry", "outcome"
    )


# --- The workforce ------------------------------------------------------------------------------


def agency_rate(
    snapshot: pl.DataFrame,
    by: str | Sequence[str] = (),
    first: date | str | None = None,
    last: date | str | None = None,
    roles: Sequence[str] = workforce.SOCIAL_WORK_ROLES,
) -> pl.DataFrame:
    """The agency rate at each workforce snapshot, for any grouping of posts.

    Grain: one row per snapshot date per `by` group (e.g. "team", or ("team", "role")); groups
    with no post in `roles` have no row. Columns: date, the `by` columns, agency_fte, inpost_fte
    (permanent + fixed-term), agency_headcount, inpost_headcount, agency_rate and
    agency_rate_headcount (percent, 0-100; null when nobody is in post or agency).

    Definition (DfE children's social work workforce, agency_rate_fte): agency FTE / (agency FTE +
    in-post FTE) × 100. `snapshot` is the workforce input (`review.inputs.workforce`); `first` and
    `last` keep snapshot dates in that range (inclusive). `roles` defaults to every social-work
    role; `workforce.CASE_HOLDING_ROLES` gives the frontline variant.
    Feeds: `agency_rate` and `agency_rate_headcount` (all, and `team:<team>` with by="team"),
    `agency_rate_case_holding` (roles=CASE_HOLDING_ROLES).
    """
    keys = (by,) if isinstance(by, str) else tuple(by)
    rates = workforce.agency_rate(workforce.totals(snapshot, by=keys, roles=tuple(roles)))
    if first is not None:
        rates = rates.filter(pl.col("date") >= _day(first))
    if last is not None:
        rates = rates.filter(pl.col("date") <= _day(last))
    return rates.select(
        "date",
        *keys,
        "agency_fte",
        "inpost_fte",
        "agency_headcount",
        "inpost_headcount",
        "agency_rate",
        "agency_rate_headcount",
    )


# --- The permanence tracker ---------------------------------------------------------------------


def tracker_status(
    tracker: pl.DataFrame,
    day: date | str,
    route: str | None = None,
    stuck_days: int = permanence.STUCK_DAYS,
) -> pl.DataFrame:
    """Where each plan on the permanence tracker stood on `day`, and whether it was stuck.

    Grain: one row per tracker row (child × route) identified on or before `day`. Columns: child_id,
    route (the tracker's: special_guardianship_order, discharge_to_parents, child_arrangements_order;
    see `ROUTE_ALIASES`), status (open, order_made, refused, withdrawn), stage (latest stage reached
    by `day`), entered (that stage's date), days_at_stage (days, `day` − entered), position (for open
    plans, `analysis.metrics.permanence.POSITIONS`), furthest (funnel step), blocker, backwards,
    support_plan, date_missing, and stuck (open and at its stage for more than `stuck_days` days).
    See `analysis.metrics.permanence.status_on` for the rules (the tracker is read "as at" `day`).

    `route` keeps one route. Feeds: `sgo_pipeline_count` and `sgo_pipeline_stuck`
    (route special_guardianship_order), `discharge_pipeline_count` and `discharge_pipeline_stuck`
    (discharge_to_parents), each by position.
    """
    if route is not None:
        if route not in permanence.ROUTES:
            raise ValueError(f"unknown tracker route {route!r}; the tracker's routes are {list(permanence.ROUTES)}")
        tracker = permanence.for_route(tracker, route)
    status = permanence.status_on(tracker, _day(day))
    stuck = (pl.col("status") == "open") & (pl.col("days_at_stage") > stuck_days)
    return status.with_columns(stuck.fill_null(False).alias("stuck")).drop("_row")


def route_names() -> pl.DataFrame:
    """The route vocabulary as a table: route, label, REC codes (from `analysis.core.codes.REC_ROUTE`)."""
    codes = {r: sorted(c for c, route in REC_ROUTE.items() if route == r) for r in ROUTES}
    return pl.DataFrame(
        {"route": list(ROUTES), "label": list(ROUTES.values()), "REC": [", ".join(codes[r]) for r in ROUTES]}
    )


# --- What a section object holds ----------------------------------------------------------------

_FIELD_NOTE = re.compile(r"^\s+(\w+)\s*:[^#\n]*#\s*(.+)$", re.MULTILINE)


def field_notes(cls: type) -> dict[str, str]:
    """The one-line note written beside each field of a section's dataclass (its grain, mostly)."""
    notes: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        try:
            source = inspect.getsource(klass)
        except (OSError, TypeError):
            continue
        notes.update(_FIELD_NOTE.findall(source))
    return notes


def fields(section: object) -> pl.DataFrame:
    """What a section object (e.g. `review.discharges`) holds, without printing its frames.

    Grain: one row per field. Columns: field, kind (DataFrame, date, int, …), rows and columns
    (for frames; null otherwise), grain (the note beside the field in the section's source:
    "one row per month end: …"; "child-level, never shown" marks frames with child identifiers).
    """
    if not dataclasses.is_dataclass(section):
        raise TypeError(f"expected a section object (a dataclass), got {type(section).__name__}")
    notes = field_notes(type(section))
    rows = []
    for f in dataclasses.fields(section):
        value = getattr(section, f.name)
        frame = value if isinstance(value, pl.DataFrame) else None
        rows.append(
            {
                "field": f.name,
                "kind": type(value).__name__,
                "rows": frame.height if frame is not None else None,
                "columns": frame.width if frame is not None else None,
                "grain": notes.get(f.name, ""),
            }
        )
    schema = {"field": pl.String, "kind": pl.String, "rows": pl.Int64, "columns": pl.Int64, "grain": pl.String}
    return pl.DataFrame(rows, schema=schema)
