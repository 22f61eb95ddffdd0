"""Who is in care at a month end: legal status, placement, UASC, age and time in care.

Every function here starts from `cla.looked_after_on` (one row per child looked after at each
date, carrying the open episode's LS and PLACE), so every breakdown adds up to `cla_count`.
`mix_at` and `uasc_counts_at` give the same figures as `mix` and `uasc_counts` straight from the
episodes, by sorted event arithmetic (`cla.open_counts`), without a row per child and month end:
the way to count at many dates in a large return.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from analysis.core.codes import LS_GROUP, LS_GROUP_LABEL, PLACE_GROUP, PLACE_GROUP_LABEL
from analysis.load.ssda903 import coverage_start
from analysis.metrics.cla import looked_after_on, open_counts

AGE_GROUPS = ["Under 1", "1 to 4", "5 to 9", "10 to 15", "16 and over", "Age not known"]
#: A period of care whose start is before the first return: how long is not known (see `duration_groups`).
STARTED_BEFORE = "Started before the data"
DURATION_GROUPS = [
    "Under 6 months", "6 to 12 months", "1 to 2 years", "2 to 5 years", "5 years or more", STARTED_BEFORE,
]  # fmt: skip

#: The groupings the mix charts and metrics use: name → (code column, code → group, group → label).
GROUPINGS: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {
    "legal_status": ("LS", LS_GROUP, LS_GROUP_LABEL),
    "placement_type": ("PLACE", PLACE_GROUP, PLACE_GROUP_LABEL),
}


def mix(on: pl.DataFrame, grouping: str) -> pl.DataFrame:
    """Children looked after at each date by group: one row per (date, group), zero-filled.

    `grouping` is "legal_status" (interim care order C1, full care order C2, placement order
    E1/D1, section 20 V2, other) or "placement_type" (foster with relatives or friends U1-U3,
    other foster U4-U6, placed with parents P1, residential K1/K2/R1/S1, semi-independent or
    supported H5/K3/P2, placed for adoption A3-A6, other). Groups are in `analysis.core.codes`.
    """
    column, mapping, labels = GROUPINGS[grouping]
    counts = on.group_by("date", pl.col(column).replace_strict(mapping, default="other").alias("group")).agg(
        pl.col("CHILD").n_unique().alias("children")
    )
    grid = on.select("date").unique().join(pl.DataFrame({"group": list(labels)}), how="cross")
    return (
        grid.join(counts, on=["date", "group"], how="left")
        .with_columns(
            pl.col("children").fill_null(0).cast(pl.Int64),
            pl.col("group").replace_strict(labels).alias("label"),
        )
        .sort(["date", "group"])
    )


def mix_at(episodes: pl.DataFrame, dates: pl.Series, grouping: str) -> pl.DataFrame:
    """`mix(looked_after_on(episodes, dates), grouping)`, the same rows, counted from the episodes at every date
    at once (`cla.open_counts`): one row per (date with a child looked after, group), zero-filled."""
    column, mapping, labels = GROUPINGS[grouping]
    if dates.len() == 0:
        return mix(looked_after_on(episodes, dates), grouping)
    key = pl.col(column).replace_strict(mapping, default="other")
    counts = open_counts(episodes, dates, [], key=key).collect()
    present = counts.group_by("date").agg(pl.col("open").sum()).filter(pl.col("open") > 0).select("date")
    grid = present.join(pl.DataFrame({"group": list(labels)}), how="cross")
    return (
        grid.join(counts.select("date", pl.col("_key").alias("group"), "open"), on=["date", "group"], how="left")
        .select(
            "date",
            "group",
            pl.col("open").fill_null(0).cast(pl.Int64).alias("children"),
            pl.col("group").replace_strict(labels).alias("label"),
        )
        .sort(["date", "group"])
    )


def uasc_flag(on: pl.DataFrame, uasc: pl.DataFrame | None) -> pl.DataFrame:
    """Add `is_uasc`: the child is in the 903 UASC table and their UASC status had not ceased
    (DUC empty or after the date). DfE: unaccompanied asylum-seeking children are counted
    within children looked after and also shown separately. Without a UASC table (`uasc` None:
    no return has a uasc.csv) `is_uasc` is null: not known, which is not "no"."""
    if uasc is None:
        return on.with_columns(pl.lit(None, pl.Boolean).alias("is_uasc"))
    if uasc.height == 0:
        return on.with_columns(pl.lit(False).alias("is_uasc"))
    status = uasc.select("CHILD", pl.col("DUC").alias("_duc"), pl.lit(True).alias("_listed"))
    return (
        on.join(status, on="CHILD", how="left")
        .with_columns(
            (pl.col("_listed").fill_null(False) & (pl.col("_duc").is_null() | (pl.col("_duc") > pl.col("date")))).alias(
                "is_uasc"
            )
        )
        .drop("_duc", "_listed")
    )


def uasc_counts(on: pl.DataFrame, uasc: pl.DataFrame | None) -> pl.DataFrame:
    """UASC looked after at each date: one row per date with cla_count, uasc_count, non_uasc_count.

    Without a UASC table (`uasc` None) uasc_count and non_uasc_count are null (not known), never 0."""
    flagged = uasc_flag(on, uasc)
    uasc_count = pl.col("CHILD").filter(pl.col("is_uasc")).n_unique()
    return (
        flagged.group_by("date")
        .agg(
            pl.col("CHILD").n_unique().alias("cla_count"),
            (uasc_count if uasc is not None else pl.lit(None, pl.UInt32)).alias("uasc_count"),
        )
        .with_columns((pl.col("cla_count") - pl.col("uasc_count")).alias("non_uasc_count"))
        .sort("date")
    )


def uasc_counts_at(episodes: pl.DataFrame, dates: pl.Series, uasc: pl.DataFrame | None) -> pl.DataFrame:
    """`uasc_counts(looked_after_on(episodes, dates), uasc)`, the same rows, counted from the episodes at every
    date at once (`cla.open_counts`): a UASC child's episode counts until DUC."""
    if dates.len() == 0:
        return uasc_counts(looked_after_on(episodes, dates), uasc)
    counts = (
        open_counts(episodes, dates, []).filter(pl.col("open") > 0).select("date", pl.col("open").alias("cla_count"))
    )
    if uasc is None:
        listed = counts.with_columns(pl.lit(None, pl.UInt32).alias("uasc_count"))
    else:
        # A child listed twice is UASC at D if any row's status had not ceased: the latest DUC, or none if one is empty.
        status = uasc.group_by("CHILD").agg(
            pl.when(pl.col("DUC").is_null().any()).then(None).otherwise(pl.col("DUC").max()).alias("_duc")
        )
        flagged = open_counts(episodes, dates, [], until=pl.col("_duc"), children=status)
        listed = counts.join(flagged.select("date", pl.col("open").alias("uasc_count")), on="date", how="left")
        listed = listed.with_columns(pl.col("uasc_count").fill_null(0))
    return (
        listed.with_columns(pl.col("cla_count", "uasc_count").cast(pl.UInt32))
        .with_columns((pl.col("cla_count") - pl.col("uasc_count")).alias("non_uasc_count"))
        .sort("date")
        .collect()
    )


