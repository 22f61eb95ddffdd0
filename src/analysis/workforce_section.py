"""The workforce section: agency reliance, vacancies, team managers and caseloads, and the trend.

`prepare` computes every frame once from the workforce snapshot; the notebook charts and
tabulates them, `headlines` turns them into sentences and `section_metrics` into metrics.csv
rows. The definitions are in `analysis.workforce`; the metric entries in `analysis.definitions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import altair as alt
import polars as pl

from analysis import charts, comparators
from analysis.disclosure import mask_small, show_count
from analysis.inputs import Inputs
from analysis.metrics import combine, tidy
from analysis.periods import long_date, long_month, parse_period
from analysis.readers import find_table
from analysis.workforce import (
    BEYOND,
    CASE_HOLDING_ROLES,
    CASELOAD_THRESHOLD,
    LIKELY,
    MET,
    MISSED,
    NO_FIGURE,
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
    first = _shift(end, -months)
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
    now = series.filter(pl.col("date") == latest).row(0, named=True)
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


def _shift(day: date, months: int) -> date:
    return pl.Series([day]).dt.offset_by(f"{months}mo").dt.month_end()[0]


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


STATUS_WORDS = {
    MET: "met",
    MISSED: "not met",
    ON_TRACK: "on track on the recent trend",
    OFF_TRACK: "off track on the recent trend",
    LIKELY: "met on the trend line, but the range includes higher rates",
    UNLIKELY: "missed on the trend line, but the range reaches the target",
    BEYOND: "beyond the projection",
    NO_FIGURE: "no figure",
}


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
    now = series.filter(pl.col("date") == wf.latest).row(0, named=True)
    sentences = []
    if now["agency_rate"] is not None:
        first = (
            f"At {long_date(wf.latest)}, agency workers made up {pct(now['agency_rate'])} of {authority}'s children's "
            f"social workers, counted in full-time equivalents (FTE): {now['agency_fte']:,.1f} agency FTE against "
            f"{now['inpost_fte']:,.1f} FTE employed directly by the council"
        )
        year_ago = series.filter(pl.col("date") == _shift(wf.latest, -12)).drop_nulls("agency_rate")
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


def section_metrics(inputs: Inputs, period: str) -> pl.DataFrame:
    """metrics.csv rows for the section (see docs/metrics.md); empty without a workforce snapshot."""
    if missing_input(inputs, period) is not None:
        return combine([])
    wf = prepare(inputs, period, caseload_threshold=CASELOAD_THRESHOLD)
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
        ("caseload_over_20_share", "over_threshold_share", False),
    ]:
        frames.append(tidy(series.drop_nulls(column), metric, column))
        if by_team:
            source = team_loads if column == "median_caseload" else teams
            frames.append(tidy(source.drop_nulls(column), metric, column, breakdown="breakdown"))
    return combine(frames)


# --- Figures: each chart with its text alternative and its table -------------------------------

CONTRACT_LABELS = {
    "permanent": "Permanent",
    "fixed_term": "Fixed-term",
    "agency": "Agency",
    "vacant": "Vacant (empty seat)",
}

LABELS = {
    "date": "Snapshot",
    "team": "Team",
    "contract": "Contract",
    "fte": "Full-time equivalent (FTE)",
    "posts": "Posts",
    "agency_rate": "Agency rate (% of FTE)",
    "agency_rate_headcount": "Agency rate (% of workers)",
    "agency_rate_case_holding": "Agency rate, case-holding practitioners (% of FTE)",
    "agency_fte": "Agency FTE",
    "inpost_fte": "Directly employed FTE",
    "permanent_fte": "Permanent FTE",
    "fixed_term_fte": "Fixed-term FTE",
    "fixed_term_headcount": "Fixed-term posts",
    "vacant_fte": "Empty seats FTE",
    "vacancy_fte": "Vacancy FTE (empty or agency-covered)",
    "vacancy_rate": "Vacancy rate (%)",
    "vacancy_agency_cover_rate": "Vacancies covered by agency (%)",
    "posts_total": "Posts",
    "agency_headcount": "Agency workers",
    "inpost_headcount": "Directly employed workers",
    "agency_rate_1m": "Agency rate a month earlier (%)",
    "agency_rate_3m": "Agency rate three months earlier (%)",
    "change_1m": "Change over the month (percentage points)",
    "change_3m": "Change over three months (percentage points)",
    "team_manager_posts": "Team-manager posts",
    "permanent_team_managers": "Permanent",
    "agency_team_managers": "Agency",
    "fixed_term_team_managers": "Fixed-term",
    "vacant_team_manager_posts": "Vacant",
    "case_holders": "Case-holding workers",
    "cases": "Children allocated",
    "average_caseload": "Average caseload",
    "caseload_per_fte": "Caseload per FTE",
    "median_caseload": "Median caseload",
    "max_caseload": "Highest caseload",
    "over_threshold": "Workers over the threshold",
    "over_threshold_share": "Share over the threshold",
    "area_label": "Area",
    "value": "Agency rate (%)",
    "source": "Source",
    "target": "Target (%)",
    "actual": "Actual (%)",
    "projected": "Projected on the recent trend (%)",
    "lower": "Range: low (%)",
    "upper": "Range: high (%)",
    "status": "Assessment",
}

RATE_DECIMALS = {
    c: 1
    for c in (
        "agency_rate",
        "agency_rate_headcount",
        "agency_rate_case_holding",
        "vacancy_rate",
        "vacancy_agency_cover_rate",
        "agency_rate_1m",
        "agency_rate_3m",
        "change_1m",
        "change_3m",
        "over_threshold_share",
        "value",
        "target",
        "actual",
        "projected",
        "lower",
        "upper",
        "fte",
        "agency_fte",
        "inpost_fte",
        "permanent_fte",
        "fixed_term_fte",
        "vacant_fte",
        "vacancy_fte",
        "average_caseload",
        "caseload_per_fte",
        "median_caseload",
    )
}
HEADCOUNTS = [
    "posts",
    "agency_headcount",
    "inpost_headcount",
    "fixed_term_headcount",
    "team_manager_posts",
    "permanent_team_managers",
    "agency_team_managers",
    "fixed_term_team_managers",
    "vacant_team_manager_posts",
    "case_holders",
    "cases",
    "max_caseload",
    "over_threshold",
]


def _labels(wf: WorkforceSection) -> dict[str, str]:
    return {
        **LABELS,
        "over_threshold": f"Workers with more than {wf.threshold}",
        "over_threshold_share": f"Share with more than {wf.threshold} (%)",
    }


def _census_rows(wf: WorkforceSection) -> pl.DataFrame:
    """The snapshots at each 30 September (the DfE census date) and the latest one."""
    s = wf.series
    return s.filter(
        ((pl.col("date").dt.month() == 9) & (pl.col("date").dt.day() == 30)) | (pl.col("date") == wf.latest)
    )


def agency_rate_figure(wf: WorkforceSection, authority: str) -> charts.Figure:
    """The agency rate at each snapshot with the published England (and regional) rates."""
    table = _census_rows(wf).select(
        "date", "agency_fte", "inpost_fte", "agency_rate", "agency_rate_headcount", "agency_rate_case_holding"
    )
    england = wf.comparator_rates.filter(pl.col("area") == "england").select("date", pl.col("value").alias("england"))
    table = table.join(england, on="date", how="left")
    return charts.Figure(
        charts.line_with_comparators(
            wf.series,
            wf.comparator_rates,
            value="agency_rate",
            title="Agency workers as a share of children's social workers",
            subtitle="Agency full-time equivalent (FTE) / (agency + directly employed FTE), each month; comparators "
            "are the DfE's figures at 30 September, held until the next one",
            y_title="Agency rate (%)",
            authority=authority,
        ),
        charts.describe_trend(
            wf.series, "agency_rate", "the agency rate (percent of FTE) at each snapshot", decimals=1
        ),
        table,
        caption="The agency rate at each 30 September (the DfE's census date) and at the latest snapshot",
        decimals=RATE_DECIMALS | {"england": 1},
        labels={**LABELS, "england": "England, DfE (%)"},
    )


def projection_figure(wf: WorkforceSection) -> charts.Figure:
    """The agency rate's recent straight-line trend carried forward, with its band and the targets."""
    history = wf.series.select("date", "agency_rate").drop_nulls().tail(24)
    x = alt.X("date:T", title="Month end", axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=8))
    y = alt.Y("value:Q", title="Agency rate (%)", scale=alt.Scale(zero=True))
    layers: list[alt.Chart] = [
        alt.Chart(history.rename({"agency_rate": "value"}))
        .mark_line(color=charts.AUTHORITY, strokeWidth=3)
        .encode(x=x, y=y)
    ]
    p = wf.projection
    subtitle = "Too few recent snapshots to project the trend"
    if p is not None:
        line = pl.concat(
            [
                p.fitted.rename({"fitted": "value"}),
                p.frame.select("date", pl.col("projected").alias("value")),
            ]
        )
        subtitle = (
            f"Dashed: the straight-line trend of the last {p.points} snapshots, carried forward; shaded: the "
            f"{round(p.level * 100)}% range; diamonds: the targets"
        )
        layers += [
            alt.Chart(p.frame)
            .mark_area(color=charts.AUTHORITY, opacity=0.18)
            .encode(x=x, y=alt.Y("lower:Q", title="Agency rate (%)"), y2="upper:Q"),
            alt.Chart(line).mark_line(color="#505a5f", strokeWidth=2, strokeDash=[6, 4]).encode(x=x, y=y),
        ]
    else:
        subtitle += "; diamonds: the targets"
    first = history["date"].min()
    targets = wf.targets.filter(pl.col("date") >= first) if first is not None else wf.targets
    if p is not None:
        targets = targets.filter(pl.col("date") <= p.frame["date"].max())
    targets = targets.select("date", pl.col("target").alias("value")).with_columns(
        pl.format("Target {}%", pl.col("value").round(1)).alias("label")
    )
    if targets.height:
        layers += [
            alt.Chart(targets).mark_point(shape="diamond", size=110, filled=True, color="#0b0c0c").encode(x=x, y=y),
            alt.Chart(targets)
            .mark_text(align="left", dx=8, dy=12, fontSize=12, color="#0b0c0c")
            .encode(x=x, y=y, text="label:N"),
        ]
    chart = alt.layer(*layers).properties(
        title=alt.Title("The agency rate on its recent trend, against the targets", subtitle=subtitle),
        width=charts.WIDTH,
        height=charts.HEIGHT,
    )
    text = charts.describe_trend(history, "agency_rate", "the agency rate over the last 24 snapshots", decimals=1)
    data = p.frame if p is not None else None
    return charts.Figure(
        chart,
        f"{text} {projection_sentence(wf)}",
        data,
        caption="The agency rate projected on its recent trend, with its range",
        decimals=RATE_DECIMALS,
        labels={**LABELS, "date": "Month end"},
    )


