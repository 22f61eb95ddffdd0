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

from analysis.core.codes import PLACE_GROUP

from ._util import ONE_DAY, add_years, age_years, pick
from .people import Providers, child_id, postcode
from .postcodes import LOCAL
from .tracks import Event

#: Foster placements (U1-U6) and those with relatives or friends (U1-U3), from the pack's groupings.
FOSTER = tuple(code for code, group in PLACE_GROUP.items() if group in ("foster_kinship", "foster_other"))
KINSHIP = tuple(code for code, group in PLACE_GROUP.items() if group == "foster_kinship")
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
    reentry_due: date | None = None  # when the child will come back into care, if they will

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


#: Supported accommodation (H5) registered with Ofsted from this day; P2 (independent
#: living) is no longer a valid placement after it (903 rules 217t and 230, 2023/24).
SUPPORTED_ACCOMMODATION_REGISTERED = date(2023, 10, 28)


def placement(child: Child, place: str, providers: Providers, on: date) -> tuple[str, str, str]:
    """(PLACE_PROVIDER, PL_POST, URN) for a new placement with a new carer, starting `on`.

    The placement postcode is real (Herefordshire or a neighbouring area) and never the
    child's home postcode unless the child is placed with parents (P1).
    """
    rng = child.rng
    if place == "P1":
        return "PR0", child.home_post, "XXXXXXX"
    if place in Providers.URN_PLACES:
        urn, post = providers.setting(rng, place, avoid=child.home_post)
        if place in ("K1", "R1"):
            provider = "PR2" if place == "K1" else "PR4"
        else:
            shares = {"K2": {"PR4": 0.8, "PR1": 0.1, "PR5": 0.1}, "S1": {"PR4": 0.5, "PR5": 0.5},
                      "H5": {"PR4": 0.6, "PR5": 0.3, "PR1": 0.1}}  # fmt: skip
            provider = pick(rng, shares[place])
        if provider == "PR1" and post not in LOCAL:
            provider = "PR4"  # own provision other than foster care is in the county (rule 1015)
        if place == "R1" or (place == "H5" and on < SUPPORTED_ACCOMMODATION_REGISTERED):
            urn = "XXXXXXX"
        return provider, post, urn
    if place in KINSHIP or place == "P2":
        return "PR1", postcode(rng, avoid=child.home_post), "XXXXXXX"
    if place in ("A5", "A6"):
        return pick(rng, {"PR1": 0.7, "PR5": 0.3}), postcode(rng, avoid=child.home_post), "XXXXXXX"
    provider = pick(rng, {"PR1": 0.58, "PR4": 0.42})  # in-house 34% / IFA 24% ([HC-SCRUTINY-2020-12])
    local = rng.random() < (0.9 if provider == "PR1" else 0.6)
    return provider, postcode(rng, local=local, avoid=child.home_post), "XXXXXXX"


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
            provider, pl_post, urn = placement(child, place, providers, d)
            if (place, provider, pl_post, urn) == (cur.place, cur.provider, cur.pl_post, cur.urn):
                return  # the "new" setting is the one the child is in: no move (rule 435)
        reason = reason or "OTHER"
    # The reason for a placement change goes on the episode that ends (903 rule 225).
    cur.dec, cur.rec, cur.reason = d, "X1", reason
    child.episodes.append(Episode(d, rne, new_ls, cur.cin, new_place, provider, "", child.home_post, pl_post, urn))


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


def register_supported_accommodation(child: Child, providers: Providers) -> None:
    """On 28 October 2023 supported accommodation became Ofsted-registered and P2 ended.

    A child then in H5 starts a new episode in the same home with its URN (RNE T, reason
    PLACE, change in the status of the placement only); a child in P2 moves to registered
    supported accommodation (H5).
    """
    d, cur = SUPPORTED_ACCOMMODATION_REGISTERED, child.current
    if cur.decom >= d or d >= child.b18 - ONE_DAY:
        return
    if cur.place == "H5" and cur.urn == "XXXXXXX":
        urn = providers.urn_at("H5", cur.pl_post)
        cur.dec, cur.rec, cur.reason = d, "X1", "PLACE"
        child.episodes.append(Episode(d, "T", cur.ls, cur.cin, "H5", cur.provider, "", child.home_post,
                                      cur.pl_post, urn))  # fmt: skip
    elif cur.place == "P2":
        change(child, d, providers, place="H5", reason="PLACE")


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
        options = {"H5": 0.7, "P2": 0.3 if age >= 17 and d < SUPPORTED_ACCOMMODATION_REGISTERED else 0.0}
    elif cur.place in ("R1", "S1"):
        options = {"R1": 0.5, "K2": 0.5}
    else:
        return
    target = pick(rng, {k: v for k, v in options.items() if v > 0})
    change(child, d, providers, place=target, reason=pick(rng, MOVE_REASONS))
