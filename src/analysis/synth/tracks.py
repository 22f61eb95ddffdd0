"""Who comes into care, and the plan each child's period of care follows.

A *track* is the care plan that shapes a period of care: `adoption`, `sgo`, `reunify`,
`cao` (child arrangements order), `ltf` (long-term fostering), `residential`, `disabled`,
`s20_short`, `s20_long`, `uasc` and `remand`. At entry the child gets a legal status,
placement and category of need, and a list of dated *events* (legal-status changes,
placement moves); `ready` is the first date the planned exit (adoption order, SGO,
discharge, CAO, return home) could happen. All proportions are assumptions chosen so
the stock matches the published cohort counts (see calibration.STATUS_2020).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from ._util import add_years, pick

#: Tracks whose planned exit is decided by the monthly route quotas.
QUOTA_TRACKS = {"adoption": "adoption", "sgo": "sgo", "reunify": "reunify", "cao": "cao"}

_AGE_BANDS = {"0": 0.20, "1-4": 0.16, "5-9": 0.15, "10-15": 0.36, "16-17": 0.13}
_BAND_DAYS = {"0": (0, 364), "1-4": (365, 1824), "5-9": (1825, 3649), "10-15": (3650, 5843), "16-17": (5844, 6400)}
_TRACKS_BY_BAND = {
    "0": {"adoption": 0.42, "sgo": 0.28, "reunify": 0.17, "ltf": 0.09, "cao": 0.04},
    "1-4": {"adoption": 0.27, "sgo": 0.31, "reunify": 0.22, "ltf": 0.16, "cao": 0.04},
    "5-9": {"sgo": 0.28, "reunify": 0.28, "ltf": 0.32, "s20_short": 0.08, "cao": 0.02, "disabled": 0.02},
    "10-15": {
        "ltf": 0.39, "residential": 0.13, "reunify": 0.16, "s20_short": 0.13, "s20_long": 0.02,
        "sgo": 0.09, "disabled": 0.02, "remand": 0.02,
    },
    "16-17": {"ltf": 0.39, "s20_long": 0.06, "s20_short": 0.36, "residential": 0.13, "remand": 0.06},
}  # fmt: skip
_CIN = {
    "care": {"N1": 0.75, "N4": 0.08, "N5": 0.10, "N3": 0.04, "N8": 0.03},
    "residential": {"N1": 0.45, "N5": 0.20, "N6": 0.15, "N4": 0.15, "N3": 0.05},
    "s20": {"N4": 0.35, "N5": 0.25, "N1": 0.20, "N6": 0.10, "N8": 0.10},
}
#: Random placement moves per year, by track (low: Herefordshire's stability was good,
#: [HSCP-2021-22]).
_MOVE_RATE = {
    "adoption": 0.05,
    "sgo": 0.05,
    "reunify": 0.08,
    "cao": 0.05,
    "ltf": 0.17,
    "residential": 0.35,
    "disabled": 0.05,
    "s20_short": 0.05,
    "s20_long": 0.3,
    "uasc": 0.3,
    "remand": 0.0,
}
_TO_H5 = {"residential": 0.3, "s20_long": 0.45, "uasc": 0.6, "ltf": 0.04}


@dataclass(frozen=True)
class Event:
    """A scheduled change: `kind` is ls, match, adopt, home, h5 or move."""

    when: date
    kind: str
    arg: str = ""


@dataclass
class Entry:
    """How a period of care starts."""

    age_days: int
    track: str
    ls: str
    place: str
    cin: str
    uasc: bool = False


@dataclass
class Plan:
    """The scheduled events of a period and when its planned exit is ready."""

    events: list[Event] = field(default_factory=list)
    ready: date | None = None
    stuck: bool = False


def draw_entry(rng: random.Random, uasc: bool, age_days: int | None = None, older: bool = False,
               kin: bool = False) -> Entry:  # fmt: skip
    """Age, track, legal status, placement and category of need for a new period.

    `age_days` fixes the age (a child coming back into care); otherwise it is drawn.
    `older` makes an asylum-seeking child 17 on arrival; `kin` favours family and friends
    foster carers (after permanence planning meetings began, [HC-SCRUTINY-2020-12]).
    """
    if uasc:
        if older:
            age = rng.randint(6355, 6460)
        elif rng.random() < 0.6:
            age = rng.randint(5844, 6350)
        else:
            age = rng.randint(5113, 5843)
        options = {"H5": 0.45, "U6": 0.45, "K2": 0.10} if age >= 5844 else {"U6": 0.85, "K2": 0.15}
        return Entry(age, "uasc", "V2", pick(rng, options), "N8", uasc=True)
    if age_days is None:
        band = pick(rng, _AGE_BANDS)
        low, high = _BAND_DAYS[band]
        age = rng.randint(0, 7) if band == "0" and rng.random() < 0.35 else rng.randint(low, high)
    else:
        age = age_days
        band = next((b for b, (low, high) in _BAND_DAYS.items() if age <= high), "16-17")
    track = pick(rng, _TRACKS_BY_BAND[band])
    ls = _initial_ls(rng, track, age)
    return Entry(age, track, ls, _initial_place(rng, track, ls, age, kin), _initial_cin(rng, track))


def _initial_ls(rng: random.Random, track: str, age: int) -> str:
    if track in ("adoption", "sgo", "reunify", "cao") or (track == "ltf" and age < 3650):
        return pick(rng, {"C1": 0.75, "L1": 0.06, "L2": 0.10, "V2": 0.09})
    if track == "ltf":
        return pick(rng, {"C1": 0.60, "V2": 0.25, "L1": 0.10, "L2": 0.05})
    if track == "residential":
        return pick(rng, {"C1": 0.82, "V2": 0.08, "L1": 0.10})
    if track == "disabled":
        return pick(rng, {"V2": 0.3, "C1": 0.7})
    if track == "remand":
        return "J1"
    return pick(rng, {"V2": 0.93, "L1": 0.07})


def _initial_place(rng: random.Random, track: str, ls: str, age: int, kin: bool) -> str:
    teen = age >= 3650
    options: dict[str, float]
    if track == "adoption":
        options = {"U6": 0.68, "U5": 0.2, "U3": 0.12}
    elif track == "sgo":
        options = {"U3": 0.9, "U6": 0.1} if kin else {"U3": 0.45, "U6": 0.55}
    elif track == "reunify":
        options = {"U6": 0.55, "U3": 0.15, "P1": 0.18 if ls == "C1" else 0.0, "K2": 0.05 if teen else 0}
    elif track == "cao":
        options = {"U3": 0.6, "P1": 0.2 if ls == "C1" else 0.0, "U6": 0.2}
    elif track == "ltf":
        options = {"U6": 0.7, "U3": 0.3 if kin else 0.07, "K2": 0.08 if teen else 0.0}
    elif track == "residential":
        options = {"K2": 0.95, "S1": 0.05}
    elif track == "disabled":
        options = {"R1": 0.4, "K2": 0.4, "S1": 0.2}
    elif track == "remand":
        options = {"K1": 1.0}
    elif track == "s20_short":
        options = {"U6": 0.7, "U3": 0.15, "K2": 0.1, "H5": 0.05 if age >= 5844 else 0.0}
    else:  # s20_long
        options = {"U6": 0.4, "H5": 0.35 if age >= 5844 else 0.0, "K2": 0.25}
    return pick(rng, {k: v for k, v in options.items() if v > 0})


def _initial_cin(rng: random.Random, track: str) -> str:
    if track == "disabled":
        return "N2"
    if track == "remand":
        return "N6"
    if track in ("residential",):
        return pick(rng, _CIN["residential"])
    if track in ("s20_short", "s20_long"):
        return pick(rng, _CIN["s20"])
    return pick(rng, _CIN["care"])


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, high))


def plan_period(rng: random.Random, entry: Entry, start: date, dob: date) -> Plan:
    """Schedule the events of a period of care that starts on `start`."""
    plan = Plan()
    ev = plan.events
    b18 = add_years(dob, 18)
    track, ls = entry.track, entry.ls
    care_order_track = track in ("adoption", "sgo", "reunify", "cao", "ltf", "residential", "disabled")
    # Emergency or voluntary start, then an interim care order.
    proceedings: date | None = start if ls == "C1" else None
    if ls in ("L1", "L2"):
        to = "C1" if care_order_track else "V2"
        when = start + (_days(rng, 1, 3) if ls == "L1" else _days(rng, 8, 20))
        ev.append(Event(when, "ls", to))
        proceedings = when if to == "C1" else None
    elif (
        ls == "V2"
        and care_order_track
        and (track != "residential" and track != "disabled" and (track != "ltf" or rng.random() < 0.85))
    ):
        when = start + _days(rng, 20, 150)
        ev.append(Event(when, "ls", "C1"))
        proceedings = when
    if proceedings is not None:
        _plan_proceedings(rng, plan, track, proceedings, entry)
    elif track == "s20_short":
        plan.ready = start + (_days(rng, 10, 60) if rng.random() < 0.4 else _days(rng, 61, 240))
    elif track == "remand":
        plan.ready = start + _days(rng, 10, 90)
    h5_share = _TO_H5.get(track, 0.0)
    if entry.place not in ("H5", "P1") and rng.random() < h5_share:
        when = max(start + _days(rng, 30, 60), add_years(dob, 16) + _days(rng, 0, 540))
        ev.append(Event(when, "h5"))
    rate = _MOVE_RATE[track]
    when = start
    while rate > 0:
        when += timedelta(days=max(20, int(rng.expovariate(rate) * 365)))
        if when >= b18:
            break
        ev.append(Event(when, "move"))
    plan.events = _tidy(ev, start, b18)
    if plan.ready is not None and plan.ready >= b18 - timedelta(days=2):
        plan.ready = None
    return plan


def _plan_proceedings(rng: random.Random, plan: Plan, track: str, began: date, entry: Entry) -> None:
    """Care proceedings from an interim care order to the final order and planned exit."""
    ev = plan.events
    final = began + _days(rng, 120, 280)
    if track == "adoption":
        ev.append(Event(final, "ls", "E1"))
        placed = final + _days(rng, 90, 420)
        ev.append(Event(placed, "adopt"))
        plan.ready = placed + _days(rng, 90, 300)
    elif track == "sgo":
        ev.append(Event(final, "ls", "C2"))
        if rng.random() < 0.22:
            plan.stuck = True
            ev.append(Event(final + _days(rng, 60, 300), "match"))
            if rng.random() < 0.4:
                plan.ready = final + _days(rng, 500, 1400)
        elif rng.random() < 0.25:
            plan.ready = max(began + timedelta(days=60), final - _days(rng, 3, 25))
        else:
            plan.ready = final + _days(rng, 120, 600)
    elif track == "reunify":
        ev.append(Event(final, "ls", "C2"))
        if rng.random() < 0.15:
            ev.append(Event(final + _days(rng, 90, 400), "match"))
            return
        if entry.place == "P1" or rng.random() < 0.45:  # placed at home, or discharged from foster care
            home = final
        elif rng.random() < 0.4:
            home = began + timedelta(days=rng.randint(60, max(61, (final - began).days - 10)))
            ev.append(Event(home, "home"))
        else:
            home = final + _days(rng, 30, 300)
            ev.append(Event(home, "home"))
        plan.ready = max(home, final) + _days(rng, 90, 540)
    elif track == "cao":
        ev.append(Event(final, "ls", "C2"))
        if rng.random() < 0.6:
            plan.ready = max(began + timedelta(days=60), final - _days(rng, 3, 20))
        else:
            plan.ready = final + _days(rng, 60, 300)
    else:  # ltf, residential, disabled
        ev.append(Event(final, "ls", "C2"))
        if track == "ltf" and rng.random() < 0.8:
            ev.append(Event(final + _days(rng, 90, 540), "match"))


def _tidy(events: list[Event], start: date, b18: date) -> list[Event]:
    """Sort events, drop those at or after the day before the 18th birthday, make dates unique."""
    out: list[Event] = []
    last = start
    for event in sorted(events, key=lambda e: (e.when, e.kind, e.arg)):
        when = max(event.when, last + timedelta(days=1))
        if when >= b18 - timedelta(days=1):
            break
        out.append(Event(when, event.kind, event.arg))
        last = when
    return out
