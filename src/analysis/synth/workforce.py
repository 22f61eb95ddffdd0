"""Monthly workforce snapshots (one row per post), April 2019 to March 2024.

The establishment is a fixed list of posts per team (plus growth in 2021 and two locum
project teams in 2021-2023, [DFE-COMMISSIONER-2023-12]). Contracts are set exactly at the 30
September 2020 anchor ([HC-SCRUTINY-2020-12]: permanent 127.3, agency 20.6, fixed term 6.2,
empty seats 7.4 FTE, summed over every role) and then evolve month by month, forwards and
backwards from the anchor, towards the agency, vacancy and team-manager trajectories in
`calibration`. FTE is held in tenths (integers) so that the totals are exact.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from analysis.core.vocabularies import CASE_HOLDING_ROLES

from . import calibration as cal
from ._util import month_end, month_key, months, write_csv

COLUMNS = ("snapshot_date", "team", "role", "contract", "fte", "caseload")
FIRST, LAST, ANCHOR = "2019-04", "2024-03", "2020-09"
CASE_ROLES = CASE_HOLDING_ROLES
NO_AGENCY_TEAM = "Fostering and kinship"

#: team: (social workers, senior practitioners, advanced practitioners, team managers,
#: service managers) in the core establishment.
TEAMS: dict[str, tuple[int, int, int, int, int]] = {
    "MASH and assessment 1": (15, 1, 1, 2, 1),
    "MASH and assessment 2": (13, 1, 0, 2, 0),
    "Child protection and court 1": (15, 2, 1, 2, 1),
    "Child protection and court 2": (13, 2, 0, 2, 0),
    "Child protection and court 3": (13, 1, 0, 2, 0),
    "Children in care 1": (15, 2, 1, 2, 1),
    "Children in care 2": (13, 2, 0, 2, 0),
    "Care leavers": (9, 1, 0, 2, 0),
    "Disabled children": (9, 1, 0, 2, 1),
    NO_AGENCY_TEAM: (10, 1, 1, 1, 0),
}
#: Extra posts: (team, role, count, first month, last month, agency only).
EXTRA_POSTS = (
    ("MASH and assessment 1", "social_worker", 2, "2021-07", LAST, False),
    ("MASH and assessment 2", "social_worker", 2, "2021-07", LAST, False),
    ("Child protection and court 1", "social_worker", 2, "2021-07", LAST, False),
    ("Child protection and court 2", "social_worker", 2, "2021-07", LAST, False),
    ("Locum project team 1", "team_manager", 1, "2021-10", "2023-05", True),
    ("Locum project team 1", "social_worker", 6, "2021-10", "2023-05", True),
    ("Locum project team 2", "team_manager", 1, "2022-01", "2023-05", True),
    ("Locum project team 2", "social_worker", 5, "2022-01", "2023-05", True),
)
_ROLE_ORDER = ("service_manager", "team_manager", "advanced_practitioner", "senior_practitioner", "social_worker")


@dataclass
class Post:
    """A seat in the establishment."""

    pid: int
    team: str
    role: str
    tenths: int
    first: str
    last: str
    agency_only: bool = False
    load: float = 0.5  # relative caseload rank, stable over time

    def active(self, key: str) -> bool:
        """Whether the post exists in month `key`."""
        return self.first <= key <= self.last


def _establishment(rng: random.Random) -> list[Post]:
    posts: list[Post] = []
    for team, (sw, sp, ap, tm, sm) in TEAMS.items():
        for role, n in (
            ("service_manager", sm),
            ("team_manager", tm),
            ("advanced_practitioner", ap),
            ("senior_practitioner", sp),
            ("social_worker", sw),
        ):
            posts.extend(Post(0, team, role, 10, FIRST, LAST) for _ in range(n))
    for team, role, n, first, last, agency in EXTRA_POSTS:
        posts.extend(Post(0, team, role, 10, first, last, agency) for _ in range(n))
    for pid, post in enumerate(posts, start=1):
        post.pid, post.load = pid, rng.random()
    # Part-time core posts: 5 x 0.8, 5 x 0.6, 3 x 0.5 (138.5 case-holding FTE in Sep 2020).
    core = [p for p in posts if p.role in ("social_worker", "senior_practitioner") and p.first == FIRST]
    for post, tenths in zip(rng.sample(core, 13), [8] * 5 + [6] * 5 + [5] * 3, strict=True):
        post.tenths = tenths
    return posts


def _anchor(posts: list[Post], rng: random.Random) -> dict[int, str]:
    """Contracts at 30 September 2020, reproducing [HC-SCRUTINY-2020-12] exactly."""
    state = {p.pid: "permanent" for p in posts if p.active(ANCHOR)}
    tms = [p for p in posts if p.role == "team_manager" and p.active(ANCHOR)]
    eligible_tms = [p for p in tms if p.team != NO_AGENCY_TEAM]
    chosen = rng.sample(eligible_tms, 3)
    state[chosen[0].pid] = state[chosen[1].pid] = "agency"
    state[chosen[2].pid] = "fixed_term"
    free = [p for p in posts if p.active(ANCHOR) and p.role in CASE_ROLES]
    # (contract, tenths, how many): agency 18.6, fixed term 5.2, vacant 7.4 case-holding FTE.
    plan = [
        ("agency", 6, 1),
        ("agency", 10, 18),
        ("fixed_term", 6, 2),
        ("fixed_term", 10, 4),
        ("vacant", 8, 1),
        ("vacant", 6, 1),
        ("vacant", 10, 6),
    ]
    for contract, tenths, n in plan:
        pool = [
            p
            for p in free
            if p.tenths == tenths
            and state[p.pid] == "permanent"
            and not (contract == "agency" and p.team == NO_AGENCY_TEAM)
        ]
        for post in rng.sample(pool, n):
            state[post.pid] = contract
    return state


def _share(points: tuple[cal.Point, ...], key: str) -> float:
    return cal.interpolate(points, key)


def _step(posts: list[Post], state: dict[int, str], key: str, rng: random.Random) -> dict[int, str]:
    """Move from the previous month's contracts to this month's (in either direction of time)."""
    live = [p for p in posts if p.active(key)]
    new = {p.pid: state.get(p.pid, "agency" if p.agency_only else "vacant") for p in live}
    # Team managers: hit the permanent count.
    core_tms = [p for p in live if p.role == "team_manager" and not p.agency_only]
    want = round(_share(cal.TM_PERMANENT, key))
    perm = [p for p in core_tms if new[p.pid] == "permanent"]
    other = [p for p in core_tms if new[p.pid] != "permanent"]
    for post in rng.sample(other, max(0, min(len(other), want - len(perm)))):
        new[post.pid] = "permanent"
    movable = [p for p in perm if p.team != NO_AGENCY_TEAM]
    for post in rng.sample(movable, max(0, min(len(movable), len(perm) - want))):
        new[post.pid] = "agency"
    for post in live:
        if post.role == "service_manager":
            interim = post.team == "Child protection and court 1" and "2022-04" <= key <= "2023-06"
            new[post.pid] = "agency" if interim else "permanent"
    # Case-holding posts: churn, then steer vacancy and agency shares.
    case = [p for p in live if p.role in CASE_ROLES and not p.agency_only]

    def fte(contract: str, pool: list[Post] | None = None) -> int:
        return sum(p.tenths for p in (pool or case) if new[p.pid] == contract)

    def flip(src: tuple[str, ...], dst: str, count: int = 1) -> None:
        pool = [p for p in case if new[p.pid] in src and not (dst == "agency" and p.team == NO_AGENCY_TEAM)]
        for post in rng.sample(pool, min(count, len(pool))):
            new[post.pid] = dst

    flip(("permanent",), "vacant", rng.randint(1, 2))
    flip(("vacant",), "permanent", rng.randint(1, 2))
    total = sum(p.tenths for p in case)
    all_case = [p for p in live if p.role in CASE_ROLES]
    locum = sum(p.tenths for p in all_case if p.agency_only)
    vac_target = _share(cal.VACANCY_SHARE, key) * total
    agency_share = _share(cal.AGENCY_SHARE, key)
    for _ in range(60):
        vac = fte("vacant")
        filled = sum(p.tenths for p in all_case) - vac
        agency_target = agency_share * filled - locum
        if vac > vac_target + 8:
            flip(("vacant",), "agency" if fte("agency") < agency_target else "permanent")
        elif vac < vac_target - 8:
            flip(("permanent",), "vacant")
        elif fte("agency") < agency_target - 8:
            flip(("permanent",), "agency")
        elif fte("agency") > agency_target + 8:
            flip(("agency",), "permanent")
        elif fte("fixed_term") < 0.04 * filled - 8:
            flip(("permanent",), "fixed_term")
        elif fte("fixed_term") > 0.04 * filled + 8:
            flip(("fixed_term",), "permanent")
        else:
            break
    return new


def _caseloads(posts: list[Post], state: dict[int, str], key: str, rng: random.Random) -> dict[int, int]:
    """Caseloads with the month's mean and share above 20 (exact at the anchors)."""
    mean, share = _caseload_target(key)
    holders = [p for p in posts if p.active(key) and p.role in CASE_ROLES and state[p.pid] != "vacant"]
    n = len(holders)
    k = round(share * n)
    ranked = sorted(holders, key=lambda p: (p.role != "social_worker", -p.load, p.pid))
    high, low = ranked[:k], ranked[k:]
    low_mean = min(mean - 1.0, 16.0)
    high_mean = (mean * n - low_mean * len(low)) / k if k else 0.0
    loads: dict[int, int] = {}
    for i, post in enumerate(high):
        loads[post.pid] = max(21, round(high_mean + 4 - 8 * i / max(1, k - 1)))
    for i, post in enumerate(low):
        value = round(low_mean + 4 - 8 * i / max(1, len(low) - 1))
        if post.role != "social_worker":
            value = round(value * (0.5 if post.role == "senior_practitioner" else 0.3))
        loads[post.pid] = min(20, max(1, value))
    want = round(mean * n)
    order = [p.pid for p in holders]
    guard = 0
    while sum(loads.values()) != want and guard < 10_000:
        guard += 1
        pid = rng.choice(order)
        is_high = loads[pid] >= 21
        if sum(loads.values()) < want and loads[pid] < (40 if is_high else 20):
            loads[pid] += 1
        elif sum(loads.values()) > want and loads[pid] > (21 if is_high else 1):
            loads[pid] -= 1
    return loads


