"""Social worker allocations of the synthetic children in care (`allocations.csv`).

Each period of care gets a chain of allocations, simulated day by day from its start:

* **Teams.** A child comes into care with a worker in one of the child protection and court teams
  and moves to a children-in-care team two to five months later (a change of worker); disabled
  children stay with the disabled children's team; young people coming into care at 16 or 17 go to the
  care leavers team (children already in care stay with their team until they leave care).
  These are teams of the workforce snapshot (`synth.workforce`), which the allocations read back.
* **Contracts.** Each new worker is agency staff with the probability that a filled case-holding
  post of that team was agency-held in that month of the workforce snapshot (so the allocations
  have the workforce's teams and agency share), otherwise permanent or fixed-term.
* **Changes.** A worker stays with the child for an exponentially distributed time: the rate is
  `BASE_RATE` (changes a year, varying over time) times `AGENCY_RATE` for agency workers, who move
  on sooner. So children change worker more often while agency reliance is high, and most in
  the teams with most agency staff.
* **Hand-overs.** Half of the changes have the outgoing worker's allocation end one to seven days
  after the incoming worker's starts (a hand-over, never longer than `stability.HANDOVER_DAYS`).

Calibration (docs/data_log.md): `BASE_RATE` is set so that, of children in care for 12 months or
more, about 11.8% had had the same social worker for the previous 12 months in January 2023 and
about 19% in July 2023, and over three-quarters of children in care had a change of worker in
the last year (Report of the Children's Services Commissioner in Herefordshire, December 2023);
children with four or more workers in 12 months exist, as the Families Commission follow-up
(June 2024) found for one young person. Worker ids are made up ("SW" and five digits).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from . import calibration as cal
from ._util import add_years, read_csv, write_csv
from .model import Child

COLUMNS = ("child_id", "worker_id", "team", "contract", "start_date", "end_date")
#: Allocations ending before this day are not written: the file is "every allocation open on or after".
FIRST_DAY = date(2020, 4, 1)
LAST_DAY = date(2024, 3, 31)
CASE_ROLES = ("social_worker", "senior_practitioner", "advanced_practitioner")
COURT_TEAMS = ("Child protection and court 1", "Child protection and court 2", "Child protection and court 3")
CARE_TEAMS = ("Children in care 1", "Children in care 2")
DISABLED_TEAM, LEAVERS_TEAM = "Disabled children", "Care leavers"
#: Changes of worker a year for a permanent worker (before the agency factor), by month (assumption,
#: calibrated: see the module docstring). Interpolated between the points, held flat outside them.
BASE_RATE: tuple[cal.Point, ...] = (
    cal.Point("2019-04", 1.05, "assumption"),
    cal.Point("2020-09", 1.15, "assumption"),
    cal.Point("2021-06", 1.15, "assumption"),
    cal.Point("2021-11", 1.1, "calibrated: 11.8% same worker for 12 months in January 2023"),
    cal.Point("2022-02", 0.9, "calibrated: 19% in July 2023"),
    cal.Point("2022-08", 0.85, "calibrated: over three-quarters with a change in the last year"),
    cal.Point("2024-03", 0.85, "assumption"),
)
#: How much sooner an agency worker moves on than a directly employed one (assumption).
AGENCY_RATE = 2.0
#: Shape of the gamma distribution of a worker's time with a child: above 1, stays are more regular
#: than at random, so fewer children have very many workers (assumption).
SHAPE = 3.0
#: The share of directly employed new workers on fixed-term contracts (as in the workforce snapshot).
FIXED_TERM_SHARE = 0.04
DAY = timedelta(days=1)


def _agency_shares(workforce: Path) -> dict[tuple[str, str], float]:
    """(team, YYYY-MM) → agency share of filled case-holding posts, from the workforce snapshot."""
    filled: dict[tuple[str, str], int] = defaultdict(int)
    agency: dict[tuple[str, str], int] = defaultdict(int)
    for row in read_csv(workforce):
        if row["role"] not in CASE_ROLES or row["contract"] == "vacant":
            continue
        key = (row["team"], row["snapshot_date"][:7])
        filled[key] += 1
        agency[key] += row["contract"] == "agency"
    return {key: agency[key] / n for key, n in filled.items()}


def _periods(child: Child) -> list[tuple[date, date | None]]:
    """The child's periods of care (start, end or None while open), from their episodes."""
    periods: list[tuple[date, date | None]] = []
    start: date | None = None
    for i, ep in enumerate(child.episodes):
        start = start or ep.decom
        joined = ep.dec is not None and ep.rec == "X1" and i + 1 < len(child.episodes)
        if not joined:
            periods.append((start, ep.dec))
            start = None
    return periods