def targets_table(wf: WorkforceSection) -> dict:
    """The agency-rate targets against the actual or projected rate, ready for `report.table(**...)`."""
    frame = wf.targets.with_columns(pl.col("status").replace_strict(STATUS_WORDS, default=pl.col("status")))
    return {
        "frame": frame,
        "caption": "Agency-rate targets set at review, against the rate and its recent trend",
        "decimals": RATE_DECIMALS,
        "labels": {**LABELS, "date": "Target month end"},
    }


def _percent_bars(frame: pl.DataFrame, *, category: str, value: str, title: str, subtitle: str = "") -> alt.LayerChart:
    """Horizontal bars of a percentage, each labelled with its value (or 'nobody in post')."""
    shown = frame.with_columns(
        pl.when(pl.col(value).is_null())
        .then(pl.lit("nobody in post"))
        .otherwise(pl.col(value).round(1).cast(pl.String) + "%")
        .alias("_label"),
        pl.col(value).fill_null(0).alias("_pos"),
    )
    y = alt.Y(f"{category}:N", sort=frame[category].to_list(), title=None, axis=alt.Axis(labelLimit=320))
    base = alt.Chart(shown).encode(y=y)
    return alt.layer(
        base.mark_bar(color=charts.AUTHORITY).encode(
            x=alt.X(f"{value}:Q", title="Agency rate (%)", scale=alt.Scale(domain=[0, 100]))
        ),
        base.mark_text(align="left", dx=4, fontSize=12).encode(x="_pos:Q", text="_label:N"),
    ).properties(title=alt.Title(title, subtitle=subtitle), width=charts.WIDTH - 200, height=max(60, 28 * frame.height))


