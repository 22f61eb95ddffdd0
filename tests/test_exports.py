"""Chart files for slides: each chart drawn once in the kernel, the slide its image with the source line beneath."""

from __future__ import annotations

import struct
from pathlib import Path

import altair as alt
import nbformat
import polars as pl
import pytest

from analysis.sections import exports, report

PAGE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" class="marks" width="300" height="120" viewBox="0 0 300 120">'
    '<rect width="300" height="120" fill="white"/><g><text>Children in care</text></g></svg>'
)


def _chart(title: object = alt.Undefined) -> alt.Chart:
    frame = pl.DataFrame({"x": [1, 2, 3], "y": [4, 6, 5]})
    chart = alt.Chart(frame).mark_line().encode(x="x:Q", y="y:Q")
    return chart if title is alt.Undefined else chart.properties(title=title)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Children in care", "Children in care"),
        (alt.Title("Children in care", subtitle="at each month end"), "Children in care"),
        (["Children in care", "by age"], "Children in care by age"),
        (alt.Undefined, "the fallback"),
    ],
)
def test_chart_title_is_read_from_the_chart(title: object, expected: str) -> None:
    assert exports.chart_title(_chart(title), "the fallback") == expected


def test_slide_is_the_page_image_with_the_source_line_beneath() -> None:
    slide = exports.slide_svg(PAGE_SVG, 'Source: A & B review pack. Counts of 1 to 5 shown as "c".')
    assert 'height="140"' in slide  # 120 + the source line
    assert "<text>Children in care</text>" in slide  # the page's drawing, unchanged
    assert "Source: A &amp; B review pack. Counts of 1 to 5 shown as &quot;c&quot;." in slide
    assert slide.startswith("<svg") and slide.endswith("</svg>") and slide.count("<svg") == 1


def test_slide_is_widened_to_fit_a_long_source_line() -> None:
    slide = exports.slide_svg(PAGE_SVG, "Source: " + "x" * 100)
    width = float(slide.split('width="', 1)[1].split('"', 1)[0])
    assert width > 300 and width >= 10 + exports.CHAR_WIDTH * 108


def test_slide_needs_an_svg_image() -> None:
    with pytest.raises(ValueError, match="not an SVG"):
        exports.slide_svg("<p>no image</p>", "Source: x")


def test_charts_written_from_the_image_the_page_shows(tmp_path: Path) -> None:
    report._page["source"] = "Source: Test review pack, March 2024, from synthetic data."
    body, tables, charts = report.figure_parts(_chart("Children in care"), "Line chart of children in care")
    output = nbformat.v4.new_output(
        "display_data", data={"text/html": body}, metadata={exports.KEY: {"tables": tables, "charts": charts}}
    )
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("", outputs=[output])])
    executed = tmp_path / "01_test.ipynb"
    nbformat.write(notebook, executed)

    found = exports.collect(executed)
    assert [c["title"] for c in found.charts] == ["Children in care"]
    page_svg = found.charts[0]["svg"]
    assert page_svg.startswith("<svg") and "Children in care" in page_svg
    written = exports.write_charts(found.charts, tmp_path / "charts", "01_test")
    png, svg = (tmp_path / "charts" / "01_test__children-in-care").with_suffix(".png"), written[1]
    assert written == [png, svg]
    text = svg.read_text(encoding="utf-8")
    assert "Children in care" in text and "Source: Test review pack, March 2024" in text
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    png_width, png_height = struct.unpack(">II", data[16:24])
    svg_height = float(text.split('height="', 1)[1].split('"', 1)[0])
    assert png_height == round(2 * svg_height)  # drawn at twice the size, for slides
    assert png_width > 0


def test_a_chart_without_its_image_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no SVG image"):
        exports.write_charts([{"title": "Lost", "source": "Source: x"}], tmp_path, "01_test")
