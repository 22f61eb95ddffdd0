"""National-scale synthetic SSDA903 data: many authorities and many years, generated vectorised.

`generate_national(out_dir, authorities=153, years=10, seed=...)` writes a folder in the
contract of `data/README.md`, with the return years stacked and one extra column, `LA`:

```
<out_dir>/
├── README.txt                  what this is (synthetic; no row describes a real child)
├── ssda903/header.csv          LA + the DfE header columns, one row per child
├── ssda903/episodes.csv        LA + the DfE episode columns, one row per episode
└── context/
    ├── population.csv          la_code, mid_year, population_0_17, source: one row per LA and mid-year
    └── authorities.csv         la_code, dfe_code, name, region
```

Each episode is written once, as known at the last 31 March (the merged view that
`analysis.load.ssda903.merge_episodes` makes of stacked returns): an episode open then has DEC
and REC blank. Every episode open at some time in the `years` collection years is there.

It is plausible, not calibrated: each authority gets an under-18 population and a rate of
children looked after drawn around England's (about 70 per 10,000), starts at about 40% of
the stock a year, and periods of care whose length, legal statuses, placements and route out
depend on the child's age and a "track" (short section 20 stay, care proceedings, adoption,
remand, emergency protection, long section 20). A period is a run of episodes joined with
REC X1, episodes never overlap, a period never runs past the 18th birthday, about one child
in ten comes back into care later, and some children are looked after only under short
breaks (LS V3, each break its own period). At 153 authorities and 10 years that is about
1.5 million episodes; it takes seconds, as everything is numpy or polars over whole arrays
(no Python loop per child or per episode).

Deterministic: every draw comes from one `numpy.random.Generator` seeded from `seed`,
`authorities`, `years` and `last_year`, in a fixed order; rows are sorted before writing;
the same arguments give byte-identical files.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from analysis.core.codes import PLACE_PROVIDER

from .model import FOSTER

__all__ = ["DEFAULT_AUTHORITIES", "DEFAULT_SEED", "DEFAULT_YEARS", "generate_national"]

DEFAULT_SEED = 903
DEFAULT_AUTHORITIES = 153
DEFAULT_YEARS = 10
#: The latest return: the collection year ending 31 March of this year.
DEFAULT_LAST_YEAR = 2024

EPOCH = date(1970, 1, 1)
YEAR_DAYS = 365.25
AGE_16 = 5844  # days (16 × 365.25), close enough for choosing a placement mix
BURN_IN_YEARS = 18  # so that children in care at the start have started up to 18 years before

SOURCE = "Synthetic national data written by analysis.synth.national (not an ONS estimate)"

HEADER_COLUMNS = ["LA", "CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
EPISODE_COLUMNS = [
    "LA", "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER",
    "DEC", "REC", "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
]  # fmt: skip

REGIONS = [
    "North East", "North West", "Yorkshire and The Humber", "East Midlands", "West Midlands",
    "East of England", "London", "South East", "South West",
]  # fmt: skip
#: Postcode areas handed to the synthetic authorities in turn (real areas, invented districts).
AREAS = [
    "AL", "B", "BA", "BB", "BD", "BH", "BL", "BN", "BR", "BS", "CA", "CB", "CH", "CM", "CO", "CR", "CT", "CV", "CW",
    "DA", "DE", "DH", "DL", "DN", "DT", "DY", "E", "EC", "EN", "EX", "FY", "GL", "GU", "HA", "HD", "HG", "HP", "HR",
    "HU", "HX", "IG", "IP", "KT", "L", "LA", "LE", "LN", "LS", "LU", "M", "ME", "MK", "N", "NE", "NG", "NN", "NR",
    "NW", "OL", "OX", "PE", "PL", "PO", "PR", "RG", "RH", "RM", "S", "SE", "SG", "SK", "SL", "SM", "SN", "SO", "SP",
    "SR", "SS", "ST", "SW", "SY", "TA", "TF", "TN", "TQ", "TR", "TS", "TW", "UB", "W", "WA", "WC", "WD", "WF", "WN",
    "WR", "WS", "WV", "YO",
]  # fmt: skip
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"

# --- What a period of care looks like, by track ---------------------------------------------------------------

TRACKS = ["s20_short", "care", "adoption", "remand", "emergency", "s20_long"]
S20_SHORT, CARE, ADOPTION, REMAND, EMERGENCY, S20_LONG = range(len(TRACKS))

#: Age at the start of a period, in days: (lowest, highest, share). Roughly the DfE's mix of starters.
AGE_BANDS = [(0, 364, 0.20), (365, 1825, 0.15), (1826, 3652, 0.17), (3653, 5843, 0.35), (5844, 6480, 0.13)]
#: Track shares by age band (rows follow AGE_BANDS, columns follow TRACKS).
TRACK_BY_AGE = np.array(
    [
        [0.15, 0.50, 0.28, 0.00, 0.07, 0.00],
        [0.15, 0.50, 0.28, 0.00, 0.07, 0.00],
        [0.25, 0.60, 0.00, 0.00, 0.08, 0.07],
        [0.30, 0.45, 0.00, 0.05, 0.07, 0.13],
        [0.35, 0.15, 0.00, 0.10, 0.05, 0.35],
    ]
)
#: Length of the period: lognormal with this median (days) and sigma, cut at the 18th birthday.
DURATION = {
    S20_SHORT: (45, 1.0),
    CARE: (1000, 1.0),
    ADOPTION: (560, 0.35),
    REMAND: (35, 0.8),
    EMERGENCY: (420, 1.3),
    S20_LONG: (1200, 0.9),
}
#: Legal statuses a period moves through (a change of legal status moves one step; the last step stays).
LS_STEPS = {
    S20_SHORT: ["V2", "C1", "C2"],
    CARE: ["C1", "C2"],
    ADOPTION: ["C1", "C2", "E1"],
    REMAND: ["J1"],
    EMERGENCY: ["L2", "C1", "C2"],
    S20_LONG: ["V2"],
}
#: Share of changes within a period that are changes of legal status (the rest are moves).
LEGAL_SHARE = {S20_SHORT: 0.15, CARE: 0.3, ADOPTION: 0.3, REMAND: 0.0, EMERGENCY: 0.4, S20_LONG: 0.0}
#: Days from the start of care proceedings to the full care order: lognormal (median, sigma).
ORDER_AFTER = (200, 0.5)
#: Mean days between changes within a period (episodes per period = 1 + Poisson(length / this)).
CHANGE_EVERY = 340

#: Reason the period ended (REC of its last episode), by track, when it ends before the 18th birthday.
REC_BY_TRACK = {
    S20_SHORT: {"E4A": 0.55, "E4B": 0.10, "E13": 0.10, "E8": 0.10, "E41": 0.07, "E3": 0.04, "E16": 0.02, "E2": 0.02},
    CARE: {"E45": 0.12, "E46": 0.04, "E47": 0.05, "E48": 0.02, "E4A": 0.33, "E4B": 0.05, "E41": 0.10, "E13": 0.08,
           "E8": 0.12, "E3": 0.03, "E9": 0.02, "E2": 0.01, "E16": 0.01, "E6": 0.02},
    ADOPTION: {"E11": 0.25, "E12": 0.75},
    REMAND: {"E14": 0.85, "E9": 0.15},
    EMERGENCY: {"E4A": 0.45, "E4B": 0.05, "E41": 0.10, "E45": 0.05, "E47": 0.05, "E13": 0.10, "E8": 0.17,
                "E3": 0.03},
    S20_LONG: {"E4A": 0.30, "E4B": 0.05, "E5": 0.20, "E6": 0.10, "E13": 0.10, "E8": 0.10, "E15": 0.10, "E3": 0.05},
}  # fmt: skip
#: Reason the period ended when it ends at the 18th birthday.
REC_AT_18 = {"E17": 0.20, "E5": 0.50, "E6": 0.20, "E7": 0.03, "E8": 0.07}

PLACES = [
    "U1", "U2", "U3", "U4", "U5", "U6", "K1", "K2", "K3", "H5", "P1", "P2", "R1", "R3", "R5", "S1", "Z1", "A5",
    "A6",
]  # fmt: skip
#: Placement mix for a new placement, by who the child is.
PLACE_MIX = {
    "young": {"U1": 0.06, "U2": 0.01, "U3": 0.10, "U4": 0.30, "U5": 0.02, "U6": 0.28, "K2": 0.07, "P1": 0.08,
              "R1": 0.01, "R3": 0.02, "S1": 0.01, "Z1": 0.01, "K1": 0.005},
    "older": {"U1": 0.04, "U3": 0.05, "U4": 0.16, "U6": 0.16, "K2": 0.17, "K3": 0.15, "H5": 0.10, "P1": 0.05,
              "P2": 0.04, "R1": 0.02, "S1": 0.01, "Z1": 0.03, "K1": 0.01},
    "remand": {"K1": 0.35, "K2": 0.25, "R5": 0.25, "U6": 0.15},
    "adoption": {"A6": 0.7, "A5": 0.3},
}  # fmt: skip
PROVIDERS = list(PLACE_PROVIDER)
#: Provider by placement type (shares of PR0..PR5); a type not listed is the authority's own (PR1).
PROVIDER_BY_PLACE = {
    "P1": [1, 0, 0, 0, 0, 0],
    "U4": [0, 0.6, 0, 0, 0.3, 0.1], "U5": [0, 0.6, 0, 0, 0.3, 0.1], "U6": [0, 0.55, 0, 0, 0.35, 0.1],
    "K1": [0, 0.3, 0.7, 0, 0, 0], "K2": [0, 0.15, 0, 0, 0.75, 0.1], "K3": [0, 0.1, 0, 0, 0.6, 0.3],
    "H5": [0, 0.1, 0, 0, 0.6, 0.3], "R1": [0, 0, 0, 0, 0.8, 0.2], "S1": [0, 0, 0, 0, 0.5, 0.5],
    "R5": [0, 0, 0, 1, 0, 0], "R3": [0, 0.3, 0, 0, 0.5, 0.2], "A5": [0, 0.7, 0, 0, 0, 0.3],
    "A6": [0, 0.7, 0, 0, 0, 0.3], "Z1": [0, 0.4, 0, 0, 0.4, 0.2],
}  # fmt: skip
#: Ofsted-registered settings: these placements carry a URN, the others XXXXXXX.
URN_PLACES = {"K1", "K2", "R1", "S1", "H5", "K3"}
REASON_PLACE_CHANGE = {"CARPL": 0.36, "CREQB": 0.10, "CREQO": 0.10, "CHILD": 0.07, "LAREQ": 0.08, "PLACE": 0.05,
                       "STAND": 0.04, "ALLEG": 0.02, "CLOSE": 0.04, "APPRR": 0.01, "OTHER": 0.13}  # fmt: skip
CIN_MIX = {"N1": 0.60, "N2": 0.04, "N3": 0.03, "N4": 0.07, "N5": 0.15, "N6": 0.02, "N7": 0.003, "N8": 0.087}
ETHNIC_MIX = {
    "WBRI": 65.0, "WIRI": 0.3, "WOTH": 5.5, "WIRT": 0.3, "WROM": 0.9, "MWBC": 2.8, "MWBA": 1.0, "MWAS": 1.6,
    "MOTH": 3.8, "AIND": 0.6, "APKN": 1.3, "ABAN": 0.6, "AOTH": 2.2, "BCRB": 1.1, "BAFR": 3.8, "BOTH": 1.3,
    "CHNE": 0.1, "OOTH": 4.5, "REFU": 0.3, "NOBT": 2.0,
}  # fmt: skip
#: Re-entry: share of children whose period ended (not at 18, not by adoption) who come back later.
RE_ENTRY = 0.12
#: Children looked after only under short breaks, as a share of the authority's children in care.
SHORT_BREAK_SHARE = 0.02


def generate_national(
    out_dir: Path | str,
    authorities: int = DEFAULT_AUTHORITIES,
    years: int = DEFAULT_YEARS,
    seed: int = DEFAULT_SEED,
    last_year: int = DEFAULT_LAST_YEAR,
) -> dict[str, Path]:
    """Write a national-scale synthetic 903 folder (see the module docstring) to `out_dir`.

    Parameters
    ----------
    out_dir
        Folder to write (created if needed; files already there are overwritten).
    authorities
        Number of local authorities, each with its own `LA` code (E99000001, E99000002, …: real
        authorities' codes begin E06, E07, E08, E09 or E10, so none can be mistaken for one).
    years
        Number of collection years, the last ending on 31 March `last_year`.
    seed
        Random seed; the same arguments give byte-identical files.

    Returns
    -------
    dict
        File name relative to `out_dir` (e.g. ``"ssda903/episodes.csv"``) -> path.
    """
    if authorities < 1 or years < 1:
        raise ValueError("authorities and years must be at least 1")
    out_dir = Path(out_dir)
    rng = np.random.default_rng([seed, authorities, years, last_year])
    window = (_day(date(last_year - years, 4, 1)), _day(date(last_year, 3, 31)))
    las = _authorities(rng, authorities)
    periods = _periods(rng, las, window)
    episodes = _episodes(rng, periods, window)
    breaks = _short_breaks(rng, las, window, first_child=int(periods["child"].max()) + 1)
    children = pl.concat([_children(periods), _children(breaks["children"])], how="vertical_relaxed")
    episodes = pl.concat([episodes, breaks["episodes"]], how="vertical_relaxed")
    # Number the children by authority, then by their first episode in the window: the files are sorted by
    # LA, CHILD and DECOM, as an analyst's stacked file usually is.
    number = (
        episodes.group_by("child")
        .agg(pl.col("la").first(), pl.col("decom").min().alias("_first"))
        .sort("la", "_first", "child")
        .select("child", pl.int_range(pl.len()).alias("_number"))
    )
    episodes, children = (
        frame.join(number, on="child").drop("child").rename({"_number": "child"}) for frame in (episodes, children)
    )
    header = _header(rng, children, las, episodes, window)
    episodes = _episode_text(rng, episodes, children, las)

    files = {
        "ssda903/header.csv": _write(header, out_dir / "ssda903" / "header.csv"),
        "ssda903/episodes.csv": _write(episodes, out_dir / "ssda903" / "episodes.csv"),
        "context/population.csv": _write(_population(las, years, last_year), out_dir / "context" / "population.csv"),
        "context/authorities.csv": _write(
            las.select(pl.col("LA").alias("la_code"), "dfe_code", "name", "region"),
            out_dir / "context" / "authorities.csv",
        ),
    }
    readme = out_dir / "README.txt"
    readme.write_text(
        f"Synthetic national SSDA903 data: {authorities} authorities, {years} collection years to 31 March "
        f"{last_year}, seed {seed}.\nWritten by analysis.synth.national.generate_national; no row describes a real "
        "child and no LA code is a real authority's.\nEach episode appears once, as known at the last 31 March; "
        "the LA column says which authority returned it.\n",
        encoding="utf-8",
        newline="\n",
    )
    files["README.txt"] = readme
    return files


# --- Authorities ----------------------------------------------------------------------------------------------


def _authorities(rng: np.random.Generator, n: int) -> pl.DataFrame:
    """One row per authority: code, names, population and its growth, target rate and the trend in starts."""
    population = np.clip(rng.lognormal(np.log(60_000), 0.55, n), 12_000, 320_000)
    rate = np.clip(rng.lognormal(np.log(68), 0.35, n), 22, 200)  # children in care per 10,000
    index = np.arange(n)
    return pl.DataFrame(
        {
            "la": index.astype(np.int32),
            "LA": [f"E99{i + 1:06d}" for i in index],
            "dfe_code": (100 + index % 900).astype(np.int32),
            "name": [f"Synthetic authority {i + 1:03d}" for i in index],
            "region": [REGIONS[i % len(REGIONS)] for i in index],
            "area": [AREAS[i % len(AREAS)] for i in index],
            "population": np.round(population, -1),
            "growth": rng.normal(0.003, 0.004, n),  # a year
            "rate": rate,
            "trend": rng.normal(0.0, 0.03, n),  # starts, a year
        }
    )


def _population(las: pl.DataFrame, years: int, last_year: int) -> pl.DataFrame:
    """context/population.csv: one row per authority and mid-year (the year before each return, and one more)."""
    mid_years = np.arange(last_year - years - 1, last_year)
    base = last_year - years - 1
    rows = las.select("LA", "population", "growth").join(pl.DataFrame({"mid_year": mid_years}), how="cross")
    return rows.select(
        pl.col("LA").alias("la_code"),
        pl.col("mid_year").cast(pl.Int32),
        ((pl.col("population") * (1 + pl.col("growth")).pow(pl.col("mid_year") - base)) / 10).round().cast(pl.Int64)
        .mul(10)
        .alias("population_0_17"),
        pl.lit(SOURCE).alias("source"),
    ).sort("la_code", "mid_year")  # fmt: skip


# --- Periods of care ------------------------------------------------------------------------------------------


def _periods(rng: np.random.Generator, las: pl.DataFrame, window: tuple[int, int]) -> pl.DataFrame:
    """One row per period of care that is open at some time in the window (burn-in periods that ended are dropped).

    Columns: la, child, start, end (the day it ended, which may lie after the window), dob, track, rec (index into
    REC codes; -1 while open at the end of the window).
    """
    first_day, last_day = window
    years = round((last_day + 1 - first_day) / YEAR_DAYS)
    n_years = years + BURN_IN_YEARS
    stock = las["population"].to_numpy() * las["rate"].to_numpy() / 10_000
    # Starts a year: about 40% of the stock, with each authority's trend over the window (flat during burn-in).
    offset = np.clip(np.arange(n_years) - BURN_IN_YEARS, 0, None)
    expected = 0.40 * stock[:, None] * np.exp(las["trend"].to_numpy()[:, None] * offset[None, :])
    counts = rng.poisson(expected)  # authorities × years
    la = np.repeat(np.repeat(np.arange(len(las)), n_years), counts.ravel())
    year = np.repeat(np.tile(np.arange(n_years), len(las)), counts.ravel())
    year_start = first_day - BURN_IN_YEARS * YEAR_DAYS + year * YEAR_DAYS
    start = (year_start + rng.random(la.size) * YEAR_DAYS).astype(np.int64)
    start = np.minimum(start, last_day)

    band = _draw(rng, np.array([share for *_, share in AGE_BANDS]), la.size)
    low = np.array([b[0] for b in AGE_BANDS])[band]
    high = np.array([b[1] for b in AGE_BANDS])[band]
    age = low + (rng.random(la.size) * (high - low + 1)).astype(np.int64)
    dob = _no_29_february(start - age)
    first = _one_period(rng, start, dob, band)

    # About one child in ten whose period ended early (not at 18, not adopted) comes back into care later.
    came_back = (first["end"] < _birthday(dob, 18)) & (first["track"] != ADOPTION) & (rng.random(la.size) < RE_ENTRY)
    gap = 60 + rng.exponential(400, la.size).astype(np.int64)
    again = came_back & (first["end"] + gap < _birthday(dob, 18) - 90) & (first["end"] + gap <= last_day)
    start2 = (first["end"] + gap)[again]
    age2 = start2 - dob[again]
    band2 = np.searchsorted(np.array([b[0] for b in AGE_BANDS]), age2, side="right") - 1
    second = _one_period(rng, start2, dob[again], band2)

    child = np.arange(la.size)
    frame = pl.DataFrame(
        {
            "la": np.concatenate([la, la[again]]).astype(np.int32),
            "child": np.concatenate([child, child[again]]),
            "start": np.concatenate([start, start2]),
            "end": np.concatenate([first["end"], second["end"]]),
            "dob": np.concatenate([dob, dob[again]]),
            "track": np.concatenate([first["track"], second["track"]]).astype(np.int8),
            "rec": np.concatenate([first["rec"], second["rec"]]).astype(np.int16),
        }
    )
    # Keep what a return in the window would hold.
    frame = frame.filter((pl.col("end") >= first_day) & (pl.col("start") <= last_day))
    frame = frame.with_columns(pl.when(pl.col("end") > last_day).then(-1).otherwise(pl.col("rec")).alias("rec"))
    return frame.sort("child", "start")


#: Every REC the generator writes; REC is stored as an index into this list until written.
REC_CODES = sorted({"X1"} | {code for mix in [*REC_BY_TRACK.values(), REC_AT_18] for code in mix})


def _one_period(rng: np.random.Generator, start: np.ndarray, dob: np.ndarray, band: np.ndarray) -> dict:
    """Track, end day and reason ended for periods starting on `start` for children born on `dob`."""
    n = start.size
    track = _draw_rows(rng, TRACK_BY_AGE[band])
    median = np.array([DURATION[t][0] for t in range(len(TRACKS))])[track]
    sigma = np.array([DURATION[t][1] for t in range(len(TRACKS))])[track]
    length = np.maximum(1, rng.lognormal(np.log(median), sigma).astype(np.int64))
    birthday = _birthday(dob, 18)
    end = np.minimum(start + length, birthday)
    end = np.maximum(end, start + 1)  # at least one night (the start is always before the 18th birthday)
    rec = np.empty(n, dtype=np.int64)
    for t in range(len(TRACKS)):
        chosen = track == t
        rec[chosen] = _draw_codes(rng, REC_BY_TRACK[t], int(chosen.sum()))
    at_18 = end >= birthday
    rec[at_18] = _draw_codes(rng, REC_AT_18, int(at_18.sum()))
    return {"track": track, "end": end, "rec": rec}


def _draw_codes(rng: np.random.Generator, mix: dict[str, float], n: int) -> np.ndarray:
    """`n` draws from a {code: share} mix, as indices into REC_CODES."""
    codes = np.array([REC_CODES.index(c) for c in mix])
    return codes[_draw(rng, np.array(list(mix.values())), n)]


# --- Episodes -------------------------------------------------------------------------------------------------


def _episodes(rng: np.random.Generator, periods: pl.DataFrame, window: tuple[int, int]) -> pl.DataFrame:
    """Split each period into episodes joined end to start (REC X1), with legal statuses and placements."""
    first_day, last_day = window
    p_start = periods["start"].to_numpy()
    p_end = periods["end"].to_numpy()
    p_dob = periods["dob"].to_numpy()
    track = periods["track"].to_numpy().astype(np.int64)
    length = p_end - p_start
    n_periods = length.size

    # Change days: 1 + Poisson(length / CHANGE_EVERY) episodes (adoptions at least 2), on distinct days inside;
    # and for care proceedings the full care order (C1 to C2), made some months after the interim order.
    n_changes = rng.poisson(length / CHANGE_EVERY)
    n_changes = np.where(track == ADOPTION, np.maximum(n_changes, 1), n_changes)
    n_changes = np.where(length >= 2, np.minimum(n_changes, length - 1), 0)
    owner = np.repeat(np.arange(n_periods, dtype=np.int64), n_changes)
    day = 1 + (rng.random(owner.size) * (length[owner] - 1)).astype(np.int64)
    order_day = rng.lognormal(np.log(ORDER_AFTER[0]), ORDER_AFTER[1], n_periods).astype(np.int64)
    ordered = np.isin(track, [CARE, ADOPTION]) & (order_day >= 1) & (order_day < length)
    # Key: period, day, then 0 for a full care order (sorts first on its day) or 1 for any other change.
    keys = np.unique(
        np.concatenate(
            [
                np.arange(n_periods, dtype=np.int64) << 15,
                (owner << 15) | (day << 1) | 1,
                (np.flatnonzero(ordered) << 15) | (order_day[ordered] << 1),
            ]
        )
    )
    keys = keys[np.append(True, (keys[1:] >> 1) != (keys[:-1] >> 1))]  # one change a day
    pid, offset, forced = keys >> 15, (keys >> 1) & ((1 << 14) - 1), (keys & 1) == 0
    n = keys.size
    is_first = offset == 0
    is_last = np.append(pid[1:] != pid[:-1], True)
    decom = p_start[pid] + offset
    dec = np.where(is_last, p_end[pid], np.append(decom[1:], 0))
    ep_track = track[pid]

    # Changes of legal status step along the track's statuses; beyond the last step a change is a move.
    legal_share = np.array([LEGAL_SHARE[t] for t in range(len(TRACKS))])[ep_track]
    event = rng.random(n)
    legal = ~is_first & ((event < legal_share) | forced)
    both = legal & (event < legal_share * 0.4)  # a change of legal status and placement together
    steps = np.array([len(LS_STEPS[t]) - 1 for t in range(len(TRACKS))])[ep_track]
    count = _within(np.cumsum(legal), legal, is_first)
    legal_done = legal & (count <= steps)
    stage = np.minimum(count, steps)
    ls_table = np.array([[*LS_STEPS[t], *[LS_STEPS[t][-1]] * (3 - len(LS_STEPS[t]))] for t in range(len(TRACKS))])
    ls = ls_table[ep_track, stage]
    moved = is_first | ~legal | both | (legal & ~legal_done)

    # Placements: a new one at each move (by age and track), kept through a change of legal status only.
    older = decom - p_dob[pid] >= AGE_16
    place = np.where(older, _draw_places(rng, "older", n), _draw_places(rng, "young", n))
    place = np.where(ep_track == REMAND, _draw_places(rng, "remand", n), place)
    adopted = np.isin(periods["rec"].to_numpy()[pid], [REC_CODES.index("E11"), REC_CODES.index("E12")]) & is_last
    place = np.where(adopted, _draw_places(rng, "adoption", n), place)
    moved |= adopted
    ls = np.where(adopted, "E1", ls)
    provider = _draw_providers(rng, place)
    urn = np.where(np.isin(np.array(PLACES)[place], list(URN_PLACES)), rng.integers(100_000, 1_000_000, n), -1)
    away = rng.random(n) < np.where(np.isin(np.array(PLACES)[place], list(FOSTER)), 0.2, 0.5)
    held = np.maximum.accumulate(np.where(moved, np.arange(n), 0))  # the episode whose placement is current
    place, provider, urn, away = place[held], provider[held], urn[held], away[held]

    ls_changed = np.append(False, ls[1:] != ls[:-1]) & ~is_first
    rne = np.where(is_first, "S", np.where(ls_changed & moved, "B", np.where(ls_changed, "L", "P")))
    reason = np.where(moved & ~is_first, _draw(rng, np.array(list(REASON_PLACE_CHANGE.values())), n), -1)
    p_rec = periods["rec"].to_numpy()[pid]
    rec = np.where(is_last, p_rec, REC_CODES.index("X1"))

    frame = pl.DataFrame(
        {
            "la": periods["la"].to_numpy()[pid],
            "child": periods["child"].to_numpy()[pid],
            "decom": decom,
            "dec": dec,
            "rne": rne,
            "ls": ls,
            "cin": _draw(rng, np.array(list(CIN_MIX.values())), n_periods)[pid],
            "place": place,
            "provider": provider,
            "rec": rec,
            "reason": reason,
            "urn": urn,
            "away": away,
        }
    )
    # What the returns in the window hold: episodes open at some time in it, as known at its last day.
    return frame.filter((pl.col("dec") >= first_day) & (pl.col("decom") <= last_day)).with_columns(
        pl.when(pl.col("dec") > last_day).then(None).otherwise(pl.col("dec")).alias("dec"),
        pl.when(pl.col("dec") > last_day).then(None).otherwise(pl.col("rec")).alias("rec"),
    )


def _within(cumulative: np.ndarray, values: np.ndarray, is_first: np.ndarray) -> np.ndarray:
    """A running total restarted at each period's first row (rows sorted by period)."""
    base = np.maximum.accumulate(np.where(is_first, np.arange(cumulative.size), 0))
    return cumulative - (cumulative[base] - values[base])


def _draw_places(rng: np.random.Generator, mix: str, n: int) -> np.ndarray:
    shares = PLACE_MIX[mix]
    codes = np.array([PLACES.index(c) for c in shares])
    return codes[_draw(rng, np.array(list(shares.values())), n)]


def _draw_providers(rng: np.random.Generator, place: np.ndarray) -> np.ndarray:
    table = np.array([PROVIDER_BY_PLACE.get(p, [0, 1, 0, 0, 0, 0]) for p in PLACES], dtype=float)
    cdf = np.cumsum(table / table.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(place.size)
    return np.minimum((u[:, None] >= cdf[place]).sum(axis=1), len(PROVIDERS) - 1)


# --- Short breaks ---------------------------------------------------------------------------------------------


def _short_breaks(
    rng: np.random.Generator, las: pl.DataFrame, window: tuple[int, int], first_child: int
) -> dict[str, pl.DataFrame]:
    """Children looked after only under an agreed series of short breaks: each break (2-4 nights) is a period."""
    first_day, last_day = window
    span = last_day - first_day + 3 * 365
    stock = las["population"].to_numpy() * las["rate"].to_numpy() / 10_000
    counts = rng.poisson(SHORT_BREAK_SHARE * stock * span / (3 * 365))
    la = np.repeat(np.arange(len(las)), counts)
    n = la.size
    start = last_day - (rng.random(n) * span).astype(np.int64)
    dob = _no_29_february(start - rng.integers(5 * 365, 15 * 365, n))
    stop = np.minimum.reduce([start + rng.integers(365, 6 * 365, n), _birthday(dob, 18) - 30, np.full(n, last_day)])
    most = np.maximum(1, (stop - start) // 28 + 1)
    owner = np.repeat(np.arange(n), most)
    gap = rng.integers(28, 50, owner.size)
    is_first = np.append(True, owner[1:] != owner[:-1])
    gap = np.where(is_first, 0, gap)
    decom = start[owner] + _within(np.cumsum(gap), gap, is_first)
    dec = decom + rng.integers(2, 5, owner.size)
    keep = (dec <= stop[owner]) & (dec >= first_day)
    owner, decom, dec = owner[keep], decom[keep], dec[keep]
    unit = rng.random(n) < 0.6  # a short-break unit (K2), otherwise a short-break foster carer (U6)
    urn = rng.integers(100_000, 1_000_000, n)
    child_ids = first_child + np.arange(n)
    episodes = pl.DataFrame(
        {
            "la": la[owner].astype(np.int32),
            "child": child_ids[owner],
            "decom": decom,
            "dec": dec,
            "rne": np.full(owner.size, "S"),
            "ls": np.full(owner.size, "V3"),
            "cin": np.full(owner.size, list(CIN_MIX).index("N2")),
            "place": np.where(unit[owner], PLACES.index("K2"), PLACES.index("U6")),
            "provider": np.full(owner.size, PROVIDERS.index("PR1")),
            "rec": np.full(owner.size, REC_CODES.index("E4A")),
            "reason": np.full(owner.size, -1),
            "urn": np.where(unit[owner], urn[owner], -1),
            "away": np.zeros(owner.size, dtype=bool),
        }
    )
    children = pl.DataFrame({"la": la.astype(np.int32), "child": child_ids, "start": start, "dob": dob})
    children = children.filter(pl.col("child").is_in(episodes["child"].unique().implode()))
    return {"episodes": episodes, "children": children}


# --- Header and text ------------------------------------------------------------------------------------------


def _children(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.group_by("child").agg(pl.col("la").first(), pl.col("dob").first()).sort("child")


def _header(
    rng: np.random.Generator, children: pl.DataFrame, las: pl.DataFrame, episodes: pl.DataFrame, window: tuple
) -> pl.DataFrame:
    """ssda903/header.csv: one row per child with an episode in the window."""
    children = children.filter(pl.col("child").is_in(episodes["child"].unique().implode())).sort("child")
    n = children.height
    dob = children["dob"].to_numpy()
    la = children["la"].to_numpy()
    # UPN: the DfE format (check letter, LA number, school, year allocated, serial); UN1 below school age.
    dfe = las["dfe_code"].to_numpy()[la].astype(np.int64)
    year = (_year(dob) + 5) % 100
    body = dfe * 10**9 + rng.integers(2000, 3000, n) * 10**5 + year * 10**3 + rng.integers(0, 1000, n)
    digits = (body[:, None] // 10 ** np.arange(11, -1, -1)) % 10
    check = np.array(list(UPN_CHECK_LETTERS))[(digits * np.arange(2, 14)).sum(axis=1) % 23]
    frame = children.with_columns(
        pl.Series("sex", np.where(rng.random(n) < 0.56, "1", "2")),
        pl.Series("ethnic", np.array(list(ETHNIC_MIX))[_draw(rng, np.array(list(ETHNIC_MIX.values())), n)]),
        pl.Series("young", dob > window[1] - 5 * 365),
        pl.Series("check", check),
        pl.Series("body", body),
    )
    return frame.join(las.select("la", "LA"), on="la", maintain_order="left").select(
        "LA",
        _child_id().alias("CHILD"),
        pl.col("sex").alias("SEX"),
        _dmy("dob").alias("DOB"),
        pl.col("ethnic").alias("ETHNIC"),
        pl.when(pl.col("young"))
        .then(pl.lit("UN1"))
        .otherwise(pl.col("check") + pl.col("body").cast(pl.String).str.zfill(12))
        .alias("UPN"),
        pl.when(pl.col("sex") == "2").then(pl.lit("0")).alias("MOTHER"),
        pl.lit(None, pl.String).alias("MC_DOB"),
    )


def _episode_text(
    rng: np.random.Generator, episodes: pl.DataFrame, children: pl.DataFrame, las: pl.DataFrame
) -> pl.DataFrame:
    """The episodes as the DfE columns, sorted by authority, child and start."""
    frame = episodes.sort("child", "decom")
    n = frame.height
    letters = np.array(list(INWARD_LETTERS))
    areas = las["area"].to_numpy()
    # Placement postcode: in the authority's own area, or (for placements away) another authority's.
    pl_la = np.where(frame["away"].to_numpy(), rng.integers(0, len(las), n), frame["la"].to_numpy())
    pl_post = _postcodes(rng, areas[pl_la], letters)
    home = children.select("child", pl.Series("HOME_POST", _postcodes(rng, areas[children["la"].to_numpy()], letters)))
    return (
        frame.with_columns(pl.Series("PL_POST", pl_post))
        .join(home, on="child", maintain_order="left")
        .join(las.select("la", "LA"), on="la", maintain_order="left")
        .select(
            "LA",
            _child_id().alias("CHILD"),
            _dmy("decom").alias("DECOM"),
            pl.col("rne").alias("RNE"),
            pl.col("ls").alias("LS"),
            _code("cin", list(CIN_MIX)).alias("CIN"),
            _code("place", PLACES).alias("PLACE"),
            _code("provider", PROVIDERS).alias("PLACE_PROVIDER"),
            _dmy("dec").alias("DEC"),
            _code("rec", REC_CODES).alias("REC"),
            _code("reason", list(REASON_PLACE_CHANGE)).alias("REASON_PLACE_CHANGE"),
            "HOME_POST",
            "PL_POST",
            pl.when(pl.col("urn") >= 0)
            .then(pl.lit("9") + pl.col("urn").cast(pl.String))
            .otherwise(pl.lit("XXXXXXX"))
            .alias("URN"),
        )
    )


def _postcodes(rng: np.random.Generator, area: np.ndarray, letters: np.ndarray) -> np.ndarray:
    """Full postcodes such as 'HR4 9QT' in the given areas (invented districts and inward codes)."""
    n = area.size
    district = rng.integers(1, 21, n).astype(str)
    inward = rng.integers(1, 10, n).astype(str)
    return (
        pl.Series(area).cast(pl.String)
        + pl.Series(district)
        + " "
        + pl.Series(inward)
        + pl.Series(letters[rng.integers(0, letters.size, n)])
        + pl.Series(letters[rng.integers(0, letters.size, n)])
    ).to_numpy()


def _child_id() -> pl.Expr:
    """CHILD: 'N' and a number unique across authorities (a real 903 CHILD is only unique within one)."""
    return pl.lit("N") + pl.col("child").cast(pl.String).str.zfill(8)


def _code(column: str, codes: list[str]) -> pl.Expr:
    """A code from its index (a negative or null index: blank)."""
    return pl.col(column).replace_strict(dict(enumerate(codes)), default=None, return_dtype=pl.String)


def _dmy(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.Int32).cast(pl.Date).dt.to_string("%d/%m/%Y")


def _write(frame: pl.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(path, line_terminator="\n")
    return path


# --- Dates and draws ------------------------------------------------------------------------------------------


def _day(day: date) -> int:
    return (day - EPOCH).days


def _no_29_february(days: np.ndarray) -> np.ndarray:
    """Move 29 February to the 28th, so the 18th birthday is always a real day (as the single-LA generator does)."""
    when = days.astype("datetime64[D]")
    month_start = when.astype("datetime64[M]")
    leap_day = ((month_start.astype(np.int64) % 12) == 1) & ((when - month_start.astype("datetime64[D]")) == 28)
    return np.where(leap_day, days - 1, days)


def _birthday(dob: np.ndarray, age: int) -> np.ndarray:
    """The `age`th birthday, as days since 1970 (no date of birth is 29 February)."""
    when = dob.astype("datetime64[D]")
    month = when.astype("datetime64[M]")
    into = when - month.astype("datetime64[D]")
    return ((month + np.timedelta64(12 * age, "M")).astype("datetime64[D]") + into).astype(np.int64)


def _year(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def _draw(rng: np.random.Generator, shares: np.ndarray, n: int) -> np.ndarray:
    """`n` category indices drawn with the given shares (normalised)."""
    cdf = np.cumsum(shares / shares.sum())
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), shares.size - 1)


def _draw_rows(rng: np.random.Generator, shares: np.ndarray) -> np.ndarray:
    """One category per row of `shares` (each row normalised)."""
    cdf = np.cumsum(shares / shares.sum(axis=1, keepdims=True), axis=1)
    return np.minimum((rng.random(shares.shape[0])[:, None] >= cdf).sum(axis=1), shares.shape[1] - 1)
