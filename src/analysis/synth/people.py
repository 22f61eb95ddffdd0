"""Fake identities for synthetic children and fake provider details for placements.

Nothing here describes a real person or provider: identifiers are `SYN` + 6 digits,
UPNs are random (format-valid, with the DfE check letter), postcodes are random outward +
inward codes, and provider URNs are 7-digit numbers starting with 9.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from ._util import pick

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
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
#: Postcode areas next to Herefordshire, for placements outside the county.
OUT_OF_AREA = ("WR", "SY", "GL", "NP", "LD", "DY", "TF", "B")


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
    """'1' male or '2' female (54% boys, seed 004 line 406; UASC mostly boys)."""
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


def postcode(rng: random.Random, area: str = "HR") -> str:
    """A random full postcode, e.g. 'HR4 9QT' (HR districts 1-9)."""
    district = rng.randint(1, 9) if area == "HR" else rng.randint(1, 20)
    letters = "".join(rng.choice(_INWARD_LETTERS) for _ in range(2))
    return f"{area}{district} {rng.randint(1, 9)}{letters}"


class Providers:
    """A fixed pool of fake providers per placement type, so URNs and postcodes repeat."""

    #: Placement types that are Ofsted-registered settings (get a URN).
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
                area = rng.choice(OUT_OF_AREA) if rng.random() < out_share else "HR"
                pool.append((f"9{urns[cursor]:06d}", postcode(rng, area)))
                cursor += 1
            self._pool[place] = pool

    def setting(self, rng: random.Random, place: str) -> tuple[str, str]:
        """(URN, postcode) of a registered setting of this type."""
        return rng.choice(self._pool[place])