def team_figure(wf: WorkforceSection) -> charts.Figure:
    """The agency rate of each team at the latest snapshot, with each team's rate a month and three months before."""
    frame = wf.team_latest
    top = frame.drop_nulls("agency_rate")
    words = "; ".join(
        f"{t} {pct(r)}" if r is not None else f"{t}: nobody in post"
        for t, r in frame.select("team", "agency_rate").iter_rows()
    )
    alt_text = f"Bar chart of the agency rate of each team at {long_date(wf.latest)}: {words}."
    if top.height:
        alt_text += f" The highest is {top['team'][0]} at {pct(top['agency_rate'][0])}."
    return charts.Figure(
        _percent_bars(
            frame,
            category="team",
            value="agency_rate",
            title=f"Agency rate by team at {long_date(wf.latest)}",
            subtitle="Agency FTE / (agency + directly employed FTE) in each team",
        ),
        alt_text,
        frame.select(
            "team",
            "posts",
            "inpost_fte",
            "agency_fte",
            "agency_rate",
            "agency_rate_1m",
            "agency_rate_3m",
            "agency_rate_headcount",
            "vacancy_rate",
        ),
        caption=f"Agency and vacancy rates by team at {long_date(wf.latest)}",
        counts=HEADCOUNTS,
        decimals=RATE_DECIMALS,
        labels=LABELS,
    )


