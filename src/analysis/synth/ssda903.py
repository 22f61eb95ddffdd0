"""Episode-level simulation of Herefordshire's children in care, April 2004 to March 2024.

The model is a monthly stock-and-flow simulation of individual children:

* **Burn-in** (April 2004 to March 2014) runs freely from an empty care population, so that
  the children in care in 2019 have realistic earlier start dates and histories.
* **Control** (from April 2014): each month the starts come from `calibration.STARTS` and the
  number ceasing is `stock + starts - target`, with the target interpolated between the
  published month-end counts (`calibration.STOCK`). Exits are drawn from the children who can
  leave: first the forced ones (18th birthdays, remands ending), then the steered routes (SGO,
  discharge home, child arrangements order, adoption) by cumulative quota
  (`calibration.ROUTES`), then flexible ones (section 20 ending, independent living, other).
  Starts may move between months of the same window (never across windows) so that forced
  exits never push the stock off the target.

Randomness: one stream per child (their plan and placements) and one per month (who
leaves, when, with which REC), so a change in one place does not reshuffle everything.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import calibration as cal
from ._util import ONE_DAY, add_years, age_years, month_end, month_key, months, spread
from .exits import STEERED, can_exit, next_key, prev_key, rec_age18, rec_for, route_windows
from .model import (
    FOSTER,
    SUPPORTED_ACCOMMODATION_REGISTERED,
    Child,
    Episode,
    apply_event,
    change,
    placement,
    register_supported_accommodation,
)
from .people import Providers, draw_dob, draw_ethnic, draw_sex, postcode
from .tracks import QUOTA_TRACKS, Entry, draw_entry, plan_period

Exit = tuple[Child, date, str, str]  # child, DEC, REC, route
#: Chance that a child on each track is among the month's candidates for a flexible exit.
_FLEX_WEIGHT = {"ltf": 1.0, "s20_long": 1.0, "reunify": 0.7, "sgo": 0.7, "cao": 0.7, "residential": 0.4,
                "uasc": 0.1, "disabled": 0.1}  # fmt: skip


@dataclass
class MonthLog:
    """What happened in one month (for checks and the data log)."""

    starts: int = 0
    ceased: dict[str, int] = field(default_factory=dict)
    stock: int = 0
    target: int = 0


class Simulation:
    """Run the monthly simulation; `children` and `log` hold the results."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.providers = Providers(random.Random(f"{seed}:providers"))
        self.children: list[Child] = []
        self.in_care: list[Child] = []
        self.former: list[Child] = []
        self.log: dict[str, MonthLog] = {}
        self._windows = route_windows()
        self._route_done: dict[tuple[str, int], int] = {}
        self._stock_points: tuple[cal.Point, ...] = cal.STOCK
        self._starts: dict[str, int] = {}

    # --- main loop -------------------------------------------------------------------
    def run(self) -> Simulation:
        """Simulate every month from the burn-in to March 2024."""
        plan_rng = random.Random(f"{self.seed}:plan")
        self._starts = self._starts_plan(plan_rng)
        uasc_due = self._uasc_plan(plan_rng)
        carry = 0
        for y, m in months(cal.BURN_IN_FIRST, cal.LAST_MONTH):
            key = month_key(y, m)
            rng = random.Random(f"{self.seed}:month:{key}")
            m0, m1 = date(y, m, 1), month_end(y, m)
            if key == cal.CONTROL_FIRST:
                self._stock_points = (cal.Point(prev_key(key), len(self.in_care), "burn-in"), *cal.STOCK)
            registration = m0 <= SUPPORTED_ACCOMMODATION_REGISTERED <= m1
            if registration:
                self._advance(SUPPORTED_ACCOMMODATION_REGISTERED - ONE_DAY)
                self._register_supported_accommodation()
            self._advance(m1)
            self._kinship_moves(rng, key, m0, m1)
            log = MonthLog()
            if key < cal.CONTROL_FIRST:
                exits, n_starts = self._natural_exits(rng, m0, m1), self._starts.get(key, 0)
            else:
                exits, n_starts = self._controlled_exits(rng, key, m0, m1, log)
            for child, when, rec, route in exits:
                self._cease(child, when, rec, route)
                log.ceased[route] = log.ceased.get(route, 0) + 1
            uasc = carry + uasc_due.get(key, 0)
            for slot in range(n_starts):
                self._start(rng, m0, m1, uasc=slot < uasc, older=key < cal.UASC_OLDER_BEFORE)
            carry = max(0, uasc - n_starts)
            if registration:  # children who started earlier this month
                self._register_supported_accommodation()
            log.starts = n_starts
            self._advance(m1)
            log.stock = len(self.in_care)
            self.log[key] = log
        return self

    def _starts_plan(self, rng: random.Random) -> dict[str, int]:
        plan: dict[str, int] = {}
        burn = [month_key(y, m) for y, m in months(cal.BURN_IN_FIRST, prev_key(cal.CONTROL_FIRST))]
        total = round(cal.BURN_IN_STARTS_PER_YEAR * len(burn) / 12)
        plan.update(zip(burn, spread(rng, total, len(burn)), strict=True))
        for window in cal.STARTS:
            span = [month_key(y, m) for y, m in months(window.first, window.last)]
            plan.update(zip(span, spread(rng, window.count, len(span)), strict=True))
        return plan

    def _uasc_plan(self, rng: random.Random) -> dict[str, int]:
        due: dict[str, int] = {}
        for first, count in cal.UASC_STARTS.items():
            span = [month_key(y, m) for y, m in months(first, f"{int(first[:4]) + 1}-03")]
            for key in rng.choices(span, weights=[self._starts.get(k, 0) + 0.1 for k in span], k=count):
                due[key] = due.get(key, 0) + 1
        return due

    # --- starts and events -----------------------------------------------------------
    def _start(self, rng: random.Random, m0: date, m1: date, uasc: bool, older: bool) -> None:
        when = m0 + timedelta(days=rng.randint(0, (m1 - m0).days))
        child = None if uasc else self._reentry(m0, m1)
        if child is None:
            number = len(self.children) + 1
            crng = random.Random(f"{self.seed}:child:{number}")
            entry = draw_entry(crng, uasc, older=older, kin=cal.KINSHIP_PUSH[0] <= when <= cal.KINSHIP_PUSH[1])
            child = Child(number, draw_sex(crng, uasc), draw_dob(crng, when, entry.age_days),
                          draw_ethnic(crng, uasc), _home_postcode(crng, uasc), rng=crng, uasc=uasc)  # fmt: skip
            self.children.append(child)
        else:
            due = child.reentry_due or m0
            when = due if due >= m0 else m0 + timedelta(days=rng.randint(0, (m1 - m0).days))
            child.reentry_due = None
            self.former.remove(child)
            entry = draw_entry(
                child.rng,
                False,
                age_days=(when - child.dob).days,
                kin=cal.KINSHIP_PUSH[0] <= when <= cal.KINSHIP_PUSH[1],
            )
        self._open_period(child, when, entry)

    def _reentry(self, m0: date, m1: date) -> Child | None:
        """The child due back in care soonest by the end of this month, if any (a start slot
        goes to them instead of a new child, so the calibrated starts are unchanged)."""
        due = [c for c in self.former if c.reentry_due is not None and c.reentry_due <= m1]
        for child in sorted(due, key=lambda c: (c.reentry_due, c.number)):
            latest = max(m0, child.reentry_due or m0)
            if latest < child.b18 - timedelta(days=90) and (child.current.dec or m0) < latest:
                return child
            child.reentry_due = None  # too old to come back now
        return None

    def _open_period(self, child: Child, when: date, entry: Entry) -> None:
        provider, pl_post, urn = placement(child, entry.place, self.providers, when)
        child.episodes.append(
            Episode(when, "S", entry.ls, entry.cin, entry.place, provider, "", child.home_post, pl_post, urn)
        )
        plan = plan_period(child.rng, entry, when, child.dob)
        child.track, child.stuck, child.ready, child.events = entry.track, plan.stuck, plan.ready, plan.events
        child.in_care = True
        self.in_care.append(child)

    def _advance(self, until: date) -> None:
        for child in self.in_care:
            while child.events and child.events[0].when <= until:
                apply_event(child, child.events.pop(0), self.providers)

    def _register_supported_accommodation(self) -> None:
        for child in self.in_care:
            register_supported_accommodation(child, self.providers)

    def _kinship_moves(self, rng: random.Random, key: str, m0: date, m1: date) -> None:
        """Move children from other foster carers to family and friends (calibration.KINSHIP_MOVES)."""
        pool = [c for c in self.in_care if c.track in ("sgo", "ltf", "reunify") and c.current.place in ("U4", "U6")
                and c.current.ls in ("C1", "C2") and age_years(c.dob, m1) < 14 and c.current.decom < m1 - ONE_DAY
                and not c.stuck]  # fmt: skip
        for child in rng.sample(pool, min(len(pool), cal.KINSHIP_MOVES.get(key, 0))):
            low = max(m0, child.current.decom + ONE_DAY)
            day = low + timedelta(days=rng.randint(0, (m1 - low).days))
            change(child, day, self.providers, place="U3", reason="CARPL")
            child.events = [e for e in child.events if e.when > day]

    # --- exits -----------------------------------------------------------------------
    def _cease(self, child: Child, when: date, rec: str, route: str) -> None:
        cur = child.current
        if not cur.decom < when <= child.b18:
            raise ValueError(f"bad exit for {child.cid}: {cur.decom} -> {when}")
        cur.dec, cur.rec = when, rec
        child.in_care, child.events, child.route = False, [], route
        child.reentry_due = reentry_date(child, when, rec, route)
        self.in_care.remove(child)
        self.former.append(child)

    @staticmethod
    def _day(rng: random.Random, child: Child, m0: date, m1: date, ready: bool = False) -> date | None:
        """A leaving day this month after the current episode began and before the 18th birthday."""
        low = max(m0, child.current.decom + ONE_DAY)
        if ready and child.ready is not None and low < child.ready <= m1:
            low = child.ready
        high = min(m1, child.b18 - ONE_DAY)
        return None if low > high else low + timedelta(days=rng.randint(0, (high - low).days))

    def _forced(self, rng: random.Random, key: str, m0: date, m1: date) -> list[Exit]:
        out: list[Exit] = []
        for child in self.in_care:
            if child.b18 <= m1:
                out.append((child, child.b18, rec_age18(child, rng), "age18"))
            elif (
                child.track == "remand"
                and child.ready is not None
                and child.ready <= m1
                and (key not in cal.EXACT_MONTHS)
            ):
                day = self._day(rng, child, m0, m1, ready=True)
                if day is not None:
                    out.append((child, day, "E14", "other"))
        nxt = next_key(key) if key and key not in cal.EXACT_MONTHS else ""
        while nxt in cal.EXACT_MONTHS:  # surplus 18th birthdays of pinned months leave before them
            due = self._turning_18(nxt)
            for child in rng.sample(due, max(0, len(due) - cal.EXACT_MONTHS[nxt]["age18"])):
                day = self._day(rng, child, m0, m1)
                if day is not None:
                    out.append((child, day, rec_for(child, "early_indep", rng), "early_indep"))
            nxt = next_key(nxt)
        return out

    def _turning_18(self, key: str) -> list[Child]:
        y, m = (int(x) for x in key.split("-"))
        return [c for c in self.in_care if date(y, m, 1) <= c.b18 <= month_end(y, m)]

    def _natural_exits(self, rng: random.Random, m0: date, m1: date) -> list[Exit]:
        out = self._forced(rng, "", m0, m1)
        taken = {id(c) for c, *_ in out}
        for child in self.in_care:
            if id(child) in taken:
                continue
            route = QUOTA_TRACKS.get(child.track) or ("home_s20" if child.track == "s20_short" else "")
            older = age_years(child.dob, m1) >= 16.5
            if route and can_exit(child, route, m1):
                day = self._day(rng, child, m0, m1, ready=True)
            elif child.track in _FLEX_WEIGHT and rng.random() < (0.02 if older else 0.003):
                route = "early_indep" if older else "other"
                day = self._day(rng, child, m0, m1)
            else:
                continue
            if day is not None:
                out.append((child, day, rec_for(child, route, rng), route))
        return out

    def _target(self, key: str) -> int:
        return round(cal.interpolate(self._stock_points, key))

    def _due(self, route: str, key: str) -> tuple[int, int, bool]:
        """(number due this month, window index, whether the window is a single month)."""
        for index, (first, last, count) in enumerate(self._windows[route]):
            if first <= key <= last:
                span = [month_key(y, m) for y, m in months(first, last)]
                done = self._route_done.get((route, index), 0)
                return max(0, round(count * (span.index(key) + 1) / len(span)) - done), index, first == last
        return 0, -1, False

    def _controlled_exits(
        self, rng: random.Random, key: str, m0: date, m1: date, log: MonthLog
    ) -> tuple[list[Exit], int]:
        """Forced exits, then route quotas, then flexible exits, so the stock hits the target."""
        target = self._target(key)
        log.target = target
        n_starts = self._starts[key]
        out = self._forced(rng, key, m0, m1)
        taken = {id(c) for c, *_ in out}
        picks = self._quota_picks(rng, key, m0, m1, taken)
        budget = len(self.in_care) + n_starts - target
        if budget < len(out) + len(picks):
            borrowed = self._borrow_starts(key, len(out) + len(picks) - budget)
            n_starts, budget = n_starts + borrowed, budget + borrowed
        picks.sort(key=lambda p: not self._must(p[3], key))
        while picks and budget < len(out) + len(picks):
            picks.pop()  # quotas whose window runs on wait for next month
        for child, day, rec, route, index in picks:
            out.append((child, day, rec, route))
            self._route_done[(route, index)] = self._route_done.get((route, index), 0) + 1
        lent = self._lend_starts(key, max(0, min(n_starts, budget - len(out))))
        n_starts, budget = n_starts - lent, budget - lent
        if budget > len(out):
            out.extend(self._flexible(rng, key, m0, m1, budget - len(out), taken))
        self._starts[key] = n_starts
        return out, n_starts

    def _must(self, route: str, key: str) -> bool:
        """Whether `route`'s quota window ends this month (so its picks cannot wait)."""
        return any(first <= key == last for first, last, _ in self._windows[route])

    def _quota_picks(
        self, rng: random.Random, key: str, m0: date, m1: date, taken: set[int]
    ) -> list[tuple[Child, date, str, str, int]]:
        """Children leaving by the steered routes this month, pinned windows first."""
        dues = sorted(((route, *self._due(route, key)) for route in STEERED), key=lambda item: not item[3])
        picks: list[tuple[Child, date, str, str, int]] = []
        for route, due, index, pinned in dues:
            for pull, substitute in ((0, False), (3000 if pinned else 540, False), (3000, route == "cao")):
                if due <= 0:
                    break
                pool = [c for c in self.in_care if id(c) not in taken and can_exit(c, route, m1, pull, substitute)]
                pool.sort(key=lambda c: (c.ready, c.number))
                for child in pool:
                    if due <= 0:
                        break
                    day = self._day(rng, child, m0, m1, ready=True)
                    if day is not None:
                        picks.append((child, day, rec_for(child, route, rng), route, index))
                        taken.add(id(child))
                        due -= 1
        return picks

    def _need(self, key: str) -> int:
        """Starts month `key` needs if only its forced exits leave (as known now)."""
        forced = len(self._turning_18(key))
        nxt = next_key(key) if key not in cal.EXACT_MONTHS else ""
        while nxt in cal.EXACT_MONTHS:  # surplus birthdays of pinned months leave in `key`
            forced += max(0, len(self._turning_18(nxt)) - cal.EXACT_MONTHS[nxt]["age18"])
            nxt = next_key(nxt)
        quota = 0
        for route in STEERED:  # room for the route quotas too (a month's average share)
            for first, last, count in self._windows[route]:
                if first <= key <= last:
                    quota += math.ceil(count / len(list(months(first, last))))
        return forced + quota + self._target(key) - self._target(prev_key(key))

    def _later_in_window(self, key: str) -> list[str]:
        window = next((w for w in cal.STARTS if w.first <= key <= w.last), None)
        if window is None or window.first == window.last or key == window.last:
            return []
        return [month_key(y, m) for y, m in months(next_key(key), window.last)]

    def _borrow_starts(self, key: str, wanted: int) -> int:
        """Take up to `wanted` starts from later months of the same window that can spare them."""
        got = 0
        for later in self._later_in_window(key):
            spare = max(0, min(self._starts[later], self._starts[later] - self._need(later)))
            take = min(spare, wanted - got)
            self._starts[later] -= take
            got += take
        return got

    def _lend_starts(self, key: str, available: int) -> int:
        """Give up to `available` starts to later months of the window that will be short."""
        lent = 0
        for later in self._later_in_window(key):
            give = min(max(0, self._need(later) - self._starts[later]), available - lent)
            self._starts[later] += give
            lent += give
        return lent

    def _flexible(self, rng: random.Random, key: str, m0: date, m1: date, n: int, taken: set[int]) -> list[Exit]:
        free = [c for c in self.in_care if id(c) not in taken and self._day(rng, c, m0, m1) is not None]
        older = [c for c in free if age_years(c.dob, m1) >= 16.3 and c.track not in QUOTA_TRACKS
                 and c.current.place not in ("A5", "A6", "P1")]  # fmt: skip
        if key in cal.EXACT_MONTHS:
            tiers: list[tuple[str, list[Child]]] = [("early_indep", older)]
        else:
            ready_home = sorted((c for c in free if can_exit(c, "home_s20", m1)), key=lambda c: (c.ready, c.number))
            later_home = sorted((c for c in free if c.track == "s20_short" and c not in ready_home),
                                key=lambda c: (c.ready or date.max, c.number))  # fmt: skip
            others = [c for c in free if rng.random() < _FLEX_WEIGHT.get(c.track, 0.0) and c.ready is None
                      and c.current.place not in ("A5", "A6")
                      and not (c.current.place in FOSTER and age_years(c.dob, m1) >= 16.5)]  # fmt: skip
            mix = [c for c in others if c not in older]
            for child in rng.sample(older, len(older)):  # 16-17 year olds leaving are near the front
                if child.current.place in ("H5", "P2", "K2"):
                    mix.insert(rng.randint(0, len(mix) // 2), child)
            tiers = [("home_s20", ready_home), ("mixed", mix), ("home_s20", later_home)]
        out: list[Exit] = []
        for route, pool in tiers:
            for child in pool:
                if len(out) >= n:
                    return out
                if id(child) in taken:
                    continue
                chosen = route if route != "mixed" else ("early_indep" if child in older else "other")
                day = self._day(rng, child, m0, m1, ready=chosen == "home_s20")
                if day is not None:
                    rec = "E5" if key in cal.EXACT_MONTHS else rec_for(child, chosen, rng)
                    out.append((child, day, rec, chosen))
                    taken.add(id(child))
        return out


#: Re-entry after a return home (REC E4A, E4B or E13): the chance of coming back into care
#: within 12 months, and between 12 and 36 months. National research: about one in five
#: children who return home re-enter care within a year and over a third within six years
#: (Goldacre, Hood, Jones, King and Wang, "Reunification and re-entry to care: an analysis of
#: the national datasets for children looked after in England", British Journal of Social
#: Work, 2022); the DfE found 30% of the children who went home in 2006-07 back in care
#: within five years (as quoted by the NSPCC, "Returning home from care"). See docs/data_log.md.
REENTRY_HOME = (0.25, 0.10)
#: The same for children who left care for other reasons (other than adoption, SGO, CAO,
#: independent living, age 18, custody and asylum-age decisions): assumption.
REENTRY_OTHER = (0.04, 0.04)
_HOME_RECS = ("E4A", "E4B", "E13")
_OTHER_RECS = ("E3", "E8")


def reentry_date(child: Child, left: date, rec: str, route: str) -> date | None:
    """When a child who has just left care will start a new period of care, if ever.

    Drawn from the child's own stream. Always after a gap of two weeks or more, so a
    re-entry is a new period (RNE S after a REC other than X1); never for asylum-seeking
    or short-break children, or in the last four months before the 18th birthday.
    """
    if child.uasc or child.short_breaks or route in ("age18", "early_indep"):
        return None
    if rec in _HOME_RECS:
        within, later = REENTRY_HOME
    elif rec in _OTHER_RECS:
        within, later = REENTRY_OTHER
    else:
        return None
    draw = child.rng.random()
    if draw < within:
        gap = 14 + int(child.rng.betavariate(1.2, 2.0) * 350)  # most break down early
    elif draw < within + later:
        gap = child.rng.randint(366, 1095)
    else:
        return None
    due = left + timedelta(days=gap)
    return due if due < child.b18 - timedelta(days=120) else None


def _home_postcode(rng: random.Random, uasc: bool) -> str:
    """A Herefordshire home postcode; blank for an asylum-seeking child, who has no home
    address in England (the DfE derives no distance for them, rule 406)."""
    post = postcode(rng)
    return "" if uasc else post


def simulate(seed: int) -> Simulation:
    """Run the simulation for a seed (the 903 part of `analysis.synth.generate`)."""
    return Simulation(seed).run()


def short_break_children(sim: Simulation, seed: int, count: int = 6) -> list[Child]:
    """Children looked after only under an agreed series of short breaks (LS V3).

    Each break is its own period (RNE S, REC E4A), 2-4 nights every 4-7 weeks, in a
    short-break unit (K2) or with a short-break foster carer (U6). The DfE excludes these
    children from "looked after at 31 March", so consumers must drop LS V3/V4.
    """
    rng = random.Random(f"{seed}:short-breaks")
    out = []
    for _ in range(count):
        start = date(2018, 1, 1) + timedelta(days=rng.randint(0, 1500))
        dob = draw_dob(rng, start, rng.randint(6 * 365, 14 * 365))
        number = len(sim.children) + 1
        # Short breaks record no postcodes or URN (903 rules 214, 398 and 420).
        child = Child(number, draw_sex(rng, False), dob, draw_ethnic(rng, False), "",
                      rng=random.Random(f"{seed}:child:{number}"), short_breaks=True, track="short_breaks")  # fmt: skip
        sim.children.append(child)
        unit = rng.random() < 0.6
        when, last = start, min(date(2024, 3, 31), add_years(dob, 18) - timedelta(days=30))
        while when <= last - timedelta(days=5):
            nights = rng.randint(2, 4)
            child.episodes.append(Episode(when, "S", "V3", "N2", "K2" if unit else "U6", "PR1", "", "",
                                          "", "", dec=when + timedelta(days=nights), rec="E4A"))  # fmt: skip
            when += timedelta(days=rng.randint(28, 49))
        out.append(child)
    return out