def _caseload_target(key: str) -> tuple[float, float]:
    means = tuple(cal.Point(w, m, s) for w, m, _, s in cal.CASELOAD)
    shares = tuple(cal.Point(w, p, s) for w, _, p, s in cal.CASELOAD)
    return cal.interpolate(means, key), cal.interpolate(shares, key)


def write_workforce(root: Path, seed: int) -> Path:
    """Write workforce.csv and return its path."""
    rng = random.Random(f"{seed}:workforce")
    posts = _establishment(rng)
    states: dict[str, dict[int, str]] = {ANCHOR: _anchor(posts, rng)}
    keys = [month_key(y, m) for y, m in months(FIRST, LAST)]
    at = keys.index(ANCHOR)
    for i in range(at + 1, len(keys)):
        states[keys[i]] = _step(posts, states[keys[i - 1]], keys[i], rng)
    for i in range(at - 1, -1, -1):
        states[keys[i]] = _step(posts, states[keys[i + 1]], keys[i], rng)
    rows = []
    team_order = {t: i for i, t in enumerate([*TEAMS, "Locum project team 1", "Locum project team 2"])}
    for key in keys:
        state = states[key]
        loads = _caseloads(posts, state, key, rng)
        y, m = (int(x) for x in key.split("-"))
        snap = month_end(y, m).isoformat()
        live = sorted(
            (p for p in posts if p.active(key)), key=lambda p: (team_order[p.team], _ROLE_ORDER.index(p.role), p.pid)
        )
        for post in live:
            rows.append(
                (snap, post.team, post.role, state[post.pid], f"{post.tenths / 10:.1f}", loads.get(post.pid, ""))
            )
    return write_csv(root / "workforce.csv", COLUMNS, rows)