class _Workers:
    """Made-up worker ids, one pool per team and contract, so that a worker keeps one team and contract."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.numbers = rng.sample(range(10_000, 100_000), 4_000)
        self.pools: dict[tuple[str, str], list[str]] = {}

    def pick(self, team: str, contract: str, previous: str | None) -> str:
        pool = self.pools.get((team, contract))
        if pool is None:
            size = 6 if contract == "fixed_term" else 24
            pool = [f"SW{self.numbers.pop()}" for _ in range(size)]
            self.pools[(team, contract)] = pool
        choice = self.rng.choice(pool)
        while choice == previous:
            choice = self.rng.choice(pool)
        return choice


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _segments(child: Child, start: date, end: date, rng: random.Random) -> list[tuple[str, date, date]]:
    """The teams that hold the child's case over one period of care: (team, from, to)."""
    disabled = child.episodes and any(ep.cin == "N2" for ep in child.episodes)
    if disabled:
        return [(DISABLED_TEAM, start, end)]
    if add_years(child.dob, 16) <= start:
        return [(LEAVERS_TEAM, start, end)]
    moves = [
        (rng.choice(COURT_TEAMS), start),
        (CARE_TEAMS[child.number % len(CARE_TEAMS)], start + timedelta(days=rng.randint(60, 150))),
    ]
    moves = [(team, day) for team, day in moves if day < end]
    return [(team, day, moves[i + 1][1] if i + 1 < len(moves) else end) for i, (team, day) in enumerate(moves)]


def _contract(team: str, day: date, shares: dict[tuple[str, str], float], rng: random.Random) -> str:
    """Agency, fixed-term or permanent for a new worker in `team` starting on `day`.

    Agency workers move on `AGENCY_RATE` times sooner, so for a share `a` of the team's children to
    have an agency worker at any one time, a share a·R / (1 + a·(R - 1)) of new workers are agency.
    """
    share = shares.get((team, _month(day)), 0.0)
    hired = share * AGENCY_RATE / (1 + share * (AGENCY_RATE - 1))
    if rng.random() < hired:
        return "agency"
    return "fixed_term" if rng.random() < FIXED_TERM_SHARE else "permanent"


def _chain(
    child: Child, start: date, end: date, shares: dict[tuple[str, str], float], workers: _Workers, rng: random.Random
) -> list[tuple[str, str, str, date, date | None]]:
    """One period's allocations: (worker, team, contract, start, end); end None while current at LAST_DAY."""
    rows: list[tuple[str, str, str, date, date | None]] = []
    previous: str | None = None
    for team, first, last in _segments(child, start, end, rng):
        day = first
        while day < last:
            contract = _contract(team, day, shares, rng)
            worker = workers.pick(team, contract, previous)
            rate = cal.interpolate(BASE_RATE, _month(day)) * (AGENCY_RATE if contract == "agency" else 1.0)
            stay = max(14, round(rng.gammavariate(SHAPE, 1 / (SHAPE * rate)) * 365.25))
            change = min(day + timedelta(days=stay), last)
            rows.append((worker, team, contract, day, change))
            previous, day = worker, change
    # Hand-overs: the outgoing worker stays on a few days after the incoming one starts (half the time).
    out = []
    for i, (worker, team, contract, first, last) in enumerate(rows):
        overlap = timedelta(days=rng.randint(1, 7))
        if i + 1 < len(rows) and rng.random() < 0.5 and last + overlap <= LAST_DAY:
            last = last + overlap
        out.append((worker, team, contract, first, last))
    return out


def write_allocations(children: list[Child], root: Path, seed: int) -> Path:
    """Write allocations.csv (reading the workforce snapshot already written to `root`) and return its path."""
    rng = random.Random(f"{seed}:allocations")
    shares = _agency_shares(root / "workforce.csv")
    workers = _Workers(rng)
    rows = []
    for child in children:
        if child.short_breaks or not child.episodes:
            continue
        for start, end in _periods(child):
            if end is not None and end < FIRST_DAY:
                continue
            open_until = LAST_DAY + DAY if end is None or end > LAST_DAY else end
            for worker, team, contract, first, last in _chain(child, start, open_until, shares, workers, rng):
                if first > LAST_DAY or (last is not None and last < FIRST_DAY):
                    continue
                current = last is None or last > LAST_DAY
                rows.append((child.cid, worker, team, contract, first.isoformat(), "" if current else last.isoformat()))
    rows.sort(key=lambda r: (r[0], r[4], r[1]))
    return write_csv(root / "allocations.csv", COLUMNS, rows)
