"""The social worker stability section: how often children in care change worker, who their worker is,
and how that goes with agency reliance and with the time from plan to order.

`prepare` computes every frame once from the allocations (and the 903 and permanence tracker);
`stability_figures` charts and tabulates them, `headlines` turns them into sentences and
`metrics` into metrics.csv rows. The definitions are in `analysis.metrics.stability`; the metric entries
in `analysis.core.definitions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from analysis.core.periods import long_date, long_month, parse_period, shift_months, window
from analysis.load.inputs import Inputs
from analysis.metrics import stability as st
from analysis.metrics.tidy import combine, tidy
from analysis.sections.small_counts import rate_shown

#: Months shown (and written to metrics.csv) up to the review period.
MONTHS = 24
FILE_NEEDED = (
    "a file of social worker allocations (allocations.csv or allocations.xlsx, see data/README.md): one row per "
    "allocation of a child to a worker, with the worker's team and contract and the start and end dates"
)
WHAT_IT_SHOWS = (
    "It would show how many children in care have had the same social worker for the last 12 months, how many "
    "changes of worker they have had, how many have an agency worker, team by team, and how that goes with "
    "agency reliance and with the time from plan to order for special guardianship and discharge."
)
#: Figures quoted in the reviews, by the authority's DfE code: (month end, percent, where quoted).
QUOTED: dict[int, list[tuple[date, float, str]]] = {
    884: [
        (date(2023, 1, 31), 11.8, "Report of the Children's Services Commissioner in Herefordshire, December 2023"),
        (date(2023, 7, 31), 19.0, "Report of the Children's Services Commissioner in Herefordshire, December 2023"),
    ]
}
#: Fewer orders than this in all: the link with permanence is not drawn.
LINK_MINIMUM = 20


@dataclass(frozen=True)
class StabilitySection:
    """The section's figures for one review period."""

    end: date  # the review period's month end
    covered_from: date | None  # the allocations are complete from this day (`stability.coverage_start`)
    series: pl.DataFrame  # one row per month end: the measures for all children in care, with intervals
    teams: pl.DataFrame  # one row per (month end, team): the measures by the team of the child's worker
    team_latest: pl.DataFrame  # one row per team at `end`, with intervals and the workforce agency rate
    distribution: pl.DataFrame  # one row per (month end, band): children by changes of worker in 12 months
    groups: pl.DataFrame  # the teams with most agency staff against the others, at `end` (may be empty)
    timeliness: pl.DataFrame | None  # days from plan to order by changes of worker; None without a tracker
    orders: int  # orders made that `timeliness` describes
    quoted: pl.DataFrame  # the figures the reviews quote: date, value, source
    unallocated: int  # children in care at `end` with no allocated worker
    unknown_children: int  # children in the allocations who are not in the 903


def missing_input(inputs: Inputs, period: str) -> str | None:
    """What the section still needs, in words for `report.missing`, or None when it can be shown."""
    if inputs.allocations is None:
        return FILE_NEEDED
    end = parse_period(period)
    if not months(inputs.allocations, end).len():
        return (
            f"social worker allocations covering at least the 12 months before {long_date(end)} (the allocations "
            "file holds no month whose previous 12 months it covers)"
        )
    return None


def months(allocations: pl.DataFrame, end: date) -> pl.Series:
    """The month ends shown: `MONTHS` up to `end` whose previous 12 months the allocations cover."""
    covered = st.coverage_start(allocations)
    ends = window(end, MONTHS)
    if covered is None:
        return ends.head(0)
    return ends.filter(ends.dt.offset_by(f"-{st.WINDOW_MONTHS}mo").dt.month_end() >= covered)


