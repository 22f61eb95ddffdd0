"""The workforce section: agency reliance, vacancies, team managers and caseloads, and the trend.

`prepare` computes every frame once from the workforce snapshot; `workforce_figures` charts and
tabulates them, `headlines` turns them into sentences and `section_metrics` into metrics.csv
rows. The definitions are in `analysis.metrics.workforce`; the metric entries in `analysis.core.definitions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from analysis.core.disclosure import show_count
from analysis.core.periods import long_date, long_month, parse_period, shift_months
from analysis.load.inputs import Inputs
from analysis.load.readers import find_table
from analysis.metrics import comparators
from analysis.metrics.tidy import combine, tidy
from analysis.metrics.workforce import (
    BEYOND,
    CASE_HOLDING_ROLES,
    CASELOAD_THRESHOLD,
    LIKELY,
    MET,
    MISSED,
    OFF_TRACK,
    ON_TRACK,
    UNLIKELY,
    Projection,
    agency_rate,
    caseloads,
    check_workforce,
    project,
    target_table,
    team_changes,
    team_managers,
    totals,
    vacancy_rate,
)

#: The contracts in the order the section shows them, with their labels.
CONTRACT_LABELS = {
    "permanent": "Permanent",
    "fixed_term": "Fixed-term",
    "agency": "Agency",
    "vacant": "Vacant (empty seat)",
}

#: Months of snapshots shown (and written to metrics.csv) up to the review period.
MONTHS = 60
#: How far ahead the agency rate is projected, and over how many months its trend is fitted.
MONTHS_AHEAD = 6
TREND_MONTHS = 12
#: Coverage of the projection's band.
BAND = 0.8
FILE_NEEDED = "a workforce snapshot (workforce.csv)"


@dataclass(frozen=True)
class WorkforceSection:
    """The section's figures for one review period."""

    end: date  # the review period's month end
    latest: date  # the latest snapshot on or before `end`
    threshold: int  # caseload threshold: "more than `threshold` cases"
    series: pl.DataFrame  # one row per snapshot: FTE, headcount, rates, team managers, caseloads
    teams: pl.DataFrame  # one row per (snapshot, team): FTE, headcount, agency and vacancy rates
    team_latest: pl.DataFrame  # one row per team at `latest`, with its agency rate 1 and 3 months before
    rising: pl.DataFrame  # the teams whose agency rate rose over the last month or the last three
    contracts: pl.DataFrame  # one row per contract at `latest`: FTE and posts
    caseload_teams: pl.DataFrame  # one row per (snapshot, team): caseload distribution
    projection: Projection | None  # the agency rate's recent trend carried forward
    targets: pl.DataFrame  # one row per agency-rate target month: target, actual or projected, status
    comparator_rates: pl.DataFrame  # published agency rates (comparators.points)


def missing_input(inputs: Inputs, period: str) -> str | None:
    """What the section still needs, in words for `report.missing`, or None when it can be shown."""
    if inputs.workforce is None:
        return FILE_NEEDED
    end = parse_period(period)
    if inputs.workforce.filter(pl.col("snapshot_date") <= end).height == 0:
        return f"a workforce snapshot dated on or before {long_date(end)}"
    return None