def _age(dob: pl.Expr, on: pl.Expr) -> pl.Expr:
    """Whole years of age on a date (birthday counted on the day itself)."""
    before_birthday = (on.dt.month() < dob.dt.month()) | (
        (on.dt.month() == dob.dt.month()) & (on.dt.day() < dob.dt.day())
    )
    return on.dt.year() - dob.dt.year() - before_birthday.cast(pl.Int32)


def age_groups(on_date: pl.DataFrame, header: pl.DataFrame) -> pl.DataFrame:
    """Children looked after on one date by DfE age group (under 1, 1-4, 5-9, 10-15, 16+).

    One row per group in order, zero-filled: group, children. A child without a date of birth
    in the header is counted as "Age not known", never dropped.
    """
    ages = on_date.join(header.select("CHILD", "DOB"), on="CHILD", how="left").with_columns(
        _age(pl.col("DOB"), pl.col("date")).alias("age")
    )
    group = (
        pl.when(pl.col("age").is_null())
        .then(pl.lit("Age not known"))
        .when(pl.col("age") < 1)
        .then(pl.lit("Under 1"))
        .when(pl.col("age") < 5)
        .then(pl.lit("1 to 4"))
        .when(pl.col("age") < 10)
        .then(pl.lit("5 to 9"))
        .when(pl.col("age") < 16)
        .then(pl.lit("10 to 15"))
        .otherwise(pl.lit("16 and over"))
    )
    return _ordered(ages.with_columns(group.alias("group")), AGE_GROUPS)


def duration_groups(on_date: pl.DataFrame, periods: pl.DataFrame, episodes: pl.DataFrame) -> pl.DataFrame:
    """Children looked after on one date by time in care since their current period began.

    One row per group in `DURATION_GROUPS` order (under 6 months, 6-12 months, 1-2 years, 2-5 years,
    5+ years, started before the data), zero-filled: group, children. The period is the one open on
    the date (see `care_periods.periods_of_care`); months are calendar months.

    A return holds only the episodes open during its year, so a period whose first episode in the
    `episodes` began before the returns' coverage (`ssda903.coverage_start`) and does not start the
    period (RNE other than S) began earlier, in an episode the returns do not hold. Its length is not
    known: it is counted as "started before the data", never given a band measured from that episode,
    unless that episode alone already makes it 5 years or more (the only band a lower bound settles).
    """
    first = episodes.select("CHILD", pl.col("DECOM").alias("start"), "RNE")
    current = (
        on_date.join(periods.select("CHILD", "start", "end"), on="CHILD", how="inner")
        .filter((pl.col("start") <= pl.col("date")) & (pl.col("end").is_null() | (pl.col("end") > pl.col("date"))))
        .join(first, on=["CHILD", "start"], how="left")
    )
    since = coverage_start(episodes)
    before = (
        (pl.col("start") < since) & (pl.col("RNE").is_null() | (pl.col("RNE") != "S"))
        if since is not None
        else pl.lit(False)
    )
    months = (
        (pl.col("date").dt.year() - pl.col("start").dt.year()) * 12
        + (pl.col("date").dt.month() - pl.col("start").dt.month())
        - (pl.col("date").dt.day() < pl.col("start").dt.day()).cast(pl.Int32)
    )
    group = (
        pl.when(before & (months < 60))
        .then(pl.lit(STARTED_BEFORE))
        .when(months < 6)
        .then(pl.lit("Under 6 months"))
        .when(months < 12)
        .then(pl.lit("6 to 12 months"))
        .when(months < 24)
        .then(pl.lit("1 to 2 years"))
        .when(months < 60)
        .then(pl.lit("2 to 5 years"))
        .otherwise(pl.lit("5 years or more"))
    )
    return _ordered(current.with_columns(group.alias("group")), DURATION_GROUPS)


