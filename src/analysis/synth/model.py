"""The child and episode model, and the episode-level operations of the simulation.

A change of legal status or placement closes the current episode with REC X1 and opens
the next on the same day, with the RNE the DfE rules require: L (legal status only),
P (placement and carer), T (placement, same carer), B (both and carer) or U (both, same
carer). PLACE_PROVIDER PR0 goes only with P1, and P1 never with LS V2.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from ._util import ONE_DAY, add_years, age_years, pick
from .people import Providers, child_id, postcode
from .tracks import Event

FOSTER = ("U1", "U2", "U3", "U4", "U5", "U6")
KINSHIP = ("U1", "U2", "U3")
#: REASON_PLACE_CHANGE for unplanned moves (assumption).
MOVE_REASONS = {"CARPL": 30, "CREQB": 15, "CREQO": 14, "LAREQ": 10, "CHILD": 7, "STAND": 5, "CLOSE": 5,
                "ALLEG": 3, "APPRR": 2, "OTHER": 9}  # fmt: skip


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
    rng: random.Random = field(repr=False, compare=False)
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


def placement(child: Child, place: str, providers: Providers) -> tuple[str, str, str]:
    """(PLACE_PROVIDER, PL_POST, URN) for a new placement with a new carer."""
    rng = child.rng
    if place == "P1":
        return "PR0", child.home_post, "XXXXXXX"
    if place in Providers.URN_PLACES:
        urn, post = providers.setting(rng, place)
        if place in ("K1", "R1"):
            return ("PR2" if place == "K1" else "PR4"), post, urn
        shares = {"K2": {"PR4": 0.8, "PR1": 0.1, "PR5": 0.1}, "S1": {"PR4": 0.5, "PR5": 0.5},
                  "H5": {"PR4": 0.6, "PR5": 0.3, "PR1": 0.1}}  # fmt: skip
        return pick(rng, shares[place]), post, urn
    if place in KINSHIP or place == "P2":
        return "PR1", postcode(rng), "XXXXXXX"
    if place in ("A5", "A6"):
        return pick(rng, {"PR1": 0.7, "PR5": 0.3}), postcode(rng), "XXXXXXX"
    provider = pick(rng, {"PR1": 0.58, "PR4": 0.42})  # in-house 34% / IFA 24% (seed 003)
    local = rng.random() < (0.9 if provider == "PR1" else 0.6)
    return provider, postcode(rng, "HR" if local else rng.choice(("WR", "SY", "GL", "NP"))), "XXXXXXX"


def change(
    child: Child,
    d: date,
    providers: Providers,
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
            provider, pl_post, urn = placement(child, place, providers)
    cur.dec, cur.rec = d, "X1"
    child.episodes.append(Episode(d, rne, new_ls, cur.cin, new_place, provider, reason, child.home_post, pl_post, urn))


def apply_event(child: Child, event: Event, providers: Providers) -> None:
    """Carry out a scheduled event if it still makes sense for the child's current episode."""
    cur, rng, d = child.current, child.rng, event.when
    if d <= cur.decom or d >= child.b18 - ONE_DAY:
        return
    if event.kind == "ls" and event.arg != cur.ls:
        if event.arg == "C2" and cur.place == "U3" and rng.random() < 0.4:
            change(child, d, providers, ls="C2", place="U1", same_carer=True, reason="PLACE")
        elif cur.ls == "V2" and event.arg == "C1" and rng.random() < 0.3:
            change(child, d, providers, ls="C1", place="U6", reason=pick(rng, MOVE_REASONS))
        else:
            change(child, d, providers, ls=event.arg)
    elif event.kind == "match" and cur.place in ("U3", "U5", "U6"):  # long-term matched
        change(child, d, providers, place="U1" if cur.place == "U3" else "U4", same_carer=True, reason="PLACE")
    elif event.kind == "adopt" and cur.ls == "E1":
        if cur.place == "U5" and rng.random() < 0.7:
            change(child, d, providers, place="A5", same_carer=True, reason="PLACE")
        else:
            change(child, d, providers, place="A6", reason="CARPL")
    elif event.kind == "home" and cur.ls in ("C1", "C2") and cur.place != "P1":
        change(child, d, providers, place="P1", reason="CARPL")
    elif event.kind == "h5" and age_years(child.dob, d) >= 16 and cur.place in ("U3", "U4", "U6", "K2"):
        change(child, d, providers, place="H5", reason="CARPL")
    elif event.kind == "move" and cur.place not in ("P1", "A5", "A6", "K1"):
        random_move(child, d, providers)


def random_move(child: Child, d: date, providers: Providers) -> None:
    """An unplanned placement move to a plausible next placement."""
    cur, rng = child.current, child.rng
    age = age_years(child.dob, d)
    if cur.place in KINSHIP:
        options = {"U6": 0.6, "U3": 0.4}
    elif cur.place in FOSTER:
        options = {"U6": 0.74, "K2": 0.08 if age >= 10 else 0.0, "U4": 0.18}
    elif cur.place == "K2":
        options = {"K2": 0.65, "U6": 0.25, "H5": 0.1 if age >= 16 else 0.0}
    elif cur.place == "H5":
        options = {"H5": 0.7, "P2": 0.3 if age >= 17 else 0.0}
    elif cur.place in ("R1", "S1"):
        options = {"R1": 0.5, "K2": 0.5}
    else:
        return
    target = pick(rng, {k: v for k, v in options.items() if v > 0})
    change(child, d, providers, place=target, reason=pick(rng, MOVE_REASONS))