def prepare(
    inputs: Inputs,
    period: str,
    *,
    caseload_threshold: int = CASELOAD_THRESHOLD,
    months: int = MONTHS,
    months_ahead: int = MONTHS_AHEAD,
) -> WorkforceSection:
    """Compute every figure of the section for the review period (call only if `missing_input` is None)."""
    if inputs.workforce is None:
        raise ValueError("the workforce section needs a workforce snapshot; check missing_input() first")
    end = parse_period(period)
    file = find_table(inputs.folder, "workforce") or inputs.folder / "workforce.csv"
    first = shift_months(end, -months)
    workforce = check_workforce(inputs.workforce, file).filter(
        (pl.col("snapshot_date") <= end) & (pl.col("snapshot_date") > first)
    )
    latest = workforce["snapshot_date"].max()
    case_holding = agency_rate(totals(workforce, roles=CASE_HOLDING_ROLES)).select(
        "date", pl.col("agency_rate").alias("agency_rate_case_holding")
    )
    managers = team_managers(workforce)
    loads = caseloads(workforce, caseload_threshold)
    series = (
        vacancy_rate(agency_rate(totals(workforce)))
        .join(case_holding, on="date", how="left")
        .join(managers, on="date", how="left")
        .with_columns(pl.col(managers.columns[1:]).fill_null(0))
        .join(loads, on="date", how="left")
    )
    teams = vacancy_rate(agency_rate(totals(workforce, by=("team",))))
    changes = team_changes(teams)
    team_latest = (
        teams.filter(pl.col("date") == latest)
        .join(changes.drop("agency_rate"), on="team", how="left")
        .sort("agency_rate", descending=True, nulls_last=True)
    )
    rising = changes.filter((pl.col("change_1m") > 1e-9) | (pl.col("change_3m") > 1e-9)).sort(
        ["change_1m", "change_3m"], descending=True, nulls_last=True
    )
    now = row_at(series, latest)
    contracts = pl.DataFrame(
        {
            "contract": [CONTRACT_LABELS[c] for c in ("permanent", "fixed_term", "agency", "vacant")],
            "fte": [now["permanent_fte"], now["fixed_term_fte"], now["agency_fte"], now["vacant_fte"]],
            "posts": [
                now["permanent_headcount"],
                now["fixed_term_headcount"],
                now["agency_headcount"],
                now["vacant_posts"],
            ],
        }
    )
    projection = project(series, "agency_rate", months_ahead=months_ahead, window=TREND_MONTHS, level=BAND)
    return WorkforceSection(
        end=end,
        latest=latest,  # type: ignore[arg-type]
        threshold=caseload_threshold,
        series=series,
        teams=teams,
        team_latest=team_latest,
        rising=rising,
        contracts=contracts,
        caseload_teams=caseloads(workforce, caseload_threshold, by=("team",)),
        projection=projection,
        targets=target_table(series, inputs.authority.targets.get("agency_rate", {}), projection),
        comparator_rates=comparators.points(inputs.comparators, "agency_rate", inputs.authority.region).filter(
            pl.col("date") <= end
        ),
    )


def row_at(frame: pl.DataFrame, day: date) -> dict:
    """The row of a frame with one row per date (`series`) dated `day`, as a dict."""
    return frame.filter(pl.col("date") == day).row(0, named=True)


# --- Words ----------------------------------------------------------------------------------------


def pct(value: float | None) -> str:
    """A percentage as the section writes it: one decimal place, as the DfE publishes."""
    return "–" if value is None else f"{value:.1f}%"


def points_change(now: float, before: float) -> str:
    """'up 3.2 percentage points', 'down 0.4 percentage points' or 'unchanged' (to one decimal place)."""
    diff = round(now - before, 1)
    if diff == 0:
        return "unchanged"
    return f"{'up' if diff > 0 else 'down'} {abs(diff):.1f} percentage point{'' if abs(diff) == 1 else 's'}"


def _band(p: Projection) -> str:
    """'an 80%' or 'a 90%': the band's coverage with its article."""
    level = round(p.level * 100)
    return f"{'an' if str(level).startswith('8') or level in (11, 18) else 'a'} {level}%"


def target_now_sentence(wf: WorkforceSection) -> str | None:
    """The latest agency-rate target with an actual figure, and whether it was met; None if there is none."""
    past = wf.targets.filter(pl.col("status").is_in([MET, MISSED]))
    if past.height == 0:
        return None
    t = past.row(-1, named=True)
    verdict = "which was met" if t["status"] == MET else "which was not met"
    return (
        f"The council's agency-rate target for {long_month(t['date'])} was {pct(t['target'])}, {verdict} "
        f"(the rate was {pct(t['actual'])})."
    )


