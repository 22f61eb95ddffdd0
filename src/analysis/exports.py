"""Files the build exports beside the HTML: every table (for tables.xlsx) and every chart as PNG
and SVG for slides.

The build sets the environment variable `REVIEW_PACK_EXPORT` to a folder for each notebook it
runs; `analysis.report` then saves each table and chart it shows there, already suppressed. In
JupyterLab the variable is unset and nothing is written.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import altair as alt
import polars as pl

EXPORT_ENV = "REVIEW_PACK_EXPORT"
_state = {"tables": 0, "charts": 0, "source": ""}


def folder() -> Path | None:
    """The export folder for the running notebook, or None outside a build."""
    value = os.environ.get(EXPORT_ENV)
    return Path(value) if value else None


def set_source(text: str) -> None:
    """The source line printed under every exported chart (authority, data, period)."""
    _state["source"] = text


def slug(text: str, limit: int = 60) -> str:
    """A file-name-safe version of a title: lower case, hyphens, at most `limit` characters."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].rstrip("-") or "untitled"


def save_table(caption: str, header: list[str], rows: list[list[tuple[str, bool]]]) -> None:
    """Record a shown table (display text, numbers flagged) for the workbook."""
    out = folder()
    if out is None:
        return
    _state["tables"] += 1
    (out / "tables").mkdir(parents=True, exist_ok=True)
    record = {"caption": caption, "header": header, "rows": [[[t, n] for t, n in row] for row in rows]}
    (out / "tables" / f"{_state['tables']:03d}.json").write_text(json.dumps(record), encoding="utf-8")


def chart_title(chart: alt.TopLevelMixin, fallback: str) -> str:
    """The chart's own title text, or the fallback."""
    title = chart.to_dict().get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(title)
    return str(title) if title else fallback


def save_chart(chart: alt.TopLevelMixin, fallback_title: str) -> None:
    """Write the chart as PNG (2x) and SVG, titled, with the source line inside the image."""
    out = folder()
    if out is None:
        return
    _state["charts"] += 1
    (out / "charts").mkdir(parents=True, exist_ok=True)
    name = f"{_state['charts']:02d}-{slug(chart_title(chart, fallback_title))}"
    source = (
        alt.Chart(pl.DataFrame({"text": [_state["source"]]}))
        .mark_text(align="left", fontSize=11, color="#505a5f", dx=0)
        .encode(text="text:N", x=alt.value(0))
        .properties(height=14, width=10)
    )
    inner = chart.copy(deep=True)
    for attribute in ("padding", "config", "autosize"):  # top-level only: not allowed inside a concatenation
        if getattr(inner, attribute, alt.Undefined) is not alt.Undefined:
            setattr(inner, attribute, alt.Undefined)
    slide = alt.vconcat(inner, source, spacing=6, padding={"left": 5, "top": 5, "right": 170, "bottom": 5})
    slide.save(str(out / "charts" / f"{name}.png"), format="png", scale_factor=2)
    slide.save(str(out / "charts" / f"{name}.svg"), format="svg")
