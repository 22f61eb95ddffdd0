"""Small hand-made inputs with known answers, written in the data contract's formats."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from analysis.load.ssda903 import EPISODE_COLUMNS, HEADER_COLUMNS

LA_TOML = """[authority]
code = "E06000019"
dfe_code = 884
name = "Testshire"
region = "West Midlands"
synthetic = true

[targets]
agency_rate = { "2024-03" = 30.0 }
"""


def episode(
    child: str,
    decom: str,
    dec: str | None = None,
    *,
    rne: str = "S",
    ls: str | None = "C2",
    place: str = "U6",
    rec: str | None = None,
    **extra: str | None,
) -> dict[str, str | None]:
    """One 903 episode row as text (dates dd/mm/yyyy); REC defaults to E8 when DEC is given."""
    row: dict[str, str | None] = {c: None for c in EPISODE_COLUMNS}
    row.update(
        CHILD=child,
        DECOM=decom,
        RNE=rne,
        LS=ls,
        CIN="N1",
        PLACE=place,
        PLACE_PROVIDER="PR1",
        DEC=dec,
        REC=rec if rec is not None else ("E8" if dec else None),
        URN="XXXXXXX",
    )
    row.update(extra)
    return row


def child(child_id: str, dob: str = "01/01/2015", sex: str = "1", **extra: str | None) -> dict[str, str | None]:
    """One 903 header row as text."""
    row: dict[str, str | None] = {c: None for c in HEADER_COLUMNS}
    row.update(CHILD=child_id, SEX=sex, DOB=dob, ETHNIC="WBRI", UPN="UN1", MOTHER=None)
    row.update(extra)
    return row


def episodes_frame(rows: list[dict]) -> pl.DataFrame:
    """Typed episodes, as `load_inputs` returns them (for metric unit tests)."""
    frame = pl.DataFrame(rows, schema={c: pl.String for c in EPISODE_COLUMNS})
    return frame.with_columns(pl.col("DECOM").str.to_date("%d/%m/%Y"), pl.col("DEC").str.to_date("%d/%m/%Y"))


def write_csv(path: Path, rows: list[dict], columns: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(rows, schema={c: pl.String for c in columns}).write_csv(path)
    return path


def write_folder(
    root: Path,
    header: list[dict] | None = None,
    episodes: list[dict] | None = None,
    *,
    year: int | None = 2024,
    population: int | None = 10_000,
    la_toml: bool = True,
) -> Path:
    """A minimal valid input folder: la.toml, one 903 return, and the population.

    With `la_toml=False` and `population=None`, the folder holds only `ssda903/` (the least the data
    contract needs)."""
    root.mkdir(parents=True, exist_ok=True)
    if la_toml:
        (root / "la.toml").write_text(LA_TOML, encoding="utf-8")
    header = header if header is not None else [child("TST001"), child("TST002")]
    episodes = (
        episodes
        if episodes is not None
        else [
            episode("TST001", "01/04/2023"),
            episode("TST002", "15/05/2023", "20/01/2024", rec="E4A"),
        ]
    )
    place = root / "ssda903" / (str(year) if year else "")
    write_csv(place / "header.csv", header, HEADER_COLUMNS)
    write_csv(place / "episodes.csv", episodes, EPISODE_COLUMNS)
    if population is None:
        return root
    pop = [
        {
            "la_code": "E06000019",
            "mid_year": str(y),
            "population_0_17": str(population),
            "source": "test",
        }
        for y in range(2018, 2025)
    ]
    write_csv(
        root / "context" / "population.csv",
        pop,
        ["la_code", "mid_year", "population_0_17", "source"],
    )
    return root


D = date