def projection_sentence(wf: WorkforceSection) -> str:
    """The recent trend carried forward, its range, and plainly whether the next target would be met on it."""
    p = wf.projection
    if p is None:
        return (
            "There are too few recent monthly snapshots to project the agency rate, so whether the target will be "
            "met cannot be judged from the trend."
        )
    last = p.frame.row(-1, named=True)
    trend = (
        f"On the recent trend (a straight line through the last {p.points} monthly snapshots), the agency rate "
        f"would be about {pct(last['projected'])} by {long_month(last['date'])}, with {_band(p)} range of "
        f"{pct(last['lower'])} to {pct(last['upper'])}"
    )
    if wf.targets.height == 0:
        return trend + "; no agency-rate target is set in the authority's settings."
    ahead = wf.targets.filter(pl.col("date") > wf.latest)
    if ahead.height == 0:
        return trend + "; no later target is set."
    t = ahead.row(0, named=True)
    target, when = pct(t["target"]), long_month(t["date"])
    if t["status"] == BEYOND:
        return trend + f". The next target, {target} by {when}, is further ahead than the projection reaches."
    if t["date"] != last["date"]:
        trend += f" (about {pct(t['projected'])} by {when})"
    verdict = {
        ON_TRACK: f"the target of {target} by {when} would be met on this trend, even at the top of the range",
        OFF_TRACK: f"the target of {target} by {when} would not be met on this trend, even at the bottom of the range",
        LIKELY: f"the target of {target} by {when} would just be met on this trend, but the range includes rates "
        "above it, so it is not certain",
        UNLIKELY: f"the target of {target} by {when} would not be met on this trend, although the bottom of the "
        "range reaches it",
    }[t["status"]]
    return f"{trend}: {verdict}."


def headlines(wf: WorkforceSection, authority: str) -> list[str]:
    """Three to five sentences for the advisor, each built from the computed figures."""
    series = wf.series.sort("date")
    now = row_at(series, wf.latest)
    sentences = []
    if now["agency_rate"] is not None:
        first = (
            f"At {long_date(wf.latest)}, agency workers made up {pct(now['agency_rate'])} of {authority}'s children's "
            f"social workers, counted in full-time equivalents (FTE): {now['agency_fte']:,.1f} agency FTE against "
            f"{now['inpost_fte']:,.1f} FTE employed directly by the council"
        )
        year_ago = series.filter(pl.col("date") == shift_months(wf.latest, -12)).drop_nulls("agency_rate")
        if year_ago.height:
            before = year_ago["agency_rate"][0]
            first += f", {points_change(now['agency_rate'], before)} from {pct(before)} a year earlier"
        sentences.append(first + ".")
    parts = []
    for area, name in [("england", "England"), ("region", "the region"), ("statistical_neighbours", "similar areas")]:
        comp = comparators.latest(wf.comparator_rates, area, wf.latest)
        if comp is not None:
            parts.append(f"{name} ({pct(comp['value'])} at {long_date(comp['date'])})")
    target_now = target_now_sentence(wf)
    if parts and now["agency_rate"] is not None:
        compare = "That compares with " + " and ".join(parts) + "."
        sentences.append(compare + (" " + target_now if target_now else ""))
    elif target_now:
        sentences.append(target_now)
    sentences.append(projection_sentence(wf))
    if now["team_manager_posts"]:
        sentences.append(
            f"{show_count(now['permanent_team_managers'])} of {show_count(now['team_manager_posts'])} team-manager "
            f"posts were filled by permanent managers, and the vacancy rate (posts without a directly employed worker, "
            f"whether or not agency staff cover them) was {pct(now['vacancy_rate'])}."
        )
    if now["case_holders"] is not None:
        sentences.append(
            f"Case-holding workers held {now['average_caseload']:.1f} children each on average; "
            f"{pct(now['over_threshold_share'])} held more than {wf.threshold}."
        )
    return sentences[:5]


ROLES_NOTE = (
    "Staff are counted in full-time equivalents (FTE): a full-time post counts as 1 and a half-time post as 0.5. "
    "Every social-work post counts, from social workers to service managers, as in the DfE's figures. Directly "
    "employed staff are those on permanent or fixed-term contracts; agency workers are paid through an agency or are "
    "self-employed. The agency rate is agency FTE divided by agency plus directly employed FTE. The DfE takes its "
    "England figure each 30 September."
)
VACANCY_NOTE = (
    "A vacancy is a post without a directly employed worker, whether the seat is empty or an agency worker covers "
    "it, as the DfE counts vacancies. The vacancy rate is vacancy FTE divided by vacancy plus directly employed FTE, "
    "so it is at least as high as the agency rate."
)


