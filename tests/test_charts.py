"""Chart helpers that hold logic: label spacing, comparator segments, text alternatives."""

from __future__ import annotations

from datetime import date

import polars as pl

from analysis.sections.charts import describe_trend, held_segments, spread_labels


def test_spread_labels_keeps_labels_apart() -> None:
    frame = pl.DataFrame({"who": ["a", "b", "c"], "v": [40.0, 41.0, 100.0]})
    spread = dict(spread_labels(frame, "v", gap=5).select("who", "label_y").iter_rows())
    assert spread == {"a": 40.0, "b": 45.0, "c": 100.0}


def test_comparator_held_for_at_most_a_year() -> None:
    points = pl.DataFrame(
        {
            "area_label": ["England", "England", "Region"],
            "date": [date(2019, 3, 31), date(2020, 3, 31), date(2019, 3, 31)],
            "value": [65.0, 67.0, 82.0],
        }
    )
    segments = held_segments(points, date(2019, 4, 30), date(2024, 3, 31))
    region = segments.filter(pl.col("area_label") == "Region")["date"].to_list()
    assert region == [date(2019, 4, 30), date(2020, 3, 31)]  # clipped to the chart, ended after a year
    england = segments.filter(pl.col("area_label") == "England")["date"].to_list()
    assert england == [date(2019, 4, 30), date(2020, 3, 31), date(2020, 3, 31), date(2021, 3, 31)]


def test_describe_trend_suppresses_small_counts() -> None:
    frame = pl.DataFrame({"date": [date(2024, 1, 31), date(2024, 2, 29)], "n": [12.0, 3.0]})
    text = describe_trend(frame, "n", "children", count=True)
    # No "fell" from a hidden value: it would say the hidden count is under 12.
    assert text == "Line chart of children from January 2024 to February 2024. The first value is 12; the latest is c."


def test_describe_trend_writes_what_the_pack_wide_decision_shows() -> None:
    from analysis.core.disclosure import set_figures
    from analysis.metrics.relations import Figures

    # A rolling 12-month sum of 40 hidden by the pack-wide decision (a complement): before issue 17 the text
    # alternative read "It rose from 12 to 40; the latest value is 40".
    frame = pl.DataFrame({"date": [date(2024, 1, 31), date(2024, 2, 29)], "n": [12.0, 40.0]})
    keys = {("cla_starts:12m", "all", "2024-01"), ("cla_starts:12m", "all", "2024-02")}
    set_figures(Figures(frozenset(keys), frozenset({("cla_starts:12m", "all", "2024-02")})))
    text = describe_trend(frame, "n", "starts", count=True, figure=("cla_starts:12m", "all"))
    assert text.endswith("The first value is 12; the latest is c.") and "40" not in text


def test_the_page_svg_is_what_altair_saves_without_the_schema_check() -> None:
    # report.svg skips altair's schema validation for speed; the image must be the one chart.save writes.
    import io

    import altair as alt

    from analysis.sections import charts, report

    charts.setup()
    frame = pl.DataFrame({"month": [date(2024, m, 28) for m in range(1, 7)], "children": [5, 7, 6, 9, 8, 10]})
    chart = alt.Chart(frame).mark_line().encode(x="month:T", y="children:Q").properties(title="Children", width=300)
    buffer = io.StringIO()
    chart.save(buffer, format="svg")
    assert report.svg(chart) == buffer.getvalue()
    assert "<svg" in buffer.getvalue() and "Children" in buffer.getvalue()
