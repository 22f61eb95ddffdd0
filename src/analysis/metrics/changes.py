"""What changed since the last review: the previous pack, the measures that moved most, changed
definitions and inputs, and revisions to figures for months both packs cover."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from analysis.core.definitions import METRICS
from analysis.core.periods import parse_period
from analysis.core.safe_text import restore_frame
from analysis.metrics.scorecard import MEASURES, Measure, hides, point, series


@dataclass(frozen=True)
class Pack:
    """A published pack read back: its period, metrics (with "c" as missing) and manifest."""

    folder: Path
    period: str
    metrics: pl.DataFrame
    manifest: dict


def find_previous_pack(outputs: Path | str, period: str) -> Path | None:
    """The latest published pack for an earlier period in an outputs folder, or None.

    Packs live in `<outputs>/<YYYY-MM>/<timestamp>/`; among earlier periods the latest period
    wins, and within it the latest build.
    """
    outputs = Path(outputs)
    if not outputs.is_dir():
        return None
    candidates = [
        build
        for folder in outputs.iterdir()
        if folder.is_dir() and len(folder.name) == 7 and folder.name[4] == "-" and folder.name < period
        for build in folder.iterdir()
        if (build / "metrics.csv").exists() and (build / "manifest.json").exists()
    ]
    return max(candidates, key=lambda p: (p.parent.name, p.name)) if candidates else None


def read_pack(folder: Path | str) -> Pack:
    """Read a pack's metrics.csv (suppressed values become missing) and manifest.json."""
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    metrics = restore_frame(pl.read_csv(folder / "metrics.csv", infer_schema=False)).with_columns(
        pl.col("value").cast(pl.Float64, strict=False)
    )  # restore_frame: a breakdown written as '=… (analysis.core.safe_text) matches this build's =…
    return Pack(folder=folder, period=manifest["parameters"]["period"], metrics=metrics, manifest=manifest)


def moved_most(
    current: pl.DataFrame, period: str, previous: Pack, measures: list[Measure] | None = None, top: int = 5
) -> pl.DataFrame:
    """The measures that moved most since the last review: one row per measure with a figure in
    both packs (measure, then, now, change, change_pct), largest relative change first."""
    rows = []
    for m in measures or MEASURES:
        unit = METRICS[m.metric].unit if m.metric in METRICS else "count"
        found = point(series(current, m), m, parse_period(period), unit)[1]
        _, before = point(series(previous.metrics, m), m, parse_period(previous.period), unit)
        if found.value is None or found.hidden or before.value is None or before.hidden:
            continue  # no move is worked out from a figure either pack hides ("c")
        now, then = found.value, before.value
        rows.append(
            {
                "metric": m.metric,
                "measure": m.label,
                "then": then,
                "now": now,
                "change": now - then,
                "change_pct": (now - then) / abs(then) * 100 if then else None,
            }
        )
    schema = {"metric": pl.String, "measure": pl.String, "then": pl.Float64, "now": pl.Float64,
              "change": pl.Float64, "change_pct": pl.Float64}  # fmt: skip
    frame = pl.DataFrame(rows, schema=schema)
    return frame.sort(pl.col("change_pct").abs(), descending=True, nulls_last=True).head(top)


def definition_changes(previous: Pack, current: dict[str, str]) -> list[str]:
    """Metric ids whose definition changed since the last review (a different definition hash),
    or that are new; ids the previous pack did not record are reported as new."""
    before = previous.manifest.get("definitions", {})
    return sorted(m for m, digest in current.items() if before.get(m) != digest)


def input_changes(previous: Pack, current: dict[str, str]) -> pl.DataFrame:
    """Input files added, removed or changed since the last review: one row per file (file, change)."""
    before = {i["path"]: i["sha256"] for i in previous.manifest.get("inputs", [])}
    rows = [(f, "added") for f in current if f not in before]
    rows += [(f, "removed") for f in before if f not in current]
    rows += [(f, "changed") for f in current if f in before and before[f] != current[f]]
    return pl.DataFrame(sorted(rows), schema={"file": pl.String, "change": pl.String}, orient="row")


def revisions(previous: Pack, current: pl.DataFrame) -> pl.DataFrame:
    """Figures for the same metric, breakdown and period that differ between the two packs —
    usually late recording in the 903. One row per metric and breakdown: periods revised, the
    largest revision and its period. Suppressed values ("c") cannot be compared and are skipped: the last
    pack's, and this pack's (the pack-wide decision, `scorecard.hides`), so no revision shows a hidden figure.
    """
    joined = previous.metrics.join(
        current.select("metric", "breakdown", "period", pl.col("value").alias("now")),
        on=["metric", "breakdown", "period"],
        how="inner",
    ).filter(
        pl.col("value").is_not_null() & pl.col("now").is_not_null() & ((pl.col("now") - pl.col("value")).abs() > 1e-9)
    )
    shown = [
        not hides((m, b, p), v, METRICS[m].unit if m in METRICS else "count")
        for m, b, p, v in joined.select("metric", "breakdown", "period", "now").iter_rows()
    ]
    joined = joined.filter(pl.Series(shown, dtype=pl.Boolean))
    return (
        joined.with_columns((pl.col("now") - pl.col("value")).alias("revision"))
        .sort(pl.col("revision").abs(), descending=True)
        .group_by("metric", "breakdown", maintain_order=True)
        .agg(
            pl.len().alias("periods_revised"),
            pl.col("period").first().alias("largest_at"),
            pl.col("value").first().alias("was"),
            pl.col("now").first().alias("now"),
        )
        .sort("metric", "breakdown")
    )