def rising_table(wf: WorkforceSection) -> dict:
    """The teams whose agency rate rose, ready for `report.table(**...)`."""
    return {
        "frame": wf.rising.select("team", "agency_rate_3m", "agency_rate_1m", "agency_rate", "change_1m", "change_3m"),
        "caption": "Teams whose agency rate rose over the last month or the last three months",
        "decimals": RATE_DECIMALS,
        "labels": {**LABELS, "agency_rate": "Agency rate now (%)"},
    }


def posts_figure(wf: WorkforceSection) -> charts.Figure:
    """The agency and vacancy rates over time, with the fixed-term posts in the table."""
    long = wf.series.select(
        "date",
        pl.col("agency_rate").alias("Agency rate"),
        pl.col("vacancy_rate").alias("Vacancy rate"),
    ).unpivot(index="date", variable_name="measure", value_name="rate")
    return charts.Figure(
        charts.lines(
            long,
            value="rate",
            series="measure",
            title="Agency and vacancy rates at each snapshot",
            subtitle="Vacancies are posts without a directly employed worker, whether or not agency staff cover them",
            y_title="Percent of FTE",
            order=["Agency rate", "Vacancy rate"],
        ),
        charts.describe_trend(
            wf.series, "vacancy_rate", "the vacancy rate (percent of FTE) at each snapshot", decimals=1
        )
        + " "
        + charts.describe_trend(wf.series, "agency_rate", "the agency rate over the same snapshots", decimals=1),
        wf.series.select(
            "date",
            "inpost_fte",
            "agency_fte",
            "vacant_fte",
            "vacancy_fte",
            "vacancy_rate",
            "vacancy_agency_cover_rate",
            "fixed_term_fte",
            "fixed_term_headcount",
        ).tail(13),
        caption="Vacancies and fixed-term posts, last 13 snapshots",
        counts=HEADCOUNTS,
        decimals=RATE_DECIMALS,
        labels=LABELS,
    )


def contracts_figure(wf: WorkforceSection) -> charts.Figure:
    """Full-time equivalent by contract over time, stacked to the whole establishment; the latest in the table."""
    order = list(CONTRACT_LABELS.values())
    long = (
        wf.series.select("date", *[pl.col(f"{c}_fte").alias(label) for c, label in CONTRACT_LABELS.items()])
        .unpivot(index="date", variable_name="contract", value_name="fte")
        .with_columns(pl.col("contract").replace_strict({c: i for i, c in enumerate(order)}).alias("_order"))
    )
    chart = (
        alt.Chart(long)
        .mark_area()
        .encode(
            x=alt.X("date:T", title="Month end", axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=8)),
            y=alt.Y("fte:Q", title="Full-time equivalent (FTE)", stack="zero"),
            color=alt.Color(
                "contract:N",
                scale=alt.Scale(domain=order, range=["#0072B2", "#56B4E9", "#E69F00", "#d9d9d9"]),
                sort=order,
                title=None,
            ),
            order=alt.Order("_order:Q"),
        )
        .properties(
            title=alt.Title(
                "Social work posts by contract, in full-time equivalents (FTE)",
                subtitle="Every social-work post in the establishment, stacked; managers included",
            ),
            width=charts.WIDTH,
            height=charts.HEIGHT,
        )
    )
    now = wf.contracts
    words = "; ".join(f"{c.lower()} {f:,.1f} FTE" for c, f in now.select("contract", "fte").iter_rows())
    return charts.Figure(
        chart,
        f"Stacked area chart of social work FTE by contract at each snapshot from "
        f"{long_month(wf.series['date'].min())} to {long_month(wf.latest)}. At {long_date(wf.latest)}: {words}.",
        now,
        caption=f"Posts by contract at {long_date(wf.latest)}",
        counts=["posts"],
        decimals=RATE_DECIMALS,
        labels=LABELS,
    )


