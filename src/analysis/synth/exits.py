"""Who may leave care by which route, with which REC, and the route quota windows.

Routes: `adoption`, `sgo`, `reunify` (care order discharged, home: E4A from C2), `cao`
(child arrangements order, E41) are steered by quota; `age18` is forced at the 18th
birthday; `home_s20` (section 20 ending), `early_indep` (independent living at 16-17)
and `other` are flexible and absorb the rest of the month's ceased count.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from . import calibration as cal
from ._util import age_years, month_key, months, pick
from .model import FOSTER, KINSHIP, Child

STEERED = ("adoption", "sgo", "reunify", "cao")


def can_exit(child: Child, route: str, m1: date, pull_days: int = 0, substitute: bool = False) -> bool:
    """Whether the child's plan lets them leave by `route` by the end of the month `m1`.

    `pull_days` lets a plan that is not due yet go early; `substitute` (pinned months only)
    lets a child on an SGO or reunification plan living with relatives or parents leave by
    a child arrangements order instead.
    """
    cur = child.current
    if child.ready is None or child.ready > m1 + timedelta(days=pull_days):
        return False
    if route in STEERED and (m1 - period_start(child)).days < 60:
        return False  # an order needs proceedings: not in the first two months of a period
    if substitute:
        return (
            route == "cao"
            and child.track in ("sgo", "reunify")
            and cur.ls in ("C1", "C2")
            and (cur.place in (*KINSHIP, "P1"))
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


def period_start(child: Child) -> date:
    """DECOM of the first episode of the child's current period of care."""
    return next(e.decom for e in reversed(child.episodes) if e.rne == "S")


def rec_age18(child: Child, rng: random.Random) -> str:
    """REC on the 18th birthday, by placement (E17 = stayed with carers, [HSCP-2021-22])."""
    place = child.current.place
    if place in FOSTER:
        return pick(rng, {"E17": 0.78, "E5": 0.12, "E6": 0.03, "E8": 0.07})
    if place in ("H5", "P2"):
        return pick(rng, {"E5": 0.6, "E6": 0.3, "E8": 0.1})
    if place in ("R1", "S1") or child.track == "disabled":
        return pick(rng, {"E7": 0.6, "E8": 0.4})
    if place in ("K1", "K2"):
        return pick(rng, {"E5": 0.55, "E6": 0.2, "E8": 0.25})
    return "E8"


def rec_for(child: Child, route: str, rng: random.Random) -> str:
    """REC for a route (SGO to former foster carers E45/E46 only from U1-U6)."""
    place = child.current.place
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
    rec = pick(rng, {"E13": 0.3, "E3": 0.25, "E8": 0.35, "E16": 0.05, "E9": 0.05})
    return "E8" if rec == "E9" and age_years(child.dob, child.current.decom) < 12 else rec


def prev_key(key: str) -> str:
    """The month before 'YYYY-MM'."""
    y, m = (int(x) for x in key.split("-"))
    return month_key(y - 1, 12) if m == 1 else month_key(y, m - 1)


def next_key(key: str) -> str:
    """The month after 'YYYY-MM'."""
    y, m = (int(x) for x in key.split("-"))
    return month_key(y + 1, 1) if m == 12 else month_key(y, m + 1)


def route_windows() -> dict[str, list[tuple[str, str, float]]]:
    """Calibrated windows per steered route, with financial-year default windows in the gaps."""
    out: dict[str, list[tuple[str, str, float]]] = {}
    for route, rate in cal.DEFAULT_ROUTE_RATE.items():
        windows = [(w.first, w.last, float(w.count)) for w in cal.ROUTES.get(route, ())]
        covered = {month_key(y, m) for first, last, _ in windows for y, m in months(first, last)}
        for fy in range(int(cal.CONTROL_FIRST[:4]), int(cal.LAST_MONTH[:4])):
            gap = [k for k in (month_key(y, m) for y, m in months(f"{fy}-04", f"{fy + 1}-03")) if k not in covered]
            run: list[str] = []
            for k in [*gap, ""]:  # contiguous runs of uncovered months become default windows
                if run and (not k or prev_key(k) != run[-1]):
                    windows.append((run[0], run[-1], rate * len(run) / 12))
                    run = []
                if k:
                    run.append(k)
        out[route] = sorted(windows)
    return out