def projection_note(wf: WorkforceSection) -> str:
    """How to read the projection, honestly: a straight line carried forward, not a forecast."""
    p = wf.projection
    if p is None:
        return "There are too few recent monthly figures to draw a trend."
    return (
        f"The dashed line is a straight line through the last {p.points} monthly figures, carried forward "
        f"{p.frame.height} months. The shaded range shows where the rate would fall in about {round(p.level * 10)} "
        "months out of 10 if the month-to-month ups and downs stay as they have been. It shows what happens if "
        "nothing changes; it is not a forecast. Recruitment, agency staff taking permanent posts, or new rules on "
        "agency pay can all change the course."
    )


def rising_note(wf: WorkforceSection) -> str:
    """One sentence on the teams whose agency rate rose."""
    month = wf.rising.filter(pl.col("change_1m") > 1e-9)
    three = wf.rising.filter(pl.col("change_3m") > 1e-9)
    if wf.rising.height == 0:
        return "No team's agency rate rose over the last month or over the last three months."

    def names(frame: pl.DataFrame) -> str:
        return ", ".join(frame["team"].to_list()) if frame.height else "none"

    return (
        f"Agency rate rose over the last month: {names(month)}. Rose over the last three months: {names(three)}. "
        "A rise of one worker in a small team moves its rate a lot."
    )


# --- Metrics --------------------------------------------------------------------------------------


def section_metrics(
    inputs: Inputs, period: str, caseload_threshold: int = CASELOAD_THRESHOLD
) -> pl.DataFrame:
    """metrics.csv rows for the section, computed from the inputs; empty without a workforce snapshot."""
    if missing_input(inputs, period) is not None:
        return combine([])
    return metrics(prepare(inputs, period, caseload_threshold=caseload_threshold))


def metrics(wf: WorkforceSection) -> pl.DataFrame:
    """metrics.csv rows for the section (see docs/metrics.md), from the computed section.

    The share of staff above the caseload threshold is `caseload_over_threshold_share`, at the
    threshold the section was computed with (`wf.threshold`), so the notebook's parameter and
    metrics.csv always agree.
    """
    series = wf.series
    teams = wf.teams.with_columns(("team:" + pl.col("team")).alias("breakdown"))
    team_loads = wf.caseload_teams.with_columns(("team:" + pl.col("team")).alias("breakdown"))
    frames = []
    for metric, column, by_team in [
        ("agency_rate", "agency_rate", True),
        ("agency_rate_headcount", "agency_rate_headcount", True),
        ("agency_rate_case_holding", "agency_rate_case_holding", False),
        ("agency_fte", "agency_fte", True),
        ("permanent_fte", "permanent_fte", True),
        ("fixed_term_fte", "fixed_term_fte", False),
        ("fixed_term_posts", "fixed_term_headcount", False),
        ("vacancy_fte", "vacancy_fte", False),
        ("vacancy_rate", "vacancy_rate", True),
        ("vacancy_agency_cover_rate", "vacancy_agency_cover_rate", False),
        ("permanent_team_managers", "permanent_team_managers", False),
        ("team_manager_posts", "team_manager_posts", False),
        ("average_caseload", "average_caseload", False),
        ("caseload_median", "median_caseload", True),
        ("caseload_over_threshold_share", "over_threshold_share", False),
    ]:
        frames.append(tidy(series.drop_nulls(column), metric, column))
        if by_team:
            source = team_loads if column == "median_caseload" else teams
            frames.append(tidy(source.drop_nulls(column), metric, column, breakdown="breakdown"))
    return combine(frames)


#: The metrics the notebook defines at the foot of the page.
DEFINED = [
    "agency_rate",
    "agency_rate_headcount",
    "agency_rate_case_holding",
    "vacancy_rate",
    "vacancy_agency_cover_rate",
    "permanent_team_managers",
    "fixed_term_fte",
    "average_caseload",
    "caseload_over_threshold_share",
]
