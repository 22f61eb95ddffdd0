"""Children's social work workforce: agency and vacancy rates, team managers, caseloads, and a trend.

Every function takes the workforce snapshot as `load_inputs` returns it (`Inputs.workforce`: one
row per post per snapshot, with snapshot_date, team, role, contract, fte and caseload; see
data/README.md). A post is a seat in the establishment: filled by a permanent, fixed-term or
agency worker, or vacant (an empty seat).

Which roles count. The DfE's "children and family social workers" are every registered social
worker in the children's services department, from case-holding practitioners to senior
managers. Every role in the data contract (social_worker, senior_practitioner,
advanced_practitioner, team_manager, service_manager) is a social-work role, so by default
every row counts (`SOCIAL_WORK_ROLES`). `CASE_HOLDING_ROLES` gives the frontline variant.

In post and agency. The DfE counts as in post the social workers employed and paid directly by
the authority, so in post = permanent + fixed-term. Agency workers are those not paid directly
by the authority (agency-paid or self-employed). Headcount here is the number of filled posts
(one worker per post); the DfE does not de-duplicate FTE or agency records either.

Source: DfE, "Children's social work workforce" (explore-education-statistics.service.gov.uk,
publication and methodology), census at 30 September; data set columns inpost_fte,
agency_fte, agency_rate_fte, vacancy_fte, vacancy_rate_fte, vacancy_agency_cover_rate_fte,
case_holders_fte, cases, caseload_fte.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from analysis.core import vocabularies as vocab
from analysis.core.errors import InputError
from analysis.core.periods import parse_period
from analysis.load.readers import ROW

#: The roles and contracts of the data contract, and the FTE bound, from `analysis.core.vocabularies`.
SOCIAL_WORK_ROLES = vocab.WORKFORCE_ROLES
CASE_HOLDING_ROLES = vocab.CASE_HOLDING_ROLES
CONTRACTS = vocab.WORKFORCE_CONTRACTS
IN_POST = vocab.IN_POST_CONTRACTS
MIN_FTE = vocab.FTE_MIN
MAX_FTE = vocab.FTE_MAX
#: The council's own papers count workers holding "more than 20 cases".
CASELOAD_THRESHOLD = 20

DATE = "snapshot_date"


# --- Checking the input --------------------------------------------------------------------------


def check_workforce(workforce: pl.DataFrame, file: Path | str) -> pl.DataFrame:
    """Return the snapshot unchanged, or raise InputError naming the file, column and rows.

    `load_inputs` already refuses unreadable dates and numbers; this refuses what would make the
    figures silently wrong: a blank snapshot_date, team, role, contract or fte, a role or contract
    outside the data contract's codes, and an FTE outside 0 to 1.5 (`analysis.core.vocabularies`, as the
    `expectations/workforce.json` suite, for a notebook run without the build's validation).
    """
    has_row = ROW in workforce.columns
    for column in (DATE, "team", "role", "contract", "fte"):
        _refuse(workforce, pl.col(column).is_null(), file, column, f"{column} is blank", has_row)
    for column, allowed in (("role", SOCIAL_WORK_ROLES), ("contract", CONTRACTS)):
        bad = pl.col(column).is_not_null() & ~pl.col(column).is_in(list(allowed))
        _refuse(workforce, bad, file, column, f"{column} must be one of {', '.join(allowed)}", has_row)
    _refuse(
        workforce,
        (pl.col("fte") < MIN_FTE) | (pl.col("fte") > MAX_FTE),
        file,
        "fte",
        f"fte must be between {MIN_FTE} and {MAX_FTE} (1.0 = full time)",
        has_row,
    )
    return workforce


def _refuse(frame: pl.DataFrame, bad: pl.Expr, file: Path | str, column: str, what: str, has_row: bool) -> None:
    index = frame.with_row_index("_i", offset=2)
    rows = index.filter(bad)
    if rows.height:
        example = rows[column][0]
        raise InputError(
            file,
            f"{rows.height} row(s): {what}" + (f"; found '{example}'" if example is not None else ""),
            column=column,
            rows=(rows[ROW] if has_row else rows["_i"]).cast(pl.Int64).to_list(),
        )


# --- Posts, FTE and headcount ---------------------------------------------------------------------


def totals(
    workforce: pl.DataFrame, by: tuple[str, ...] = (), roles: tuple[str, ...] = SOCIAL_WORK_ROLES
) -> pl.DataFrame:
    """FTE and headcount by contract: one row per snapshot `date` (and per `by` group, e.g. ("team",)).

    Definitions (DfE children's social work workforce, at the snapshot), over posts whose role is
    in `roles`:
    - permanent_fte, fixed_term_fte, agency_fte, vacant_fte: the FTE of the posts with that contract
      (for a vacant post, the FTE of the post).
    - inpost_fte = permanent_fte + fixed_term_fte: workers employed and paid directly by the
      authority (the DfE counts fixed-term staff as in post).
    - vacancy_fte = vacant_fte + agency_fte: posts not filled by a directly employed worker, whether
      or not an agency worker covers them (the DfE counts vacancies "whether or not covered by
      agency"). Every agency worker in this data fills a post, so all agency FTE covers a vacancy.
      In September 2020 Herefordshire reported 28 "permanent vacancies" = 20.6 agency + 7.4 empty seats.
    - establishment_fte: the FTE of every post, filled or not.
    - permanent_headcount, fixed_term_headcount, inpost_headcount, agency_headcount: filled posts
      (one worker per post); vacant_posts and posts: posts.
    A group with no posts in `roles` has no row.
    """
    fte, contract = pl.col("fte"), pl.col("contract")
    keys = ["date", *by]
    out = (
        _dated(workforce)
        .filter(pl.col("role").is_in(list(roles)))
        .group_by(keys, maintain_order=True)
        .agg(
            *[fte.filter(contract == c).sum().alias(f"{c}_fte") for c in CONTRACTS],
            fte.sum().alias("establishment_fte"),
            *[(contract == c).sum().alias(f"{c}_headcount") for c in vocab.FILLED_CONTRACTS],
            (contract == vocab.VACANT).sum().alias("vacant_posts"),
            pl.len().alias("posts"),
        )
        .with_columns(pl.col("^.*_fte$").round(6))
        .with_columns(
            (pl.col("permanent_fte") + pl.col("fixed_term_fte")).round(6).alias("inpost_fte"),
            (pl.col("vacant_fte") + pl.col("agency_fte")).round(6).alias("vacancy_fte"),
            (pl.col("permanent_headcount") + pl.col("fixed_term_headcount")).alias("inpost_headcount"),
        )
        .with_columns(pl.col("^.*_headcount$", "vacant_posts", "posts").cast(pl.Int64))
    )
    return out.sort(keys)


def _dated(workforce: pl.DataFrame) -> pl.DataFrame:
    """The snapshot with its snapshot_date called `date`, as every frame of the pack has it."""
    return workforce.rename({DATE: "date"}) if DATE in workforce.columns else workforce


def _share(part: str, whole: pl.Expr) -> pl.Expr:
    """100 × part / whole, null when the whole is zero."""
    return pl.when(whole > 0).then(100 * pl.col(part) / whole).otherwise(None)


def agency_rate(frame: pl.DataFrame) -> pl.DataFrame:
    """Add `agency_rate` (FTE) and `agency_rate_headcount`, in percent, to a frame from `totals`.

    Definition (DfE children's social work workforce, agency_rate_fte): agency FTE / (agency FTE +
    in-post FTE) at the snapshot, where in post = permanent + fixed-term. The headcount version
    divides agency workers by (agency + in-post workers). Null when nobody is in post and no agency
    worker either (a team whose every post is vacant). Not the "agency ratio" agency / in post,
    which is sometimes quoted.
    """
    return frame.with_columns(
        _share("agency_fte", pl.col("agency_fte") + pl.col("inpost_fte")).alias("agency_rate"),
        _share("agency_headcount", pl.col("agency_headcount") + pl.col("inpost_headcount")).alias(
            "agency_rate_headcount"
        ),
    )


def vacancy_rate(frame: pl.DataFrame) -> pl.DataFrame:
    """Add `vacancy_rate` and `vacancy_agency_cover_rate`, in percent, to a frame from `totals`.

    Definitions (DfE children's social work workforce, vacancy_rate_fte and
    vacancy_agency_cover_rate_fte): vacancy FTE / (vacancy FTE + in-post FTE), where vacancy FTE =
    vacant posts + posts covered by agency workers; and the share of vacancy FTE covered by agency
    workers = agency FTE / vacancy FTE. Null when the denominator is zero.
    """
    return frame.with_columns(
        _share("vacancy_fte", pl.col("vacancy_fte") + pl.col("inpost_fte")).alias("vacancy_rate"),
        _share("agency_fte", pl.col("vacancy_fte")).alias("vacancy_agency_cover_rate"),
    )


def team_managers(workforce: pl.DataFrame) -> pl.DataFrame:
    """Team-manager posts and who fills them: one row per snapshot `date`.

    Definition (the Commissioner's measure, "13 of 19 team managers are now permanent", Dec 2023):
    permanent_team_managers = team_manager posts held on a permanent contract; team_manager_posts =
    every team_manager post in the establishment, filled or vacant. Also the posts filled by agency
    and fixed-term managers, and the vacant ones. Counts, not FTE.
    """
    contract = pl.col("contract")
    return (
        _dated(workforce)
        .filter(pl.col("role") == vocab.TEAM_MANAGER)
        .group_by("date")
        .agg(
            pl.len().alias("team_manager_posts"),
            *[contract.filter(contract == c).len().alias(f"{c}_team_managers") for c in vocab.FILLED_CONTRACTS],
            contract.filter(contract == vocab.VACANT).len().alias("vacant_team_manager_posts"),
        )
        .with_columns(pl.exclude("date").cast(pl.Int64))
        .sort("date")
    )


# --- Caseloads ------------------------------------------------------------------------------------


def caseloads(workforce: pl.DataFrame, threshold: int = CASELOAD_THRESHOLD, by: tuple[str, ...] = ()) -> pl.DataFrame:
    """Caseloads of case-holding workers: one row per snapshot `date` (and per `by` group).

    A case holder is a filled post (not vacant) with a caseload of 1 or more, whatever the role
    (the DfE counts social workers "holding one or more cases"); a blank or zero caseload is not
    case holding. Columns:
    - case_holders (workers) and case_holding_fte; cases (children allocated, summed);
    - average_caseload = cases / case_holders, the council's own "average cases per worker";
    - caseload_per_fte = cases / case-holding FTE (DfE caseload_fte);
    - median_caseload and max_caseload over the case holders;
    - over_threshold: case holders with more than `threshold` cases (exactly `threshold` is not
      over), and over_threshold_share = over_threshold / case_holders × 100 (the council's "% of
      workers holding more than 20 cases").
    Groups with no case holder are left out.
    """
    load = pl.col("caseload")
    keys = ["date", *by]
    holders = _dated(workforce).filter((pl.col("contract") != vocab.VACANT) & load.is_not_null() & (load >= 1))
    return (
        holders.group_by(keys, maintain_order=True)
        .agg(
            pl.len().cast(pl.Int64).alias("case_holders"),
            pl.col("fte").sum().round(6).alias("case_holding_fte"),
            load.sum().cast(pl.Int64).alias("cases"),
            load.median().cast(pl.Float64).alias("median_caseload"),
            load.max().cast(pl.Int64).alias("max_caseload"),
            (load > threshold).sum().cast(pl.Int64).alias("over_threshold"),
        )
        .with_columns(
            (pl.col("cases") / pl.col("case_holders")).alias("average_caseload"),
            pl.when(pl.col("case_holding_fte") > 0)
            .then(pl.col("cases") / pl.col("case_holding_fte"))
            .otherwise(None)
            .alias("caseload_per_fte"),
            (100 * pl.col("over_threshold") / pl.col("case_holders")).alias("over_threshold_share"),
        )
        .sort(keys)
    )


# --- Change over time -----------------------------------------------------------------------------


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_end(index: int) -> date:
    return parse_period(f"{index // 12:04d}-{index % 12 + 1:02d}")


def snapshot_before(dates: pl.Series, day: date, months: int) -> date | None:
    """The latest snapshot on or before the end of the month `months` before `day`'s month, or None.

    With monthly snapshots and months=1 this is the previous month's snapshot.
    """
    cutoff = _month_end(_month_index(day) - months)
    earlier = dates.filter(dates <= cutoff)
    return earlier.max() if earlier.len() else None  # type: ignore[return-value]


def team_changes(teams: pl.DataFrame, value: str = "agency_rate", months: tuple[int, ...] = (1, 3)) -> pl.DataFrame:
    """Each team's `value` at the latest snapshot and `months` earlier: one row per team.

    `teams` has one row per (date, team), as `totals(..., by=("team",))` gives. Columns: team, `value` (latest),
    `{value}_{n}m` (at the snapshot n months earlier, see `snapshot_before`) and `change_{n}m`
    (latest minus earlier; percentage points for a rate). Null where either figure is missing: a
    team that did not exist earlier, or had nobody in post.
    """
    dates = teams["date"].unique()
    latest = dates.max()
    out = teams.filter(pl.col("date") == latest).select("team", value)
    for n in months:
        before = snapshot_before(dates, latest, n)  # type: ignore[arg-type]
        earlier = teams.filter(pl.col("date") == before) if before is not None else teams.head(0)
        earlier = earlier.select("team", pl.col(value).alias(f"{value}_{n}m"))
        out = out.join(earlier, on="team", how="left").with_columns(
            (pl.col(value) - pl.col(f"{value}_{n}m")).alias(f"change_{n}m")
        )
    return out.sort("team")


def rising_teams(changes: pl.DataFrame, months: int = 1) -> pl.DataFrame:
    """The teams from `team_changes` whose figure rose over the last `months` month(s), largest rise first.

    A rise is a change above zero; teams without both figures are left out.
    """
    column = f"change_{months}m"
    return changes.filter(pl.col(column) > 1e-9).sort([column, "team"], descending=[True, False])


# --- Projection -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Projection:
    """A straight-line trend fitted to recent snapshots, carried forward with a prediction band."""

    start: date  # first snapshot fitted
    end: date  # last snapshot fitted
    points: int  # snapshots fitted
    slope: float  # change per month, in the value's units (percentage points for a rate)
    level: float  # the band's coverage, e.g. 0.8 for an 80% prediction interval
    frame: pl.DataFrame  # one row per month end ahead: date, projected, lower, upper
    fitted: pl.DataFrame  # one row per snapshot fitted: date, fitted (the line's value there)


#: Fewer snapshots than this give no projection: a line through a handful of points says little.
MIN_POINTS = 6


def project(
    series: pl.DataFrame,
    value: str = "agency_rate",
    *,
    months_ahead: int = 6,
    window: int = 12,
    level: float = 0.8,
    bounds: tuple[float, float] | None = (0.0, 100.0),
) -> Projection | None:
    """Project `value` `months_ahead` month ends beyond the last snapshot, on its recent linear trend.

    Method: ordinary least squares of `value` on the month (numpy), over the snapshots in the
    `window` months up to and including the latest (the last 12 monthly snapshots by default). The
    band is the `level` prediction interval for a single new month:
    projected ± t(df = n − 2) × s × √(1 + 1/n + (x − x̄)² / Sxx), where s is the residual standard
    error. It assumes the recent straight line carries on and the month-to-month scatter stays as it
    was; it knows nothing of recruitment drives or policy, so it is a "what if nothing changes",
    not a forecast. Projected values and the band are kept within `bounds` (0 to 100 for a percent).
    None with fewer than MIN_POINTS snapshots in the window.
    """
    rows = series.drop_nulls(value).sort("date")
    if rows.height == 0:
        return None
    last = rows["date"].max()
    first_month = _month_index(last) - window + 1  # type: ignore[arg-type]
    rows = rows.filter(pl.col("date").dt.year() * 12 + pl.col("date").dt.month() - 1 >= first_month)
    n = rows.height
    if n < MIN_POINTS:
        return None
    import numpy as np  # here, not at the top: a notebook kernel that only renders need not load numpy

    x = np.array([_month_index(d) for d in rows["date"]], dtype=float)
    y = rows[value].to_numpy().astype(float)
    x_mean = x.mean()
    sxx = float(((x - x_mean) ** 2).sum())
    if sxx == 0:
        return None
    slope = float(((x - x_mean) * (y - y.mean())).sum() / sxx)
    intercept = float(y.mean() - slope * x_mean)
    residuals = y - (intercept + slope * x)
    s = math.sqrt(float((residuals**2).sum()) / (n - 2))
    t = t_quantile((1 + level) / 2, n - 2)
    ahead = np.arange(1, months_ahead + 1) + _month_index(last)  # type: ignore[arg-type]
    centre = intercept + slope * ahead
    half = t * s * np.sqrt(1 + 1 / n + (ahead - x_mean) ** 2 / sxx)
    frame = pl.DataFrame(
        {
            "date": [_month_end(int(i)) for i in ahead],
            "projected": centre,
            "lower": centre - half,
            "upper": centre + half,
        },
        schema={"date": pl.Date, "projected": pl.Float64, "lower": pl.Float64, "upper": pl.Float64},
    )
    if bounds is not None:
        frame = frame.with_columns(pl.col("projected", "lower", "upper").clip(*bounds))
    return Projection(
        start=rows["date"].min(),  # type: ignore[arg-type]
        end=last,  # type: ignore[arg-type]
        points=n,
        slope=slope,
        level=level,
        frame=frame,
        fitted=pl.DataFrame({"date": rows["date"], "fitted": intercept + slope * x}),
    )


def t_quantile(p: float, df: int) -> float:
    """The p quantile of Student's t with `df` degrees of freedom (numerical, to about 1e-6).

    Integrates the density with Simpson's rule and solves by bisection; numpy only, no SciPy.
    """
    if not 0.5 <= p < 1 or df < 1:
        raise ValueError("t_quantile needs 0.5 <= p < 1 and df >= 1")
    if p == 0.5:
        return 0.0
    import numpy as np

    const = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)

    def cdf_above_half(q: float) -> float:
        grid = np.linspace(0.0, q, 4001)
        f = const * (1 + grid**2 / df) ** (-(df + 1) / 2)
        h = q / 4000
        return float(h / 3 * (f[0] + f[-1] + 4 * f[1:-1:2].sum() + 2 * f[2:-1:2].sum()))

    target = p - 0.5
    lo, hi = 0.0, max(2.0, statistics.NormalDist().inv_cdf(p) * 2)
    while cdf_above_half(hi) < target:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        if cdf_above_half(mid) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


# --- Targets --------------------------------------------------------------------------------------

#: Target statuses (lower is better), from `target_table`.
MET, MISSED = "met", "missed"
ON_TRACK, OFF_TRACK = "on_track", "off_track"
LIKELY, UNLIKELY = "likely_but_uncertain", "unlikely_but_possible"
BEYOND, NO_FIGURE = "beyond_projection", "no_figure"


def target_table(
    series: pl.DataFrame,
    targets: dict[str, float],
    projection: Projection | None,
    value: str = "agency_rate",
) -> pl.DataFrame:
    """Each target against the actual or projected figure: one row per target month, oldest first.

    `targets` maps "YYYY-MM" to a target value (la.toml [targets]; for the agency rate, a percent;
    lower is better). Columns: date (the month end), target, actual (the latest snapshot in that
    month, if any), projected, lower, upper (from `projection`, for months after the last snapshot)
    and status:
    - met / missed: a snapshot exists for the month and its figure is at or below / above the target;
    - on_track: the whole prediction band is at or below the target;
    - off_track: the whole band is above it;
    - likely_but_uncertain: the projected line is at or below the target but the band reaches above it;
    - unlikely_but_possible: the projected line is above the target but the band reaches it;
    - beyond_projection: after the projection's last month; no_figure: no snapshot and no projection.
    """
    schema = {
        "date": pl.Date,
        "target": pl.Float64,
        "actual": pl.Float64,
        "projected": pl.Float64,
        "lower": pl.Float64,
        "upper": pl.Float64,
        "status": pl.String,
    }
    rows = []
    actual = series.drop_nulls(value).sort("date")
    last = actual["date"].max() if actual.height else None
    for key, target in sorted(targets.items()):
        day = parse_period(key)
        in_month = actual.filter((pl.col("date").dt.year() == day.year) & (pl.col("date").dt.month() == day.month))
        row: dict = {"date": day, "target": float(target), "status": NO_FIGURE}
        row |= dict.fromkeys(("actual", "projected", "lower", "upper"))
        if in_month.height:
            row["actual"] = float(in_month[value][-1])
            row["status"] = MET if row["actual"] <= target else MISSED
        elif projection is not None and last is not None and day > last:
            ahead = projection.frame.filter(pl.col("date") == day)
            if ahead.height:
                p = ahead.row(0, named=True)
                row.update(projected=p["projected"], lower=p["lower"], upper=p["upper"])
                row["status"] = _projected_status(p["projected"], p["lower"], p["upper"], target)
            else:
                row["status"] = BEYOND
        rows.append(row)
    return pl.DataFrame(rows, schema=schema)


def _projected_status(projected: float, lower: float, upper: float, target: float) -> str:
    if upper <= target:
        return ON_TRACK
    if lower > target:
        return OFF_TRACK
    return LIKELY if projected <= target else UNLIKELY
