"""Write the simulated episodes as yearly SSDA903 returns, as known at each 31 March.

For return year Y (1 April Y-1 to 31 March Y) the episodes file holds every episode open at
any time in the year; an episode still open at 31 March Y has DEC and REC blank there and
appears again, closed or still open, in the next year's file. The header lists the children
with an episode in the file, and the UASC file the unaccompanied asylum-seeking children.

The latest return carries the deliberate known warnings (see `Faults`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ._util import add_years, dmy, write_csv
from .model import Child, Episode
from .people import fake_upn

HEADER_COLUMNS = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
EPISODE_COLUMNS = (
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
)
UASC_COLUMNS = ("CHILD", "SEX", "DOB", "DUC")

#: The two malformed UPNs written in the latest return: 12 characters with no check
#: letter, and a letter O in place of a zero in the middle.
MALFORMED_UPNS = ("884212316045", "Z884212316O45")
UNKNOWN_ETHNIC = "XXXX"


@dataclass
class Faults:
    """The deliberate data-quality warnings planted in the latest return."""

    malformed_upn: list[str] = field(default_factory=list)
    unknown_ethnic: list[str] = field(default_factory=list)


@dataclass
class Identity:
    """Per-child header values that stay the same across returns."""

    upn: str
    mother: str
    mc_dob: date | None


def _identities(children: list[Child], seed: int) -> dict[str, Identity]:
    rng = random.Random(f"{seed}:identity")
    out = {}
    for child in children:
        upn = fake_upn(rng, child.dob.year + 5)
        mother, mc_dob = ("", None) if child.sex == "1" else ("0", None)
        first = child.episodes[0].decom
        if child.sex == "2" and child.dob.year < 2010 and rng.random() < 0.025:
            mc_dob = add_years(child.dob, 15)
            if mc_dob > first:
                mother = "1"
            else:
                mc_dob = None
        out[child.cid] = Identity(upn, mother, mc_dob)
    return out


def _upn(child: Child, ident: Identity, year: int, rows: list[Episode], rng: random.Random) -> str:
    """The UPN in return `year`: UN1 under school age, UN2 for most asylum-seeking children,
    sometimes UN4 ("not yet obtained") for a child new to care in the last weeks of the year,
    otherwise the child's UPN. A UPN once recorded is never replaced by an unknown code
    (903 rule 208), and UN4 is not used when an episode starts on or after 24 March (rule 210).
    """
    end = date(year, 3, 31)
    if child.uasc:
        return "UN2" if child.number % 10 else ident.upn
    if (end - child.dob).days < 4 * 365:
        return "UN1"
    first_ever = child.episodes[0].decom
    recent = 0 <= (end - first_ever).days < 45 and all(ep.decom < date(year, 3, 24) for ep in rows)
    if recent and rng.random() < 0.5:
        return "UN4"
    return ident.upn


def year_rows(child: Child, year: int) -> list[Episode]:
    """The child's episodes in return `year`, with DEC, REC and the reason for a placement
    change (recorded when the episode ends) blanked if it ends after 31 March."""
    start, end = date(year - 1, 4, 1), date(year, 3, 31)
    out = []
    for ep in child.episodes:
        if ep.decom <= end and (ep.dec is None or ep.dec >= start):
            if ep.dec is not None and ep.dec > end:
                ep = Episode(**{**ep.__dict__, "dec": None, "rec": "", "reason": ""})
            out.append(ep)
    return out


def choose_faults(children: list[Child], year: int) -> Faults:
    """Pick the children who carry the deliberate header faults in return `year`.

    They are children whose first-ever episode is in that collection year and who are of
    school age, so the earlier returns are clean.
    """
    start = date(year - 1, 4, 1)
    new = [
        c
        for c in children
        if c.episodes[0].decom >= start and not c.uasc and not c.short_breaks and (start - c.dob).days > 6 * 365
    ]
    new.sort(key=lambda c: c.number)
    return Faults(malformed_upn=[c.cid for c in new[:2]], unknown_ethnic=[c.cid for c in new[2:3]])


def write_returns(
    children: list[Child], root: Path, years: tuple[int, ...], seed: int
) -> tuple[dict[str, Path], Faults]:
    """Write ssda903/<year>/{header,episodes,uasc}.csv; return the paths and the faults."""
    idents = _identities(children, seed)
    rng = random.Random(f"{seed}:upn")
    faults = choose_faults(children, years[-1])
    bad_upn = dict(zip(faults.malformed_upn, MALFORMED_UPNS, strict=True))
    paths: dict[str, Path] = {}
    ordered = sorted(children, key=lambda c: c.number)
    for year in years:
        end = date(year, 3, 31)
        header, episodes, uasc = [], [], []
        for child in ordered:
            rows = year_rows(child, year)
            if not rows:
                continue
            ident = idents[child.cid]
            upn = _upn(child, ident, year, rows, rng)
            ethnic = child.ethnic
            if year == years[-1]:
                upn = bad_upn.get(child.cid, upn)
                ethnic = UNKNOWN_ETHNIC if child.cid in faults.unknown_ethnic else ethnic
            mother, mc_dob = ident.mother, ident.mc_dob
            if mc_dob is not None and mc_dob > end:
                mother, mc_dob = "0", None
            header.append((child.cid, child.sex, dmy(child.dob), ethnic, upn, mother, dmy(mc_dob)))
            for ep in rows:
                episodes.append(
                    (
                        child.cid,
                        dmy(ep.decom),
                        ep.rne,
                        ep.ls,
                        ep.cin,
                        ep.place,
                        ep.provider,
                        dmy(ep.dec),
                        ep.rec,
                        ep.reason,
                        ep.home_post,
                        ep.pl_post,
                        ep.urn,
                    )
                )
            if child.uasc:
                uasc.append((child.cid, child.sex, dmy(child.dob), dmy(_duc(child, end))))
        folder = root / "ssda903" / str(year)
        paths[f"ssda903/{year}/header.csv"] = write_csv(folder / "header.csv", HEADER_COLUMNS, header)
        paths[f"ssda903/{year}/episodes.csv"] = write_csv(folder / "episodes.csv", EPISODE_COLUMNS, episodes)
        paths[f"ssda903/{year}/uasc.csv"] = write_csv(folder / "uasc.csv", UASC_COLUMNS, uasc)
    return paths, faults


def _duc(child: Child, end: date) -> date:
    """Date UASC status ceased or will cease: the date an age assessment found the child 18
    or over (REC E15) once it has happened, otherwise the 18th birthday, even when it is
    still to come (903 rule 205B expects last year's DUC to be the 18th birthday)."""
    for ep in child.episodes:
        if ep.rec == "E15" and ep.dec is not None and ep.dec <= end:
            return ep.dec
    return add_years(child.dob, 18)
