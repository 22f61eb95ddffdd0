"""Fake identities for synthetic children and fake provider details for placements.

Nothing here describes a real person or provider: identifiers are `SYN` + 6 digits,
UPNs are random (format-valid, with the DfE check letter), postcodes are real postcodes
drawn at random from a small fixed sample (`postcodes.py`), so that the DfE validator can
derive placement areas and distances, and provider URNs are 7-digit numbers starting with 9.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from ._util import pick
from .postcodes import LOCAL, NEIGHBOURS

LA_CODE = "884"

#: Ethnicity of children in care (assumption: Herefordshire is about 93% White British).
ETHNIC_WEIGHTS = {
    "WBRI": 83.0,
    "WOTH": 4.0,
    "WIRI": 0.5,
    "WIRT": 1.0,
    "WROM": 1.5,
    "MWBC": 2.0,
    "MWBA": 1.0,
    "MWAS": 1.5,
    "MOTH": 2.0,
    "AIND": 0.3,
    "APKN": 0.3,
    "AOTH": 0.4,
    "BCRB": 0.3,
    "BAFR": 0.4,
    "BOTH": 0.3,
    "CHNE": 0.1,
    "OOTH": 0.6,
    "NOBT": 0.8,
}
#: Ethnicity of unaccompanied asylum-seeking children (assumption).
UASC_ETHNIC_WEIGHTS = {"BAFR": 30.0, "AOTH": 25.0, "OOTH": 25.0, "WOTH": 10.0, "BOTH": 10.0}

_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def child_id(number: int) -> str:
    """The synthetic CHILD identifier."""
    return f"SYN{number:06d}"


def upn_check_letter(body: str) -> str:
    """DfE UPN check letter for the 12 characters after it (weights 2..13, modulus 23)."""
    total = sum(int(ch) * weight for weight, ch in enumerate(body, start=2))
    return _CHECK_LETTERS[total % 23]


def fake_upn(rng: random.Random, year_allocated: int) -> str:
    """A format-valid 13-character UPN: check letter, LA 884, school, year, serial."""
    body = f"{LA_CODE}{rng.randint(2000, 2999):04d}{year_allocated % 100:02d}{rng.randint(0, 999):03d}"
    return upn_check_letter(body) + body


def draw_sex(rng: random.Random, uasc: bool) -> str:
    """'1' male or '2' female (54% boys, [HSCP-2021-22]; UASC mostly boys)."""
    return "1" if rng.random() < (0.92 if uasc else 0.54) else "2"


def draw_ethnic(rng: random.Random, uasc: bool) -> str:
    """A DfE ethnicity code."""
    return pick(rng, UASC_ETHNIC_WEIGHTS if uasc else ETHNIC_WEIGHTS)


def draw_dob(rng: random.Random, on: date, age_days: int) -> date:
    """Date of birth for a child aged `age_days` on `on`, never 29 February."""
    dob = on - timedelta(days=age_days)
    if dob.month == 2 and dob.day == 29:
        dob -= timedelta(days=1)
    return dob


def postcode(rng: random.Random, local: bool = True, avoid: str = "") -> str:
    """A real postcode in Herefordshire (`local`) or a neighbouring area, never `avoid`.

    `avoid` is the child's home postcode: the DfE expects the placement postcode to differ
    from it unless the child is placed with parents (P1, rule 392d).
    """
    pool = LOCAL if local else NEIGHBOURS
    while True:
        chosen = rng.choice(pool)
        if chosen != avoid:
            return chosen


class Providers:
    """A fixed pool of fake providers per placement type, so URNs and postcodes repeat.

    Every setting has a URN, but only Ofsted-registered settings record it in the return:
    children's homes (K1, K2) and residential schools (S1) always, supported accommodation
    (H5) from 28 October 2023, when its registration began (903 rules 222 and 230), and
    residential care homes (R1, registered with the CQC) never.
    """

    #: Placement types that are settings from the pool.
    URN_PLACES = ("K1", "K2", "R1", "S1", "H5")

    def __init__(self, rng: random.Random) -> None:
        self._pool: dict[str, list[tuple[str, str]]] = {}
        urns = rng.sample(range(100000, 999999), 90)
        cursor = 0
        for place, size, out_share in (
            ("K1", 4, 1.0),
            ("K2", 30, 0.6),
            ("R1", 6, 0.5),
            ("S1", 5, 0.8),
            ("H5", 20, 0.3),
        ):
            pool = []
            for _ in range(size):
                pool.append((f"9{urns[cursor]:06d}", postcode(rng, local=rng.random() >= out_share)))
                cursor += 1
            self._pool[place] = pool

    def setting(self, rng: random.Random, place: str, avoid: str = "") -> tuple[str, str]:
        """(URN, postcode) of a setting of this type whose postcode is not `avoid`."""
        chosen = rng.choice(self._pool[place])
        if chosen[1] == avoid:
            chosen = next(s for s in self._pool[place] if s[1] != avoid)
        return chosen

    def urn_at(self, place: str, post: str) -> str:
        """The URN of the setting of this type at `post` (the first, if two share it)."""
        return next(urn for urn, at in self._pool[place] if at == post)