def prepare(inputs: Inputs, period: str) -> StabilitySection:
    """Compute every figure of the section for the review period (call only if `missing_input` is None)."""
    if inputs.allocations is None:
        raise ValueError("the stability section needs allocations; check missing_input() first")
    end = parse_period(period)
    allocations = inputs.allocations.filter(pl.col("start_date") <= end)
    dates = months(allocations, end)
    children = st.children_at(inputs.episodes, allocations, dates)
    series = _intervals(st.stability(children))
    teams = st.by_team(children, teams=allocations["team"].drop_nulls().unique().to_list())
    latest = dates.max()
    team_latest = _intervals(teams.filter(pl.col("date") == latest)).join(
        _workforce_rates(inputs, end), on="team", how="left"
    )
    team_latest = team_latest.sort("agency_share", descending=True, nulls_last=True)
    covered = st.coverage_start(allocations)
    timeliness, orders = None, 0
    if inputs.permanence is not None:
        rows = st.plan_to_order(inputs.permanence.filter(pl.col("outcome_date") <= end), allocations, covered)
        timeliness, orders = st.timeliness_by_changes(rows), rows.height
    known = set(inputs.header["CHILD"].to_list()) | set(inputs.episodes["CHILD"].to_list())
    now = children.filter(pl.col("date") == latest)
    return StabilitySection(
        end=latest,  # type: ignore[arg-type]
        covered_from=covered,
        series=series,
        teams=teams,
        team_latest=team_latest,
        distribution=st.changes_distribution(children),
        groups=agency_groups(now, team_latest),
        timeliness=timeliness,
        orders=orders,
        quoted=quoted(inputs, dates),
        unallocated=now.filter(~pl.col("allocated")).height,
        unknown_children=allocations.filter(~pl.col("child_id").is_in(list(known)))["child_id"].n_unique(),
    )