def team_managers_figure(wf: WorkforceSection) -> charts.Figure:
    """Team-manager posts and how many permanent managers fill them."""
    counts = ["team_manager_posts", "permanent_team_managers"]
    long = (
        mask_small(wf.series.select("date", *counts), counts)
        .select(
            "date",
            pl.col("team_manager_posts").alias("Team-manager posts"),
            pl.col("permanent_team_managers").alias("Filled by permanent managers"),
        )
        .unpivot(index="date", variable_name="who", value_name="posts")
    )
    now = wf.series.filter(pl.col("date") == wf.latest).row(0, named=True)
    return charts.Figure(
        charts.lines(
            long,
            value="posts",
            series="who",
            title="Team-manager posts and permanent team managers",
            y_title="Posts",
            order=["Team-manager posts", "Filled by permanent managers"],
        ),
        charts.describe_trend(
            wf.series, "permanent_team_managers", "the number of permanent team managers at each snapshot", count=True
        )
        + f" At {long_date(wf.latest)}, {show_count(now['permanent_team_managers'])} of "
        f"{show_count(now['team_manager_posts'])} team-manager posts were filled by permanent managers.",
        wf.series.select(
            "date",
            "team_manager_posts",
            "permanent_team_managers",
            "fixed_term_team_managers",
            "agency_team_managers",
            "vacant_team_manager_posts",
        ).tail(13),
        caption="Team-manager posts by contract, last 13 snapshots",
        counts=HEADCOUNTS,
        labels=LABELS,
    )


def caseload_figure(wf: WorkforceSection) -> charts.Figure:
    """The share of case-holding workers over the caseload threshold, with the averages in the table."""
    frame = wf.series.drop_nulls("over_threshold_share")
    return charts.Figure(
        charts.simple_line(
            frame,
            x="date",
            y="over_threshold_share",
            title=f"Case-holding workers with more than {wf.threshold} children allocated",
            subtitle="Share of workers holding at least one case",
            x_title="Snapshot",
            y_title=f"Percent with more than {wf.threshold}",
        ),
        charts.describe_trend(
            frame,
            "over_threshold_share",
            f"the percent of case holders with more than {wf.threshold} cases",
            decimals=1,
        )
        + " "
        + charts.describe_trend(frame, "average_caseload", "the average caseload per case-holding worker", decimals=1),
        frame.select(
            "date",
            "case_holders",
            "cases",
            "average_caseload",
            "caseload_per_fte",
            "median_caseload",
            "over_threshold",
            "over_threshold_share",
        ).tail(13),
        caption="Caseloads, last 13 snapshots",
        counts=HEADCOUNTS,
        decimals=RATE_DECIMALS,
        labels=_labels(wf),
    )


def caseload_teams_figure(wf: WorkforceSection) -> charts.Figure:
    """Each team's caseloads at the latest snapshot: the median as a bar, the highest as a tick."""
    frame = wf.caseload_teams.filter(pl.col("date") == wf.latest).sort("median_caseload", descending=True)
    y = alt.Y("team:N", sort=frame["team"].to_list(), title=None, axis=alt.Axis(labelLimit=320))
    x_title = "Children allocated per worker"
    base = alt.Chart(mask_small(frame, ["max_caseload"])).encode(y=y)
    chart = alt.layer(
        base.mark_bar(color=charts.AUTHORITY).encode(x=alt.X("median_caseload:Q", title=x_title)),
        base.mark_tick(color="#D55E00", thickness=3, size=20).encode(x="max_caseload:Q"),
        alt.Chart(pl.DataFrame({"threshold": [wf.threshold]}))
        .mark_rule(color="#505a5f", strokeDash=[6, 4])
        .encode(x="threshold:Q"),
    ).properties(
        title=alt.Title(
            f"Caseloads by team at {long_date(wf.latest)}",
            subtitle=f"Bars: median caseload; orange ticks: the highest caseload; dashed line: {wf.threshold}",
        ),
        width=charts.WIDTH - 200,
        height=max(60, 28 * frame.height),
    )
    words = "; ".join(
        f"{t} median {m:.0f}, highest {show_count(x)}"
        for t, m, x in frame.select("team", "median_caseload", "max_caseload").iter_rows()
    )
    return charts.Figure(
        chart,
        f"Bar chart of the median caseload of each team at {long_date(wf.latest)}, with the highest caseload marked: "
        f"{words}.",
        frame.select(
            "team",
            "case_holders",
            "cases",
            "average_caseload",
            "median_caseload",
            "max_caseload",
            "over_threshold",
            "over_threshold_share",
        ),
        caption=f"Caseloads by team at {long_date(wf.latest)}",
        counts=HEADCOUNTS,
        decimals=RATE_DECIMALS,
        labels=_labels(wf),
    )


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
    "caseload_over_20_share",
]
