"""Files the build exports beside the HTML: every table (for tables.xlsx) and every chart as PNG
and SVG for slides.

Nothing travels through a side channel. When a notebook shows a table or a chart
(`analysis.sections.report`), the display output carries, in its metadata under `review_pack`, the
table's cells (the text shown, with "c" where suppressed, and the number behind each shown
number) and the chart's title and source line. After running a notebook the build reads them back
from the executed notebook (`collect`), in page order, with each chart's SVG image from the same
output, and writes them (`write_charts`, `analysis.pack.workbook.write_workbook`): a chart is drawn
once, in the kernel, and the slide is that image with the source line beneath.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import altair as alt
import nbformat

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
    """The chart's own title text, or the fallback (read from the chart object: no specification is built)."""
    title = getattr(chart, "title", alt.Undefined)
    if isinstance(title, alt.SchemaBase):
        title = title.to_dict(validate=False)
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(title)
    return str(title) if title and title is not alt.Undefined else fallback


def chart_record(chart: alt.TopLevelMixin, fallback_title: str, source: str) -> dict[str, Any]:
    """The chart as a slide: its title and the source line drawn under it.

    The slide is the chart as the page shows it (the SVG the kernel rendered for the page, read back by
    `collect`) with the source line added below (`slide_svg`): nothing is rendered twice.
    """
    return {"title": chart_title(chart, fallback_title), "source": source}


_DATA_URI = re.compile(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)")
_SVG_OPEN = re.compile(r"\s*<svg\b[^>]*>")
_SIZE = re.compile(r'\b(width|height)="([0-9.]+)"')
#: The source line under a slide: its height in pixels, and the width allowed per character.
SOURCE_LINE, CHAR_WIDTH = 20, 6.2


def slide_svg(page_svg: str, source: str) -> str:
    """The chart's SVG (as vl-convert drew it for the page) with `source` in grey beneath, as one SVG image."""
    opening = _SVG_OPEN.match(page_svg)
    if opening is None or "</svg>" not in page_svg:
        raise ValueError("not an SVG image")
    size = dict(_SIZE.findall(opening.group()))
    height = float(size.get("height", 0))
    width = max(float(size.get("width", 0)), 10 + CHAR_WIDTH * len(source))
    total = height + SOURCE_LINE
    inner = page_svg[opening.end() : page_svg.rindex("</svg>")]
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" '
        f'width="{width:g}" height="{total:g}" viewBox="0 0 {width:g} {total:g}">'
        f'<rect width="{width:g}" height="{total:g}" fill="white"/>{inner}'
        f'<text x="5" y="{height + 12:g}" font-family="Arial, Helvetica, sans-serif" font-size="11" '
        f'fill="#505a5f">{html.escape(source)}</text></svg>'
    )


def collect(executed: Path | nbformat.NotebookNode) -> Exported:
    """The tables and charts an executed notebook (a file, or one already read) showed, read from its display
    outputs' metadata.

    Each chart record gets `svg`: the chart's image as the page shows it (the output's SVG data URIs, one
    per chart, in order).
    """
    found = Exported()
    notebook = executed if isinstance(executed, nbformat.NotebookNode) else nbformat.read(executed, as_version=4)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get(KEY)
            if record:
                found.tables += record.get("tables", [])
                charts = [dict(c) for c in record.get("charts", [])]
                images = _DATA_URI.findall(output.get("data", {}).get("text/html", ""))
                if len(images) == len(charts):
                    for chart, image in zip(charts, images, strict=True):
                        chart["svg"] = base64.b64decode(image).decode("utf-8")
                found.charts += charts
    return found


def write_charts(charts: list[dict[str, Any]], folder: Path, prefix: str) -> list[Path]:
    """Write each chart as PNG (2x) and SVG, named `<prefix>__<slug of its title>` (-2, -3 … for a repeated title).

    The SVG is the page's image with the source line beneath (`slide_svg`); the PNG is drawn from that SVG
    (vl-convert's resvg, which needs no JavaScript engine).
    """
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
        if "svg" not in chart:
            raise ValueError(f"the chart {chart['title']!r} has no SVG image in its notebook output")
        svg = slide_svg(chart["svg"], chart.get("source", ""))
        stem = folder / name
        stem.with_suffix(".svg").write_text(svg, encoding="utf-8")
        stem.with_suffix(".png").write_bytes(vlc.svg_to_png(svg, scale=2))
        written += [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    return written