def _intervals(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the 95% Wilson intervals of the same-worker and agency shares."""
    frame = st.with_intervals(frame, "same_worker", "children_12m", "same_worker_share")
    return st.with_intervals(frame, "agency", "allocated", "agency_share")


def _workforce_rates(inputs: Inputs, end: date) -> pl.DataFrame:
    """Each team's agency rate (FTE) in the latest workforce snapshot on or before `end` (empty without one)."""
    empty = pl.DataFrame(schema={"team": pl.String, "workforce_agency_rate": pl.Float64})
    if inputs.workforce is None:
        return empty
    from analysis.metrics.workforce import agency_rate, totals

    snapshot = inputs.workforce.filter(pl.col("snapshot_date") <= end)
    if snapshot.height == 0:
        return empty
    latest = snapshot.filter(pl.col("snapshot_date") == snapshot["snapshot_date"].max())
    rates = agency_rate(totals(latest, by=("team",)))
    return rates.select("team", pl.col("agency_rate").alias("workforce_agency_rate"))


def agency_groups(children: pl.DataFrame, team_latest: pl.DataFrame) -> pl.DataFrame:
    """The teams with most agency staff against the other teams, pooled, at the latest month end.

    Teams with at least `SMALL` children in care for 12 months are ranked by the share of their
    children whose worker is agency staff; the top half (rounded down, at least one) are "the
    teams with most agency staff". One row per group: group, teams (names), children_12m,
    same_worker, share and its 95% Wilson interval. Empty when fewer than two teams can be compared.
    """
    eligible = team_latest.filter(pl.col("children_12m") >= st.SMALL).sort("agency_share", descending=True)
    if eligible.height < 2:
        return pl.DataFrame(
            schema={"group": pl.String, "teams": pl.String, "children_12m": pl.Int64, "same_worker": pl.Int64}
        )
    names = eligible["team"].to_list()
    top = names[: max(1, len(names) // 2)]
    rows = []
    for group, members in [("Teams with most agency staff", top), ("Other teams", names[len(top) :])]:
        counts = st.pooled(children, members)
        rows.append({"group": group, "teams": ", ".join(members), **counts})
    frame = pl.DataFrame(rows).with_columns(
        (pl.col("same_worker") / pl.col("children_12m") * 100).alias("same_worker_share")
    )
    return st.with_intervals(frame, "same_worker", "children_12m", "same_worker_share")


def quoted(inputs: Inputs, dates: pl.Series) -> pl.DataFrame:
    """The same-worker figures the reviews quote for this authority, within the months shown."""
    rows = QUOTED.get(inputs.authority.dfe_code or 0, [])
    frame = pl.DataFrame(rows, schema={"date": pl.Date, "value": pl.Float64, "source": pl.String}, orient="row")
    if dates.len() == 0:
        return frame.head(0)
    return frame.filter(pl.col("date").is_between(dates.min(), dates.max()))


# --- Words ----------------------------------------------------------------------------------------


def pct(value: float | None) -> str:
    """A share as the section writes it: a whole percent."""
    return "–" if value is None else f"{value:.0f}%"


def share_text(part: int, whole: int) -> str:
    """'19% (51 of 269)', or 'not shown (fewer than 5 children)' where the share would reveal a small count."""
    if whole == 0:
        return "no children"
    if not rate_shown(part, whole):
        return "not shown (built on fewer than 5 children)"
    return f"{part / whole * 100:.0f}% ({part:,} of {whole:,})"


def interval_text(part: int, whole: int, low: float | None, high: float | None) -> str:
    """', likely between 14% and 24%' (the 95% Wilson interval); empty where the share is not shown."""
    if low is None or high is None or not rate_shown(part, whole):
        return ""
    return f", likely between {low:.0f}% and {high:.0f}%"


def _row(frame: pl.DataFrame, day: date) -> dict | None:
    rows = frame.filter(pl.col("date") == day)
    return rows.row(0, named=True) if rows.height else None


def same_worker_sentence(s: StabilitySection, authority: str) -> str:
    """The headline figure, a year before, and the figures the reviews quoted."""
    now = _row(s.series, s.end)
    assert now is not None
    text = (
        f"At {long_date(s.end)}, {share_text(now['same_worker'], now['children_12m'])} of {authority}'s children in "
        "care for a year or more had had the same social worker for the whole of the previous 12 months"
    )
    before = _row(s.series, shift_months(s.end, -12))
    if before is not None and before["children_12m"] and rate_shown(before["same_worker"], before["children_12m"]):
        text += f", against {pct(before['same_worker_share'])} a year earlier"
    return text + "."


def quoted_sentence(s: StabilitySection) -> str | None:
    """The reviews' figures beside the same months here, or None when none falls in the months shown."""
    parts = []
    for day, value, _ in s.quoted.iter_rows():
        row = _row(s.series, day)
        if row is not None:
            parts.append(f"{value:.1f}% in {long_month(day)} (here {pct(row['same_worker_share'])})")
    if not parts:
        return None
    return "The Commissioner's December 2023 report quoted " + " and ".join(parts) + "."


def groups_sentence(s: StabilitySection) -> str:
    """The teams with most agency staff against the others, with the uncertainty, said as an association."""
    if s.groups.height < 2:
        return (
            "Too few teams have five or more children in care for a year to compare teams with more and fewer "
            "agency staff."
        )
    top, rest = s.groups.row(0, named=True), s.groups.row(1, named=True)
    return (
        f"In the teams with most agency staff ({top['teams']}), it was "
        f"{share_text(top['same_worker'], top['children_12m'])}{_interval(top)}; in the other teams ({rest['teams']}), "
        f"{share_text(rest['same_worker'], rest['children_12m'])}{_interval(rest)}. "
        "This is an association, not proof that agency staffing causes the changes."
    )


def _interval(row: dict) -> str:
    return interval_text(
        row["same_worker"], row["children_12m"], row["same_worker_share_low"], row["same_worker_share_high"]
    )


def changes_sentence(s: StabilitySection) -> str:
    """How many children had a change of worker in the last year, and three or more workers."""
    now = _row(s.series, s.end)
    assert now is not None
    return (
        f"{share_text(now['changed'], now['children'])} of children in care had at least one change of social "
        f"worker in the 12 months to {long_date(s.end)}; {share_text(now['three_or_more_workers'], now['children'])} "
        "had three or more different workers."
    )


def agency_sentence(s: StabilitySection) -> str:
    """The share of children whose worker is agency staff, and the children with no allocated worker."""
    now = _row(s.series, s.end)
    assert now is not None
    text = (
        f"{share_text(now['agency'], now['allocated'])} of children in care with an allocated social worker had an "
        "agency worker"
    )
    if s.unallocated:
        text += f"; {show(s.unallocated)} had no allocated worker in the file"
    return text + "."


def show(count: int) -> str:
    """A count of children as the pack writes it ("c" for a small count)."""
    from analysis.core.disclosure import show_count

    return show_count(count)


def timeliness_sentence(s: StabilitySection) -> str:
    """Plan to order by changes of worker, or plainly why it cannot be said."""
    if s.timeliness is None:
        return "The link with the time from plan to order needs the permanence tracker (permanence.csv)."
    drawn = s.timeliness.drop_nulls("median_days")
    if s.orders < LINK_MINIMUM or drawn.height < 2:
        return (
            f"Only {show(s.orders)} special guardianship or discharge orders have both a plan date and allocations "
            "covering the whole time from plan to order: too few to say whether changes of worker go with longer "
            "waits."
        )
    first, last = drawn.row(0, named=True), drawn.row(-1, named=True)
    label = {"0": "no change", "1": "one change", "2": "two changes", "3_or_more": "three or more changes"}
    return (
        f"Of {s.orders:,} special guardianship and discharge orders, those for children with {label[first['band']]} "
        f"of social worker between plan and order took a median of {first['median_days']:.0f} days from plan to "
        f"order; with {label[last['band']]}, {last['median_days']:.0f} days. Longer cases have more time for a "
        "change, so this is an association, not a cause."
    )


def headlines(s: StabilitySection, authority: str) -> list[str]:
    """Four or five sentences for the advisor, each built from the computed figures."""
    first = same_worker_sentence(s, authority)
    said = quoted_sentence(s)
    return [
        first + (" " + said if said else ""),
        groups_sentence(s),
        changes_sentence(s),
        agency_sentence(s),
        timeliness_sentence(s),
    ]


DEFINITIONS_NOTE = (
    "A change of worker is a new social worker allocated to the child; the first worker in the 12 months is not a "
    f"change. When the outgoing and incoming workers overlap for a hand-over (up to {st.HANDOVER_DAYS} days is "
    "expected), that is one change, not two. The same worker for 12 months counts only children in care for a "
    "year or more, with a worker allocated at both ends of the year and no change between."
)
UNCERTAINTY_NOTE = (
    "The shaded band and the lines through the dots are 95% intervals (Wilson intervals): the range the share "
    "would likely fall in if the same things happened again to a group of this size. With few children the range "
    "is wide; where two ranges overlap a lot, the difference may be chance. Groups of fewer than 5 children are "
    "not drawn."
)
NO_LINK_CHART = (
    "Too few teams have five or more children in care for a year to draw the teams against each other: the "
    "figures for each team are in the table above."
)
LINK_NOTE = (
    "These charts show what goes together, not what causes what. Teams differ in the children they hold, and a "
    "plan that takes longer has more time for a change of worker, so a longer wait can cause changes as well as "
    "follow them. No trend line is drawn: there are too few teams to carry one."
)


# --- Metrics --------------------------------------------------------------------------------------


def _safe(frame: pl.DataFrame, part: str, whole: str) -> pl.DataFrame:
    """The rows whose share part / whole can be shown: a whole above 0, and neither a small count."""
    keep = [w > 0 and rate_shown(p, w) for p, w in frame.select(part, whole).iter_rows()]
    return frame.filter(pl.Series(keep, dtype=pl.Boolean))


#: Each share metric: (its part, its whole) in `stability.stability`'s columns.
SHARES = {
    "same_worker_12m_share": ("same_worker", "children_12m"),
    "changed_worker_12m_share": ("changed", "children"),
    "three_or_more_workers_12m_share": ("three_or_more_workers", "children"),
    "agency_allocated_share": ("agency", "allocated"),
}
#: The column of `stability.stability` each metric id is written from.
METRIC_COLUMNS = {**{m: f"{part}_share" for m, (part, _) in SHARES.items()}, "stability_children_12m": "children_12m"}


def metrics(s: StabilitySection) -> pl.DataFrame:
    """metrics.csv rows for the section (see docs/metrics.md), from the computed section.

    Shares are written only where they do not reveal a small count (as the pages show them).
    """
    teams = s.teams.with_columns(("team:" + pl.col("team")).alias("breakdown"))
    frames = []
    for metric, (part, whole) in SHARES.items():
        column = METRIC_COLUMNS[metric]
        frames.append(tidy(_safe(s.series, part, whole), metric, column))
        frames.append(tidy(_safe(teams, part, whole), metric, column, breakdown="breakdown"))
    frames.append(tidy(s.series, "stability_children_12m", METRIC_COLUMNS["stability_children_12m"]))
    frames.append(tidy(s.distribution, "worker_changes_12m", "children", breakdown="band"))
    if s.timeliness is not None:
        rows = s.timeliness.drop_nulls("median_days").with_columns(pl.lit(s.end).alias("date"))
        frames.append(tidy(rows, "plan_to_order_days_by_worker_changes", "median_days", breakdown="band"))
    return combine(frames)


#: The metrics the notebook defines at the foot of the page.
DEFINED = [
    "same_worker_12m_share",
    "worker_changes_12m",
    "changed_worker_12m_share",
    "three_or_more_workers_12m_share",
    "agency_allocated_share",
    "plan_to_order_days_by_worker_changes",
]
