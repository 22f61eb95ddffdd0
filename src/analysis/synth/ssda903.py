"""Episode-level simulation of Herefordshire's children in care, April 2004 to March 2024.

The model is a monthly stock-and-flow simulation of individual children:

* **Burn-in** (April 2004 to March 2014) runs freely from an empty care population, so
  that the children in care in 2019 have realistic earlier start dates and histories.
* **Control** (from April 2014): each month the starts come from `calibration.STARTS` and the
  number ceasing is `stock + starts - target`, with the target interpolated between the
  published month-end counts (`calibration.STOCK`). Exits are then drawn from the children
  who can leave: first the forced ones (18th birthdays, remands ending), then the steered
  routes (SGO, discharge home, child arrangements order, adoption) by cumulative quota
  (`calibration.ROUTES`), then flexible ones (section 20 returns home, independent living,
  other reasons).

Each child's episodes obey the DfE 903 rules the pack checks: episodes chain with REC X1 and
RNE L/P/T/B/U, RNE S starts each period, P1 only with a care order and PR0 only with P1,
adoption only from E1 with A5/A6, SGO to former foster carers only from U1-U6, nobody in
care after the 18th birthday.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import calibration as cal
from ._util import ONE_DAY, add_years, age_years, month_end, month_key, months, pick, spread
from .people import Providers, child_id, draw_dob, draw_ethnic, draw_sex, postcode
from .tracks import QUOTA_TRACKS, Entry, Event, draw_entry, plan_period

FOSTER = ("U1", "U2", "U3", "U4", "U5", "U6")
KINSHIP = ("U1", "U2", "U3")
_REASONS = {
    "CARPL": 30,
    "CREQB": 15,
    "CREQO": 14,
    "LAREQ": 10,
    "CHILD": 7,
    "STAND": 5,
    "CLOSE": 5,
    "ALLEG": 3,
    "APPRR": 2,
    "OTHER": 9,
}


@dataclass
class Episode:
    """One 903 episode (DEC and REC stay empty while it is open)."""

    decom: date
    rne: str
    ls: str
    cin: str
    place: str
    provider: str
    reason: str
    home_post: str
    pl_post: str
    urn: str
    dec: date | None = None
    rec: str = ""


@dataclass
class Child:
    """A synthetic child, their episodes and the state of their current plan."""

    number: int
    sex: str
    dob: date
    ethnic: str
    home_post: str
    uasc: bool = False
    short_breaks: bool = False
    episodes: list[Episode] = field(default_factory=list)
    track: str = ""
    stuck: bool = False
    ready: date | None = None
    events: list[Event] = field(default_factory=list)
    in_care: bool = False
    route: str = ""  # route of the last exit

    @property
    def cid(self) -> str:
        """The CHILD identifier."""
        return child_id(self.number)

    @property
    def b18(self) -> date:
        """18th birthday: the last day a child can be in care."""
        return add_years(self.dob, 18)

    @property
    def current(self) -> Episode:
        """The latest episode."""
        return self.episodes[-1]


@dataclass
class MonthLog:
    """What happened in one month (for the calibration report and tests)."""

    starts: int = 0
    ceased: dict[str, int] = field(default_factory=dict)
    stock: int = 0
    target: int = 0


class Simulation:
    """Run the monthly simulation; `children` and `log` hold the results."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"{seed}:ssda903")
        self.providers = Providers(random.Random(f"{seed}:providers"))
        self.children: list[Child] = []
        self.in_care: list[Child] = []
        self.former: list[Child] = []
        self.log: dict[str, MonthLog] = {}
        self._windows = _route_windows()
        self._route_done: dict[tuple[str, int], int] = {}
        self._stock_points: tuple[cal.Point, ...] = cal.STOCK
        self._starts: dict[str, int] = {}

    # --- main loop -----------------------------------------------------------------
    def run(self) -> Simulation:
        """Simulate every month from the burn-in to March 2024."""
        starts = self._starts = self._starts_plan()
        uasc_slots = self._uasc_plan(starts)
        for y, m in months(cal.BURN_IN_FIRST, cal.LAST_MONTH):
            key = month_key(y, m)
            m0, m1 = date(y, m, 1), month_end(y, m)
            if key == cal.CONTROL_FIRST:
                previous = month_key(y - 1, 12) if m == 1 else month_key(y, m - 1)
                self._stock_points = (cal.Point(previous, len(self.in_care), "burn-in"), *cal.STOCK)
            self._advance(m1)
            log = MonthLog()
            if key < cal.CONTROL_FIRST:
                exits = self._natural_exits(m0, m1)
                n_starts = starts.get(key, 0)
            else:
                n_starts = starts[key]
                exits, n_starts = self._controlled_exits(key, m0, m1, n_starts, log)
            for child, when, rec, route in exits:
                self._cease(child, when, rec, route)
                log.ceased[route] = log.ceased.get(route, 0) + 1
            for slot in range(n_starts):
                self._start(m0, m1, uasc=(key, slot) in uasc_slots)
            log.starts = n_starts
            self._advance(m1)
            log.stock = len(self.in_care)
            self.log[key] = log
        return self

    def _starts_plan(self) -> dict[str, int]:
        plan: dict[str, int] = {}
        burn = list(months(cal.BURN_IN_FIRST, _prev(cal.CONTROL_FIRST)))
        years = len(burn) / 12
        for (y, m), n in zip(
            burn, spread(self.rng, round(cal.BURN_IN_STARTS_PER_YEAR * years), len(burn)), strict=True
        ):
            plan[month_key(y, m)] = n
        for window in cal.STARTS:
            span = list(months(window.first, window.last))
            for (y, m), n in zip(span, spread(self.rng, window.count, len(span)), strict=True):
                plan[month_key(y, m)] = n
        return plan

    def _uasc_plan(self, starts: dict[str, int]) -> set[tuple[str, int]]:
        chosen: list[tuple[str, int]] = []
        for first, count in cal.UASC_STARTS.items():
            y = int(first[:4])
            slots = [
                (month_key(yy, mm), s)
                for yy, mm in months(first, f"{y + 1}-03")
                for s in range(starts.get(month_key(yy, mm), 0))
            ]
            chosen.extend(self.rng.sample(slots, min(count, len(slots))))
        return set(chosen)

    # --- starts and events ---------------------------------------------------------
    def _start(self, m0: date, m1: date, uasc: bool) -> None:
        rng = self.rng
        when = m0 + timedelta(days=rng.randint(0, (m1 - m0).days))
        child = self._reentry(when) if not uasc and rng.random() < 0.06 else None
        if child is None:
            entry = draw_entry(rng, uasc)
            child = Child(
                len(self.children) + 1,
                draw_sex(rng, uasc),
                draw_dob(rng, when, entry.age_days),
                draw_ethnic(rng, uasc),
                postcode(rng),
                uasc=uasc,
            )
            self.children.append(child)
        else:
            self.former.remove(child)
            entry = draw_entry(rng, False, age_days=(when - child.dob).days)
        self._open_period(child, when, entry)

    def _reentry(self, when: date) -> Child | None:
        pool = [
            c
            for c in self.former
            if c.route in ("home_s20", "other_home")
            and c.current.dec is not None
            and (when - c.current.dec).days >= 60
            and age_years(c.dob, when) < 16.5
        ]
        return self.rng.choice(pool) if pool else None

    def _open_period(self, child: Child, when: date, entry: Entry) -> None:
        provider, pl_post, urn = self._placement(entry.place, child)
        child.episodes.append(
            Episode(when, "S", entry.ls, entry.cin, entry.place, provider, "", child.home_post, pl_post, urn)
        )
        plan = plan_period(self.rng, entry, when, child.dob)
        child.track, child.stuck, child.ready, child.events = (entry.track, plan.stuck, plan.ready, plan.events)
        child.in_care = True
        self.in_care.append(child)

    def _advance(self, until: date) -> None:
        for child in self.in_care:
            while child.events and child.events[0].when <= until:
                self._apply(child, child.events.pop(0))

    def _apply(self, child: Child, event: Event) -> None:
        cur, rng, d = child.current, self.rng, event.when
        if d <= cur.decom or d >= child.b18 - ONE_DAY:
            return
        if event.kind == "ls" and event.arg != cur.ls:
            if event.arg == "C2" and cur.place == "U3" and rng.random() < 0.4:
                self._change(child, d, ls="C2", place="U1", same_carer=True, reason="PLACE")
            elif cur.ls == "V2" and event.arg == "C1" and rng.random() < 0.3:
                self._change(child, d, ls="C1", place="U6", reason=pick(rng, _REASONS))
            else:
                self._change(child, d, ls=event.arg)
        elif event.kind == "match" and cur.place in ("U3", "U5", "U6"):
            self._change(child, d, place="U1" if cur.place == "U3" else "U4", same_carer=True, reason="PLACE")
        elif event.kind == "adopt" and cur.ls == "E1":
            if cur.place == "U5" and rng.random() < 0.7:
                self._change(child, d, place="A5", same_carer=True, reason="PLACE")
            else:
                self._change(child, d, place="A6", reason="CARPL")
        elif event.kind == "home" and cur.ls in ("C1", "C2") and cur.place != "P1":
            self._change(child, d, place="P1", reason="CARPL")
        elif event.kind == "h5" and age_years(child.dob, d) >= 16 and cur.place in ("U3", "U4", "U6", "K2"):
            self._change(child, d, place="H5", reason="CARPL")
        elif event.kind == "move" and cur.place not in ("P1", "A5", "A6", "K1"):
            self._random_move(child, d)

    def _random_move(self, child: Child, d: date) -> None:
        cur, rng = child.current, self.rng
        age = age_years(child.dob, d)
        if cur.place in FOSTER:
            options = {"U6": 0.75, "K2": 0.08 if age >= 10 else 0.0, "U4": 0.17}
            if cur.place in KINSHIP:
                options = {"U6": 0.6, "U3": 0.4}
        elif cur.place == "K2":
            options = {"K2": 0.6, "U6": 0.3, "H5": 0.1 if age >= 16 else 0.0}
        elif cur.place == "H5":
            options = {"H5": 0.7, "P2": 0.3 if age >= 17 else 0.0}
        elif cur.place in ("R1", "S1"):
            options = {"R1": 0.5, "K2": 0.5}
        else:
            return
        place = pick(rng, {k: v for k, v in options.items() if v > 0})
        self._change(child, d, place=place, reason=pick(rng, _REASONS))

    def _change(
        self,
        child: Child,
        d: date,
        *,
        ls: str | None = None,
        place: str | None = None,
        same_carer: bool = False,
        reason: str = "",
    ) -> None:
        """Close the current episode with X1 on `d` and open the next one."""
        cur = child.current
        new_ls = ls or cur.ls
        if place is None:
            rne, new_place, reason = "L", cur.place, ""
            provider, pl_post, urn = cur.provider, cur.pl_post, cur.urn
        else:
            if place == "P1" and new_ls == "V2":
                return
            changed = new_ls != cur.ls
            rne = ("U" if same_carer else "B") if changed else ("T" if same_carer else "P")
            new_place = place
            if same_carer:
                provider, pl_post, urn = cur.provider, cur.pl_post, cur.urn
            else:
                provider, pl_post, urn = self._placement(place, child)
        cur.dec, cur.rec = d, "X1"
        child.episodes.append(
            Episode(d, rne, new_ls, cur.cin, new_place, provider, reason, child.home_post, pl_post, urn)
        )

    def _placement(self, place: str, child: Child) -> tuple[str, str, str]:
        """(PLACE_PROVIDER, PL_POST, URN) for a new placement with a new carer."""
        rng = self.rng
        if place == "P1":
            return "PR0", child.home_post, "XXXXXXX"
        if place in Providers.URN_PLACES:
            urn, post = self.providers.setting(rng, place)
            provider = {"K1": "PR2", "R1": "PR4"}.get(place) or pick(
                rng,
                {
                    "K2": {"PR4": 0.8, "PR1": 0.1, "PR5": 0.1},
                    "S1": {"PR4": 0.5, "PR5": 0.5},
                    "H5": {"PR4": 0.6, "PR5": 0.3, "PR1": 0.1},
                }[place],
            )
            return provider, post, urn
        if place in KINSHIP or place == "P2":
            return "PR1", postcode(rng), "XXXXXXX"
        if place in ("A5", "A6"):
            return pick(rng, {"PR1": 0.7, "PR5": 0.3}), postcode(rng), "XXXXXXX"
        provider = pick(rng, {"PR1": 0.58, "PR4": 0.42})
        area = "HR" if rng.random() < (0.9 if provider == "PR1" else 0.6) else rng.choice(("WR", "SY", "GL", "NP"))
        return provider, postcode(rng, area), "XXXXXXX"

    # --- exits -------------------------------------------------------------------------
    def _cease(self, child: Child, when: date, rec: str, route: str) -> None:
        cur = child.current
        assert cur.decom < when <= child.b18, (child.cid, cur.decom, when)
        cur.dec, cur.rec = when, rec
        child.in_care, child.events, child.route = False, [], route
        self.in_care.remove(child)
        self.former.append(child)

    def _window(self, child: Child, m0: date, m1: date, ready: bool = False) -> tuple[date, date]:
        low = max(m0, child.current.decom + ONE_DAY)
        if ready and child.ready is not None and child.ready > low:
            low = min(child.ready, m1)
        return low, min(m1, child.b18 - ONE_DAY)

    def _day(self, child: Child, m0: date, m1: date, ready: bool = False) -> date | None:
        low, high = self._window(child, m0, m1, ready)
        if low > high:
            return None
        return low + timedelta(days=self.rng.randint(0, (high - low).days))

    def _forced(self, key: str, m0: date, m1: date) -> list[tuple[Child, date, str, str]]:
        out = []
        for child in self.in_care:
            if child.b18 <= m1:
                out.append((child, child.b18, self._rec_age18(child), "age18"))
            elif child.track == "remand" and child.ready is not None and child.ready <= m1:
                day = self._day(child, m0, m1, ready=True)
                if day is not None:
                    out.append((child, day, "E14", "other"))
        nxt = _next(key)
        if nxt in cal.EXACT_MONTHS:
            y, m = (int(x) for x in nxt.split("-"))
            due = [c for c in self.in_care if date(y, m, 1) <= c.b18 <= month_end(y, m)]
            extra = len(due) - cal.EXACT_MONTHS[nxt]["age18"]
            for child in self.rng.sample(due, max(0, extra)):
                day = self._day(child, m0, m1)
                if day is not None:
                    out.append((child, day, pick(self.rng, {"E5": 0.7, "E6": 0.3}), "early_indep"))
        return out

    def _rec_age18(self, child: Child) -> str:
        place, rng = child.current.place, self.rng
        if place in FOSTER:
            return pick(rng, {"E17": 0.78, "E5": 0.12, "E6": 0.03, "E8": 0.07})
        if place in ("H5", "P2"):
            return pick(rng, {"E5": 0.6, "E6": 0.3, "E8": 0.1})
        if place in ("R1", "S1") or child.track == "disabled":
            return pick(rng, {"E7": 0.6, "E8": 0.4})
        if place in ("K1", "K2"):
            return pick(rng, {"E5": 0.55, "E6": 0.2, "E8": 0.25})
        return "E8"

    def _natural_exits(self, m0: date, m1: date) -> list[tuple[Child, date, str, str]]:
        out = self._forced("", m0, m1)
        taken = {id(c) for c, *_ in out}
        rng = self.rng
        for child in self.in_care:
            if id(child) in taken:
                continue
            route = QUOTA_TRACKS.get(child.track) or ("home_s20" if child.track == "s20_short" else "")
            if route and self._can_exit(child, route, m1, 0):
                day = self._day(child, m0, m1, ready=True)
                if day is not None:
                    out.append((child, day, self._rec(child, route), route))
            elif child.track in ("ltf", "residential", "s20_long", "uasc", "disabled"):
                older = age_years(child.dob, m1) >= 16.5
                if rng.random() < (0.02 if older else 0.003):
                    day = self._day(child, m0, m1)
                    route = "early_indep" if older else "other"
                    if day is not None:
                        out.append((child, day, self._rec(child, route), route))
        return out

    def _can_exit(self, child: Child, route: str, m1: date, pull_days: int, substitute: bool = False) -> bool:
        """Whether the child's plan lets them leave by `route` by the end of this month.

        `substitute` (pinned months only) lets a child on an SGO or reunification plan who
        lives with relatives or parents leave by a child arrangements order instead.
        """
        cur = child.current
        if child.ready is None or child.ready > m1 + timedelta(days=pull_days):
            return False
        if substitute:
            return (
                route == "cao"
                and child.track in ("sgo", "reunify")
                and cur.ls in ("C1", "C2")
                and cur.place in (*KINSHIP, "P1")
            )
        if route == "adoption":
            return cur.ls == "E1" and cur.place in ("A5", "A6") and (m1 - cur.decom).days >= 70
        if route == "sgo":
            return child.track == "sgo" and cur.ls in ("C1", "C2") and cur.place in FOSTER
        if route == "reunify":
            return child.track == "reunify" and cur.ls == "C2"
        if route == "cao":
            return child.track == "cao" and cur.ls in ("C1", "C2") and (cur.place in FOSTER or cur.place == "P1")
        return child.track == "s20_short" and cur.ls == "V2"

    def _rec(self, child: Child, route: str) -> str:
        place, rng = child.current.place, self.rng
        if route == "adoption":
            return pick(rng, {"E11": 0.7, "E12": 0.3})
        if route == "sgo":
            if place in KINSHIP:
                return pick(rng, {"E45": 0.9, "E47": 0.1})
            return pick(rng, {"E46": 0.75, "E47": 0.2, "E48": 0.05})
        if route == "reunify":
            return "E4A"
        if route == "cao":
            return "E41"
        if route == "home_s20":
            return pick(rng, {"E4A": 0.6, "E4B": 0.1, "E13": 0.3})
        if route == "early_indep":
            return pick(rng, {"E5": 0.6, "E6": 0.25, "E8": 0.15})
        if child.uasc:
            return pick(rng, {"E15": 0.5, "E8": 0.3, "E3": 0.2})
        rec = pick(rng, {"E13": 0.4, "E3": 0.2, "E8": 0.3, "E16": 0.05, "E9": 0.05})
        return "E8" if rec == "E9" and age_years(child.dob, child.current.decom) < 12 else rec

    def _target(self, key: str) -> int:
        return round(cal.interpolate(self._stock_points, key))

    def _due(self, route: str, key: str) -> tuple[int, int, bool]:
        """(number due this month, window index, whether the window is a single month)."""
        for index, (first, last, count) in enumerate(self._windows[route]):
            if first <= key <= last:
                span = list(months(first, last))
                elapsed = [month_key(y, m) for y, m in span].index(key) + 1
                done = self._route_done.get((route, index), 0)
                return max(0, round(count * elapsed / len(span)) - done), index, first == last
        return 0, -1, False

    def _controlled_exits(
        self, key: str, m0: date, m1: date, n_starts: int, log: MonthLog
    ) -> tuple[list[tuple[Child, date, str, str]], int]:
        rng = self.rng
        target = self._target(key)
        log.target = target
        out = self._forced(key, m0, m1)
        budget = len(self.in_care) + n_starts - target
        if budget < len(out):
            borrowed = self._borrow_starts(key, len(out) - budget)
            n_starts += borrowed
            budget += borrowed
        taken = {id(c) for c, *_ in out}
        dues = [(route, *self._due(route, key)) for route in ("adoption", "sgo", "reunify", "cao")]
        dues.sort(key=lambda item: not item[3])  # single-month (pinned) windows first
        for route, due, index, pinned in dues:
            for pull, substitute in ((0, False), (3000 if pinned else 540, False), (3000, pinned)):
                if due <= 0 or len(out) >= budget:
                    break
                pool = [
                    c for c in self.in_care if id(c) not in taken and self._can_exit(c, route, m1, pull, substitute)
                ]
                pool.sort(key=lambda c: (c.ready, c.number))
                for child in pool:
                    if due <= 0 or len(out) >= budget:
                        break
                    day = self._day(child, m0, m1, ready=True)
                    if day is None:
                        continue
                    out.append((child, day, self._rec(child, route), route))
                    taken.add(id(child))
                    self._route_done[(route, index)] = self._route_done.get((route, index), 0) + 1
                    due -= 1
        flexible = budget - len(out)
        if flexible > 0:
            out.extend(self._flexible(key, m0, m1, flexible, taken))
        del rng
        return out, n_starts

    def _borrow_starts(self, key: str, wanted: int) -> int:
        """Move up to `wanted` starts from later months of the same starts window to this one."""
        window = next((w for w in cal.STARTS if w.first <= key <= w.last), None)
        if window is None or window.first == window.last:
            return 0
        got = 0
        for y, m in months(_next(key), window.last):
            later = month_key(y, m)
            while got < wanted and self._starts[later] > 0:
                self._starts[later] -= 1
                got += 1
        return got

    def _flexible(self, key: str, m0: date, m1: date, n: int, taken: set[int]) -> list[tuple[Child, date, str, str]]:
        rng = self.rng
        free = [c for c in self.in_care if id(c) not in taken and self._day(c, m0, m1) is not None]
        older = [
            c
            for c in free
            if age_years(c.dob, m1) >= 16.3
            and c.current.place not in ("A5", "A6", "P1")
            and c.track not in QUOTA_TRACKS
        ]
        if key in cal.EXACT_MONTHS:
            tiers = [("early_indep", older)]
        older = [c for c in older if c.current.place in ("H5", "P2", "K2")]
        if key in cal.EXACT_MONTHS:
            pass
        else:
            ready_home = sorted(
                (c for c in free if self._can_exit(c, "home_s20", m1, 0)), key=lambda c: (c.ready, c.number)
            )
            later_home = sorted(
                (c for c in free if c.track == "s20_short" and c.ready and c not in ready_home),
                key=lambda c: (c.ready, c.number),
            )
            others = [
                c
                for c in free
                if c.track in ("ltf", "residential", "s20_long", "uasc", "disabled", "reunify", "sgo")
                and c.current.place not in ("A5", "A6")
                and c.ready is None
            ]
            tiers = [("home_s20", ready_home), ("mixed", []), ("home_s20", later_home)]
            mix = rng.sample(others, len(others))
            for child in rng.sample(older, len(older)):  # 16-17 year olds go to the front half
                mix.insert(rng.randint(0, len(mix) // 2), child)
            tiers[1] = ("mixed", mix)
        out: list[tuple[Child, date, str, str]] = []
        for route, pool in tiers:
            for child in pool:
                if len(out) >= n:
                    return out
                if id(child) in taken:
                    continue
                chosen = route
                if route == "mixed":
                    chosen = "early_indep" if child in older else "other"
                day = self._day(child, m0, m1, ready=chosen == "home_s20")
                if day is None:
                    continue
                rec = "E5" if key in cal.EXACT_MONTHS else self._rec(child, chosen)
                out.append((child, day, rec, chosen))
                taken.add(id(child))
        return out


def _prev(key: str) -> str:
    y, m = (int(x) for x in key.split("-"))
    return month_key(y - 1, 12) if m == 1 else month_key(y, m - 1)


def _next(key: str) -> str:
    if not key:
        return ""
    y, m = (int(x) for x in key.split("-"))
    return month_key(y + 1, 1) if m == 12 else month_key(y, m + 1)


def _route_windows() -> dict[str, list[tuple[str, str, float]]]:
    """Calibrated windows per route, with financial-year default windows filling the gaps."""
    out: dict[str, list[tuple[str, str, float]]] = {}
    for route, rate in cal.DEFAULT_ROUTE_RATE.items():
        windows = [(w.first, w.last, float(w.count)) for w in cal.ROUTES.get(route, ())]
        covered = {month_key(y, m) for first, last, _ in windows for y, m in months(first, last)}
        for fy in range(int(cal.CONTROL_FIRST[:4]), int(cal.LAST_MONTH[:4])):
            gap = [month_key(y, m) for y, m in months(f"{fy}-04", f"{fy + 1}-03") if month_key(y, m) not in covered]
            # contiguous runs of uncovered months become default windows
            run: list[str] = []
            for k in [*gap, ""]:
                if run and (not k or _prev(k) != run[-1]):
                    windows.append((run[0], run[-1], rate * len(run) / 12))
                    run = []
                if k:
                    run.append(k)
        out[route] = sorted(windows)
    return out


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
        child = Child(
            len(sim.children) + 1,
            draw_sex(rng, False),
            dob,
            draw_ethnic(rng, False),
            postcode(rng),
            short_breaks=True,
            track="short_breaks",
        )
        sim.children.append(child)
        unit = rng.random() < 0.6
        urn, post = sim.providers.setting(rng, "K2") if unit else ("XXXXXXX", postcode(rng))
        when = start
        last = min(date(2024, 3, 31), add_years(dob, 18) - timedelta(days=30))
        while when <= last - timedelta(days=5):
            nights = rng.randint(2, 4)
            child.episodes.append(
                Episode(
                    when,
                    "S",
                    "V3",
                    "N2",
                    "K2" if unit else "U6",
                    "PR1",
                    "",
                    child.home_post,
                    post,
                    urn,
                    dec=when + timedelta(days=nights),
                    rec="E4A",
                )
            )
            when += timedelta(days=rng.randint(28, 49))
        out.append(child)
    return out