def _ordered(frame: pl.DataFrame, groups: list[str]) -> pl.DataFrame:
    counts = frame.group_by("group").agg(pl.col("CHILD").n_unique().alias("children"))
    return (
        pl.DataFrame({"group": groups})
        .join(counts, on="group", how="left")
        .with_columns(pl.col("children").fill_null(0).cast(pl.Int64))
    )


#: The lines of the council's "child status" table ([HC-SCRUTINY-2020-12] onwards), as
#: (label, column, codes). Each counts children whose open episode has one of the codes.
STATUS_LINES: list[tuple[str, str, tuple[str, ...]]] = [
    ("Children subject of interim care orders", "LS", ("C1",)),
    ("Children on placement orders", "LS", ("E1", "D1")),
    ("Children accommodated under section 20", "LS", ("V2",)),
    ("Children placed with parents", "PLACE", ("P1",)),
    ("Children in long-term foster placements", "PLACE", ("U1", "U4")),
    ("Children fostered by relatives or friends", "PLACE", ("U1", "U2", "U3")),
    ("Children in residential care", "PLACE", ("K1", "K2", "R1", "S1")),
    ("Young people in semi-independent or supported accommodation", "PLACE", ("H5", "K3", "P2")),
]


UASC_LINE = "Unaccompanied asylum-seeking children"


def status_counts(on: pl.DataFrame, uasc: pl.DataFrame | None) -> pl.DataFrame:
    """The child-status lines at each date: one row per (date, line) with children. The UASC line only
    when UASC is known (`uasc` not None)."""
    flagged = uasc_flag(on, uasc)
    frames = [
        flagged.group_by("date")
        .agg(pl.col("CHILD").n_unique().alias("children"))
        .with_columns(pl.lit("Number of children in care").alias("line"))
    ]
    for label, column, codes in STATUS_LINES:
        frames.append(
            flagged.group_by("date")
            .agg(pl.col("CHILD").filter(pl.col(column).is_in(list(codes))).n_unique().alias("children"))
            .with_columns(pl.lit(label).alias("line"))
        )
    if uasc is not None:
        frames.append(
            flagged.group_by("date")
            .agg(pl.col("CHILD").filter(pl.col("is_uasc")).n_unique().alias("children"))
            .with_columns(pl.lit(UASC_LINE).alias("line"))
        )
    return pl.concat([f.select("date", "line", "children") for f in frames])


def direction(now: int, before: int | None) -> str:
    """The direction of travel as an arrow and words: "↑ Increase", "↓ Decrease", "→ No change"."""
    if before is None:
        return "–"
    if now > before:
        return "↑ Increase"
    if now < before:
        return "↓ Decrease"
    return "→ No change"


def status_table(on: pl.DataFrame, uasc: pl.DataFrame | None, latest: date) -> pl.DataFrame:
    """The child-status table at `latest`: each line now, a month earlier and a year earlier,
    with the direction of travel against each (as the council's 2020 scrutiny pack shows it).

    `on` must hold the dates `latest`, the month end before it and the same month end a year
    before (see `cla.looked_after_on`); a missing date gives "–".
    """
    counts = status_counts(on, uasc)
    month_before = (pl.Series([latest]).dt.offset_by("-1mo").dt.month_end())[0]
    year_before = (pl.Series([latest]).dt.offset_by("-1y").dt.month_end())[0]
    order = [
        "Number of children in care",
        *[line for line, _, _ in STATUS_LINES],
        *([UASC_LINE] if uasc is not None else []),  # left out when not known, rather than shown as 0
    ]

    def at(day: date) -> dict[str, int]:
        rows = counts.filter(pl.col("date") == day)
        return dict(zip(rows["line"], rows["children"], strict=True))

    now, prev, last_year = at(latest), at(month_before), at(year_before)
    return pl.DataFrame(
        {
            "line": order,
            "now": [now.get(line, 0) for line in order],
            "month_before": [prev.get(line) for line in order],
            "change_month": [direction(now.get(line, 0), prev.get(line)) for line in order],
            "year_before": [last_year.get(line) for line in order],
            "change_year": [direction(now.get(line, 0), last_year.get(line)) for line in order],
        },
        schema_overrides={"month_before": pl.Int64, "year_before": pl.Int64},
    )
