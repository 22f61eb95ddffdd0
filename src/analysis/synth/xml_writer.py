"""The synthetic returns as the DfE XML files councils hold: `review-pack synth --format xml`.

`write_xml_returns` turns each `ssda903/<year>/` folder of CSV files written by `generate` into
one XML return, `ssda903/<year>/ssda903_<year>.xml` (see `analysis.load.ssda903_xml.write_return`),
and removes the CSV files, so the folder holds the return in the form councils submit it. The
loader reads either form to the same frames, so the figures are identical.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from analysis.load.ssda903_xml import write_return

TABLES = ("header", "episodes", "uasc")


def _read_text(path: Path) -> pl.DataFrame | None:
    return pl.read_csv(path, infer_schema=False) if path.exists() else None


def write_xml_returns(out_dir: Path) -> dict[str, Path]:
    """Replace every `ssda903/<year>/*.csv` under `out_dir` by one XML file; return the files written."""
    written: dict[str, Path] = {}
    for folder in sorted(p for p in (Path(out_dir) / "ssda903").iterdir() if p.is_dir() and p.name.isdigit()):
        header, episodes, uasc = (_read_text(folder / f"{table}.csv") for table in TABLES)
        if header is None or episodes is None:
            continue
        target = write_return(folder / f"ssda903_{folder.name}.xml", header, episodes, uasc)
        for table in TABLES:
            (folder / f"{table}.csv").unlink(missing_ok=True)
        written[f"ssda903/{folder.name}/{target.name}"] = target
    return written
