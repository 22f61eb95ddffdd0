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
    assert (
        text
        == "Line chart of children from January 2024 to February 2024. It fell from 12 to c; the latest value is c."
    )
