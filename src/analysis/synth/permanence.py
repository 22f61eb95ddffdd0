"""The permanence tracker, built from the simulated 903 histories.

Every row belongs to a child who was in care on each of its dates:

* each SGO exit (REC E45-E48) from April 2019, each child arrangements order (E41) from
  April 2019 and each discharge home from a full care order (C2 then E4A) from December
  2019, when monthly tracking began ([HC-SCRUTINY-2020-12]), has an `order_made` row with
  stage dates back-dated from the 903 DEC;
* children on an SGO plan whose carers will not proceed ([HC-SCRUTINY-2020-12]) have
  `carers_agree = no` rows, withdrawn when they leave care;
* children still in care in March 2024 on an SGO, discharge or CAO plan have open rows
  at their current stage, with a planned application month;
* some negative assessments, plans withdrawn when a child left care another way, and one
  refused application.

Deliberate reconciliation faults (documented in docs/data_log.md): two SGO exits in
2022/23 have no row, and one 2021/22 SGO row has an outcome date 45 days after the DEC.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ._util import ONE_DAY, iso, write_csv
from .model import Child, Episode

COLUMNS = (
    "child_id",
    "route",
    "identified_date",
    "assessing_date",
    "assessment_complete_date",
    "assessment_outcome",
    "carers_agree",
    "sent_to_legal_date",
    "filed_with_court_date",
    "outcome",
    "outcome_date",
    "planned_application_month",
    "blocker",
    "support_plan",
)
END = date(2024, 3, 31)
TRACK_FROM = {
    "special_guardianship_order": date(2019, 4, 1),
    "child_arrangements_order": date(2019, 4, 1),
    "discharge_to_parents": date(2019, 12, 1),
}
SGO_RECS = ("E45", "E46", "E47", "E48")
MISMATCH_DAYS = 45
#: Gaps (days) before the next stage: identified -> assessing -> complete -> legal -> court
#: -> order, per route.
GAPS = {
    "special_guardianship_order": ((14, 120), (45, 120), (30, 150), (90, 240), (120, 300)),
    "discharge_to_parents": ((14, 90), (30, 120), (14, 90), (14, 60), (40, 150)),
    "child_arrangements_order": ((14, 60), (30, 90), (14, 60), (14, 60), (40, 120)),
}


@dataclass
class Row:
    """One tracker row (dates as `date`, text as str)."""

    child_id: str
    route: str
    identified: date
    assessing: date | None = None
    complete: date | None = None
    outcome_of_assessment: str = ""
    carers_agree: str = ""
    legal: date | None = None
    filed: date | None = None
    outcome: str = ""
    outcome_date: date | None = None
    planned: str = ""
    blocker: str = ""
    support_plan: str = ""

    def cells(self) -> tuple[str, ...]:
        """The CSV cells in COLUMNS order."""
        return (
            self.child_id,
            self.route,
            iso(self.identified),
            iso(self.assessing),
            iso(self.complete),
            self.outcome_of_assessment,
            self.carers_agree,
            iso(self.legal),
            iso(self.filed),
            self.outcome,
            iso(self.outcome_date),
            self.planned,
            self.blocker,
            self.support_plan,
        )


@dataclass
class Period:
    """A period of care: its episodes, start and end (None if open at 31 March 2024)."""

    child: Child
    episodes: list[Episode]

    @property
    def start(self) -> date:
        """DECOM of the first episode."""
        return self.episodes[0].decom

    @property
    def end(self) -> date | None:
        """DEC of the last episode."""
        return self.episodes[-1].dec

    @property
    def rec(self) -> str:
        """Reason the period ended (blank if open)."""
        return self.episodes[-1].rec

    def order_date(self, ls: str) -> date | None:
        """First day the child had legal status `ls` in this period."""
        return next((e.decom for e in self.episodes if e.ls == ls), None)


def periods(child: Child) -> list[Period]:
    """Split a child's episodes into periods of care."""
    out: list[Period] = []
    for ep in child.episodes:
        if ep.rne == "S":
            out.append(Period(child, []))
        out[-1].episodes.append(ep)
    return out


