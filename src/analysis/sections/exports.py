"""Files the build exports beside the HTML: every table (for tables.xlsx) and every chart as PNG
and SVG for slides.

Nothing travels through a side channel. When a notebook shows a table or a chart
(`analysis.sections.report`), the display output carries, in its metadata under `review_pack`, the
table's cells (the text shown, with "c" where suppressed, and the number behind each shown
number) and the chart's slide specification (the chart with its source line). After running a
notebook the build reads them back from the executed notebook (`collect`), in page order, and
writes them (`write_charts`, `analysis.pack.workbook.write_workbook`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import altair as alt
import nbformat
import polars as pl

#: The key under which a display output's metadata carries what the build exports.
KEY = "review_pack"


@dataclass
class Exported:
    """What one executed notebook shows: its tables and its charts' slide specifications, in page order."""

    tables: list[dict[str, Any]] = field(default_factory=list)
    charts: list[dict[str, Any]] = field(default_factory=list)


def slug(text: str, limit: int = 60) -> str:
    """A file-name-safe version of a title: lower case, hyphens, at most `limit` characters."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].rstrip("-") or "untitled"


def table_record(caption: str, header: list[str], rows: list[list[tuple[str, Any]]]) -> dict[str, Any]:
    """A shown table as the workbook holds it: each cell's display text and its number (None for text or "c")."""
    return {"caption": caption, "header": header, "rows": [[[text, value] for text, value in row] for row in rows]}


def chart_title(chart: alt.TopLevelMixin, fallback: str) -> str:
    """The chart's own title text, or the fallback."""
    title = chart.to_dict().get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(title)
    return str(title) if title else fallback


def chart_record(chart: alt.TopLevelMixin, fallback_title: str, source: str) -> dict[str, Any]:
    """The chart as a slide: titled, with the source line inside the image, as a Vega-Lite specification."""
    line = (
        alt.Chart(pl.DataFrame({"text": [source]}))
        .mark_text(align="left", fontSize=11, color="#505a5f", dx=0)
        .encode(text="text:N", x=alt.value(0))
        .properties(height=14, width=10)
    )
    inner = chart.copy(deep=True)
    for attribute in ("padding", "config", "autosize"):  # top-level only: not allowed inside a concatenation
        if getattr(inner, attribute, alt.Undefined) is not alt.Undefined:
            setattr(inner, attribute, alt.Undefined)
    slide = alt.vconcat(inner, line, spacing=6, padding={"left": 5, "top": 5, "right": 170, "bottom": 5})
    return {"title": chart_title(chart, fallback_title), "spec": slide.to_dict()}


def collect(executed: Path) -> Exported:
    """The tables and charts an executed notebook showed, read from its display outputs' metadata."""
    found = Exported()
    for cell in nbformat.read(executed, as_version=4).cells:
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get(KEY)
            if record:
                found.tables += record.get("tables", [])
                found.charts += record.get("charts", [])
    return found


def write_charts(charts: list[dict[str, Any]], folder: Path, prefix: str) -> list[Path]:
    """Write each chart as PNG (2x) and SVG, named `<prefix>__<slug of its title>` (-2, -3 … for a repeated title)."""
    import vl_convert as vlc

    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    used: set[str] = set()
    for chart in charts:
        name, n = f"{prefix}__{slug(chart['title'])}", 1
        while name in used:
            n += 1
            name = f"{prefix}__{slug(chart['title'])}-{n}"
        used.add(name)
        stem = folder / name
        stem.with_suffix(".png").write_bytes(vlc.vegalite_to_png(chart["spec"], scale=2))
        stem.with_suffix(".svg").write_text(vlc.vegalite_to_svg(chart["spec"]), encoding="utf-8")
        written += [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    return written