def _backdate(rng: random.Random, route: str, outcome: date, floor: date) -> list[date]:
    """Stage dates identified..filed ending `outcome`, compressed to start after `floor`."""
    gaps = [rng.randint(lo, hi) for lo, hi in GAPS[route]]
    span = (outcome - floor).days
    if sum(gaps) > span:
        gaps = [max(1, g * span // sum(gaps)) for g in gaps]
    dates, when = [], outcome
    for gap in reversed(gaps):
        when -= timedelta(days=gap)
        dates.append(when)
    return list(reversed(dates))


def _forward(rng: random.Random, route: str, identified: date, stop: date) -> list[date]:
    """Stage dates after `identified` that fall on or before `stop` (at most four)."""
    dates, when = [identified], identified
    for lo, hi in GAPS[route][:4]:
        when += timedelta(days=rng.randint(lo, hi))
        if when > stop:
            break
        dates.append(when)
    return dates


def _row(child: Child, route: str, stages: list[date]) -> Row:
    row = Row(child.cid, route, stages[0])
    extra = [*stages[1:], None, None, None, None]
    row.assessing, row.complete, row.legal, row.filed = extra[:4]
    if row.complete:
        row.outcome_of_assessment, row.carers_agree = "positive", "yes"
    return row


def build_rows(children: list[Child], seed: int) -> tuple[list[Row], dict[str, list[str]]]:
    """All tracker rows, and the child ids of the deliberate faults.

    Each child's rows draw from their own random stream, so tuning one rule does not
    reshuffle every other row.
    """
    rows: list[Row] = []
    sgo_exits: list[tuple[date, Row]] = []
    for child in sorted(children, key=lambda c: c.number):
        if child.short_breaks:
            continue
        rng = random.Random(f"{seed}:permanence:{child.number}")
        spells = periods(child)
        for period in spells:
            rows.extend(_period_rows(rng, period, sgo_exits, period is spells[-1]))
    faults = _plant_faults(rows, sgo_exits)
    _refused(random.Random(f"{seed}:refused"), children, rows)
    _review_2020(seed, children, rows)
    seen: set[tuple[str, str]] = set()
    unique = []
    for row in rows:  # one row per child per route: keep the latest
        if (row.child_id, row.route) in seen:
            unique = [r for r in unique if (r.child_id, r.route) != (row.child_id, row.route)]
        seen.add((row.child_id, row.route))
        unique.append(row)
    unique.sort(key=lambda r: (r.route, r.identified, r.child_id))
    return unique, faults


def _period_rows(rng: random.Random, period: Period, sgo_exits: list[tuple[date, Row]], last: bool) -> list[Row]:
    child, end, rec = period.child, period.end, period.rec
    if end is not None and end < date(2019, 4, 1):
        return []
    floor = period.start + timedelta(days=21)
    c2 = period.order_date("C2") or period.start
    out: list[Row] = []
    if rec in SGO_RECS and end is not None:
        stages = _backdate(rng, "special_guardianship_order", end, floor)
        early = max(floor, c2 + timedelta(days=rng.randint(30, 180)))
        if rng.random() < 0.5 and early < stages[0]:
            stages[0] = early  # plan agreed at the final hearing, assessment started later
        row = _row(child, "special_guardianship_order", stages)
        row.outcome, row.outcome_date = "order_made", end
        row.support_plan = "yes" if rng.random() < 0.9 else "no"
        sgo_exits.append((end, row))
        out.append(row)
    elif rec == "E41" and end is not None:
        row = _row(child, "child_arrangements_order", _backdate(rng, "child_arrangements_order", end, floor))
        row.outcome, row.outcome_date = "order_made", end
        out.append(row)
    elif (
        rec == "E4A"
        and end is not None
        and period.episodes[-1].ls == "C2"
        and end >= TRACK_FROM["discharge_to_parents"]
    ):
        row = _row(child, "discharge_to_parents", _backdate(rng, "discharge_to_parents", end, max(floor, c2)))
        row.outcome, row.outcome_date = "order_made", end
        out.append(row)
    elif not last:
        return out
    elif child.track == "sgo" and child.stuck:
        out.extend(_stuck(rng, child, c2, end))
    elif child.track in ("sgo", "cao", "reunify") and period.episodes[-1].ls not in ("V2",):
        out.extend(_open_or_withdrawn(rng, child, period, c2))
    elif child.track == "ltf" and rng.random() < 0.08:
        out.extend(_negative(rng, child, c2, end))
    return out


def _stuck(rng: random.Random, child: Child, c2: date, end: date | None) -> list[Row]:
    """Assessment positive but the carers will not agree ([HC-SCRUTINY-2020-12])."""
    stop = min(end or END, END)
    identified = c2 + timedelta(days=rng.randint(20, 150))
    stages = _forward(rng, "special_guardianship_order", identified, stop)[:3]
    if len(stages) < 3:
        return []
    row = _row(child, "special_guardianship_order", stages)
    row.carers_agree = "no"
    row.blocker = rng.choice(
        (
            "Carers unwilling to proceed",
            "Carers unwilling to proceed – worried about losing support",
            "Carers unwilling to proceed",
        )
    )
    row.support_plan = "no"
    if end is not None and end <= END:
        row.outcome, row.outcome_date = "withdrawn", end
    return [row]


def _open_or_withdrawn(rng: random.Random, child: Child, period: Period, c2: date) -> list[Row]:
    """A plan in progress at 31 March 2024, or dropped when the child left another way."""
    route = {"sgo": "special_guardianship_order", "cao": "child_arrangements_order", "reunify": "discharge_to_parents"}[
        child.track
    ]
    end = period.end
    if child.track == "reunify" and child.ready is None and end is None:
        return _negative(rng, child, c2, None, route, "Reunification assessment negative")
    if child.ready is None:
        return []
    lead = sum(hi for _, hi in GAPS[route]) // 2
    identified = max(c2 + timedelta(days=30), child.ready - timedelta(days=lead))
    if route == "discharge_to_parents" and end is None:  # the 2023 reunification drive ([DFE-COMMISSIONER-2023-12])
        if rng.random() < 0.25:  # not yet identified: "nearly 40" were by November 2023
            return []
        identified = max(c2 + timedelta(days=30), date(2022, 10, 1) + timedelta(days=rng.randint(0, 420)))
    stop = min(end or END, END) - ONE_DAY
    if identified > stop or identified < TRACK_FROM[route] - timedelta(days=400):
        return []
    stages = _forward(rng, route, identified, stop)
    delayed = end is None and len(stages) > 2 and rng.random() < 0.2  # assessment stalled
    row = _row(child, route, stages[:2] if delayed else stages)
    if end is not None:
        row.outcome, row.outcome_date = "withdrawn", end
        row.blocker = "Left care by another route"
        return [row]
    if row.legal is None:
        nxt = max(row.identified + timedelta(days=120), END + timedelta(days=rng.randint(15, 200)))
        row.planned = f"{nxt.year:04d}-{nxt.month:02d}"
    if row.filed is not None:
        row.blocker = rng.choice(("Awaiting court date", "Parent opposes application", ""))
    elif row.assessing is not None and row.complete is None and (delayed or (END - row.assessing).days > 120):
        row.blocker = "Assessment delayed – capacity"
    if route == "special_guardianship_order" and row.complete is not None:
        row.support_plan = "yes" if rng.random() < 0.6 else "no"
    return [row]


def _negative(
    rng: random.Random,
    child: Child,
    c2: date,
    end: date | None,
    route: str = "special_guardianship_order",
    blocker: str = "Negative assessment – plan changed to long-term fostering",
) -> list[Row]:
    stop = min(end or END, END) - ONE_DAY
    stages = _forward(rng, route, c2 + timedelta(days=rng.randint(30, 300)), stop)[:3]
    if len(stages) < 3:
        return []
    row = _row(child, route, stages)
    row.outcome_of_assessment, row.carers_agree = "negative", ""
    outcome = min(stages[2] + timedelta(days=rng.randint(14, 60)), stop)
    row.outcome, row.outcome_date, row.blocker = "withdrawn", outcome, blocker
    return [row]


def _refused(rng: random.Random, children: list[Child], rows: list[Row]) -> None:
    """One SGO application refused by the court; the child stays in care (assumption)."""
    taken = {(r.child_id, r.route) for r in rows}
    for child in sorted(children, key=lambda c: c.number):
        if child.track != "ltf" or (child.cid, "special_guardianship_order") in taken:
            continue
        for period in periods(child):
            c2 = period.order_date("C2")
            if c2 is None or c2 > date(2020, 10, 1) or period.start < date(2015, 1, 1):
                continue
            if period.end is not None and period.end < date(2023, 6, 1):
                continue
            if period.episodes[-1].place not in ("U1", "U3", "U4", "U6"):
                continue
            stages = _backdate(rng, "special_guardianship_order", date(2022, 6, 15), c2 + timedelta(days=30))
            row = _row(child, "special_guardianship_order", stages)
            row.outcome, row.outcome_date = "refused", date(2022, 6, 15)
            row.blocker, row.support_plan = "Court refused application", "yes"
            rows.append(row)
            return


def _review_2020(seed: int, children: list[Child], rows: list[Row], share: float = 0.08) -> None:
    """SGO assessments started for long-term fostered children in the 2020 review.

    The December 2019 - October 2020 reduction work assessed many children for SGO
    ([HC-SCRUTINY-2020-12]); most did not end in an order.
    """
    review = date(2020, 10, 31)
    taken = {(r.child_id, r.route) for r in rows}
    for child in sorted(children, key=lambda c: c.number):
        rng = random.Random(f"{seed}:review:{child.number}")
        if child.track != "ltf" or (child.cid, "special_guardianship_order") in taken:
            continue
        period = next((p for p in periods(child) if p.start <= review and (p.end is None or p.end > review)), None)
        if period is None:
            continue
        now = next(e for e in period.episodes if e.decom <= review and (e.dec is None or e.dec > review))
        if now.ls != "C2" or now.place not in ("U1", "U3", "U4", "U6") or rng.random() >= share:
            continue
        stop = min(period.end or END, END) - ONE_DAY
        identified = max(period.start + timedelta(days=60), date(2019, 12, 1) + timedelta(days=rng.randint(0, 270)))
        if identified > min(stop, review):
            continue
        stages = [identified]
        for gap in ((14, 90), (30, 120)):
            nxt = stages[-1] + timedelta(days=rng.randint(*gap))
            if nxt > stop:
                break
            stages.append(nxt)
        row = _row(child, "special_guardianship_order", stages)
        if row.complete is not None and rng.random() < 0.6:
            row.outcome_of_assessment, row.carers_agree = "negative", ""
            row.outcome = "withdrawn"
            row.outcome_date = min(row.complete + timedelta(days=rng.randint(14, 60)), stop)
            row.blocker = "Negative assessment – plan changed to long-term fostering"
        elif row.complete is not None:
            row.carers_agree, row.blocker, row.support_plan = "no", "Carers unwilling to proceed", "no"
        elif row.assessing is not None and (stop - row.assessing).days > 120:
            row.blocker = "Assessment delayed – capacity"
        if not row.outcome and period.end is not None and period.end <= END:
            row.outcome, row.outcome_date = "withdrawn", period.end
        rows.append(row)


def _plant_faults(rows: list[Row], sgo_exits: list[tuple[date, Row]]) -> dict[str, list[str]]:
    """Drop two 2022/23 SGO rows and shift one 2021/22 outcome date (documented faults)."""
    ordered = sorted(sgo_exits, key=lambda item: (item[0], item[1].child_id))
    fy = [r for d, r in ordered if date(2022, 4, 1) <= d <= date(2023, 3, 31)]
    dropped = fy[:2]
    for row in dropped:
        rows.remove(row)
    shifted = next(r for d, r in ordered if date(2021, 4, 1) <= d <= date(2022, 3, 31))
    assert shifted.outcome_date is not None
    shifted.outcome_date += timedelta(days=MISMATCH_DAYS)
    return {"sgo_exit_without_row": [r.child_id for r in dropped], "outcome_date_differs_from_dec": [shifted.child_id]}


def write_permanence(children: list[Child], root: Path, seed: int) -> tuple[Path, dict[str, list[str]]]:
    """Write permanence.csv; return its path and the planted faults."""
    rows, faults = build_rows(children, seed)
    path = write_csv(root / "permanence.csv", COLUMNS, (r.cells() for r in rows))
    return path, faults
