"""The analyst's building blocks (`analysis.sections.explore`) and the review's door in: hand-made frames with
known answers, one vocabulary for routes and dates, a light `import analysis`, a short display,
and warnings left to the analyst outside a build."""

from __future__ import annotations

import subprocess
import sys
import warnings
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from factories import child, episode, episodes_frame, write_folder

from analysis.core.codes import REC_ROUTE
from analysis.load.inputs import PERMANENCE_COLUMNS, PERMANENCE_DATES
from analysis.metrics import discharges
from analysis.sections import explore

MAR24, MAR23 = date(2024, 3, 31), date(2023, 3, 31)


def eps() -> pl.DataFrame:
    """A: in care since 2022 in foster care. B: home (E4A) from a care order on 30/06/2023, back on
    01/02/2024. C: section 20, home (E4B) on 31/01/2024. D: short breaks only. E: left by SGO in 2022."""
    return episodes_frame(
        [
            episode("A", "01/01/2022", place="U4"),
            episode("B", "01/01/2023", "30/06/2023", ls="C2", rec="E4A"),
            episode("B", "01/02/2024", ls="C1", place="R1"),
            episode("C", "01/06/2023", "31/01/2024", ls="V2", rec="E4B"),
            episode("D", "01/01/2023", ls="V3"),
            episode("E", "01/01/2021", "01/01/2022", ls="C2", rec="E45"),
        ]
    )


# --- Dates: one date, a list, a Series or ISO text, all the same ---------------------------------


@pytest.mark.parametrize(
    "dates",
    [
        [MAR23, MAR24],
        (MAR24, MAR23, MAR24),
        pl.Series([MAR24, MAR23]),
        ["2023-03-31", "2024-03-31"],
        pl.Series([datetime(2023, 3, 31), datetime(2024, 3, 31)]),
    ],
    ids=["list", "tuple-with-repeat", "series", "iso-text", "datetimes"],
)
def test_children_on_accepts_a_list_a_series_or_text(dates: object) -> None:
    on = explore.children_on(eps(), dates)
    counts = dict(on.group_by("date").len().iter_rows())
    # 31/03/2023: A, B (C not yet, D short breaks only, E gone). 31/03/2024: A, B (back). C went home.
    assert counts == {MAR23: 2, MAR24: 2}
    assert on.filter(pl.col("date") == MAR24).sort("CHILD")["PLACE"].to_list() == ["U4", "R1"]


def test_children_on_one_date_is_a_list_of_one() -> None:
    assert explore.children_on(eps(), MAR24).equals(explore.children_on(eps(), [MAR24]))
    assert explore.children_on(eps(), "2024-03-31")["date"].unique().to_list() == [MAR24]


def test_dates_that_are_not_dates_are_refused() -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        explore.as_dates(["31/03/2024"])
    with pytest.raises(ValueError, match="expected dates"):
        explore.as_dates(pl.Series([1, 2]))


def test_window_is_whole_calendar_months() -> None:
    assert explore.window("2024-03-31", 12) == (date(2023, 4, 1), MAR24)
    assert explore.window(date(2024, 3, 15), 6) == (date(2023, 10, 1), MAR24)


def test_age_on_counts_the_birthday_on_the_day_and_keeps_children_without_a_dob() -> None:
    header = pl.DataFrame(
        {"CHILD": ["A", "B"], "DOB": [date(2014, 3, 31), None]}, schema={"CHILD": pl.String, "DOB": pl.Date}
    )
    on = explore.children_on(eps(), [MAR24, date(2024, 3, 30)])
    ages = explore.age_on(on, header).sort("date", "CHILD")
    assert ages.select("date", "CHILD", "age").rows() == [
        (date(2024, 3, 30), "A", 9),
        (date(2024, 3, 30), "B", None),
        (MAR24, "A", 10),
        (MAR24, "B", None),
    ]
    # With `day` the age is on that day, whatever the rows' dates.
    assert explore.age_on(on.drop("date"), header, day="2034-03-31").filter(pl.col("CHILD") == "A")["age"][0] == 20


def test_change_sorts_the_biggest_movers_first_and_counts_a_missing_group_as_zero() -> None:
    frame = pl.DataFrame(
        {
            "date": [MAR23, MAR23, MAR24, MAR24],
            "label": ["Foster", "Residential", "Foster", "Kinship"],
            "children": [10, 4, 7, 5],
        }
    )
    out = explore.change(frame, "children", "label")
    assert out.rows() == [("Kinship", 0, 5, 5), ("Residential", 4, 0, -4), ("Foster", 10, 7, -3)]


def test_breakdown_adds_up_to_the_children_counted() -> None:
    on = explore.children_on(eps(), [MAR23, MAR24])
    mix = explore.breakdown(on, "placement_type")
    assert dict(mix.group_by("date").agg(pl.col("children").sum()).iter_rows()) == {MAR23: 2, MAR24: 2}


# --- Routes: one vocabulary ----------------------------------------------------------------------


def test_one_route_vocabulary_with_the_other_names_mapped() -> None:
    # Every REC route, plus "unknown": an X1 followed by a gap ends a period with no REC to say how.
    assert set(explore.ROUTES) == set(REC_ROUTE.values()) | {"unknown"}
    assert set(explore.ROUTE_ALIASES.values()) <= set(explore.ROUTES)
    # The discharges module's "reunification" is this module's returned_home (E4A/E4B).
    assert {r for r, route in discharges.REC_DISCHARGE_ROUTE.items() if route == "reunification"} == {
        r
        for r, route in REC_ROUTE.items()
        if explore.ROUTE_ALIASES[("analysis.metrics.discharges", "reunification")] == route
    }
    names = explore.route_names()
    assert names.filter(pl.col("route") == "returned_home")["REC"][0] == "E4A, E4B"


def test_ceases_by_route_in_a_window() -> None:
    periods = explore.periods_of_care(eps())
    out = dict(explore.ceases_by_route(periods, "2023-04-01", MAR24).select("route", "ceased").iter_rows())
    assert out["returned_home"] == 2  # B (June 2023) and C (January 2024)
    assert out["special_guardianship_order"] == 0  # E left in 2022


def test_leavers_flag_care_order_discharges_and_refuse_unknown_routes() -> None:
    out = explore.leavers(explore.periods_of_care(eps()))
    assert out.select("CHILD", "route", "care_order").rows() == [
        ("E", "special_guardianship_order", True),
        ("B", "returned_home", True),
        ("C", "returned_home", False),
    ]
    with pytest.raises(ValueError, match="reunification"):
        explore.leavers(explore.periods_of_care(eps()), ["reunification"])


def test_reentries_within_12_months() -> None:
    periods = explore.periods_of_care(eps())
    back = explore.reentries(periods, MAR24).sort("CHILD")
    assert back.select("CHILD", "care_order", "reentry", "outcome").rows() == [
        ("B", True, date(2024, 2, 1), "re_entered"),  # home 30/06/2023, back 01/02/2024
        ("C", False, None, "censored"),  # home 31/01/2024: too soon to say at 31/03/2024
    ]
    every = explore.reentries(periods, MAR24, routes=None)
    assert every.filter(pl.col("CHILD") == "E")["outcome"][0] == "stayed_out"


def test_reentries_of_care_order_returns_home_are_the_packs_reunification_figures() -> None:
    periods = explore.periods_of_care(eps())
    mine = explore.reentries(periods, MAR24, care_order_only=True)
    pack = discharges.reentries(discharges.care_order_discharges(periods), periods, MAR24)
    pack = pack.filter(pl.col("route") == "reunification")
    assert mine.select("CHILD", "end", "reentry", "outcome").equals(pack.select("CHILD", "end", "reentry", "outcome"))


# --- The workforce and the tracker --------------------------------------------------------------


def workforce_rows() -> pl.DataFrame:
    rows = [
        (MAR23, "North", "social_worker", "agency", 1.0),
        (MAR23, "North", "social_worker", "permanent", 1.0),
        (MAR23, "North", "team_manager", "permanent", 1.0),
        (MAR23, "South", "social_worker", "fixed_term", 0.5),
        (MAR23, "South", "social_worker", "vacant", 1.0),
        (MAR24, "North", "social_worker", "permanent", 1.0),
        (MAR24, "North", "team_manager", "agency", 1.0),
    ]
    return pl.DataFrame(
        rows,
        schema={"snapshot_date": pl.Date, **dict.fromkeys(("team", "role", "contract"), pl.String), "fte": pl.Float64},
        orient="row",
    ).with_columns(pl.lit(None, pl.Int64).alias("caseload"))


def test_agency_rate_by_any_grouping_and_date_range() -> None:
    by_team = explore.agency_rate(workforce_rows(), "team")
    assert by_team.select("date", "team", "agency_rate").rows() == [
        (MAR23, "North", pytest.approx(100 / 3)),
        (MAR23, "South", 0.0),
        (MAR24, "North", 50.0),
    ]
    frontline = explore.agency_rate(workforce_rows(), first="2024-01-01", roles=("social_worker",))
    assert frontline.select("date", "agency_rate").rows() == [(MAR24, 0.0)]
    by_role = explore.agency_rate(workforce_rows(), ["team", "role"], last=MAR23)
    assert by_role.height == 3 and set(by_role["date"]) == {MAR23}


def tracker() -> pl.DataFrame:
    rows = [
        {"child_id": "T1", "route": "special_guardianship_order", "identified_date": "2023-01-01",
         "assessing_date": "2023-02-01"},
        {"child_id": "T2", "route": "special_guardianship_order", "identified_date": "2024-01-01"},
        {"child_id": "T3", "route": "discharge_to_parents", "identified_date": "2022-01-01"},
        {"child_id": "T4", "route": "special_guardianship_order", "identified_date": "2022-01-01",
         "outcome": "order_made", "outcome_date": "2023-01-01"},
    ]  # fmt: skip
    frame = pl.DataFrame([{c: r.get(c) for c in PERMANENCE_COLUMNS} for r in rows], schema=dict.fromkeys(
        PERMANENCE_COLUMNS, pl.String))
    frame = frame.with_columns(pl.col(c).str.to_date("%Y-%m-%d") for c in PERMANENCE_DATES)
    return frame.with_row_index("_row", offset=2).with_columns(pl.col("_row").cast(pl.Int64))


def test_tracker_status_on_a_day_with_stuck_plans() -> None:
    status = explore.tracker_status(tracker(), "2024-03-31", route="special_guardianship_order").sort("child_id")
    assert status.select("child_id", "status", "position", "days_at_stage", "stuck").rows() == [
        ("T1", "open", "assessing", 424, True),  # assessing since 1 February 2023
        ("T2", "open", "identified", 90, False),
        ("T4", "order_made", None, 820, False),  # closed: never stuck
    ]
    assert "_row" not in status.columns
    looser = explore.tracker_status(tracker(), MAR24, "special_guardianship_order", stuck_days=500)
    assert not looser["stuck"].any()
    with pytest.raises(ValueError, match="tracker's routes"):
        explore.tracker_status(tracker(), MAR24, route="returned_home")


# --- The review: one door in, a short display ---------------------------------------------------


def test_import_analysis_stays_light_and_review_comes_on_first_use() -> None:
    code = (
        "import sys, analysis, analysis.core.periods\n"
        "assert 'analysis.sections.review' not in sys.modules and 'altair' not in sys.modules, sorted(sys.modules)\n"
        "from analysis import Review\n"
        "assert Review.__module__ == 'analysis.sections.review'\n"
        "try:\n    analysis.nothing\nexcept AttributeError:\n    pass\nelse:\n    raise SystemExit('no error')\n"
    )
    src = Path(__file__).resolve().parents[1] / "src"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONPATH": str(src)}, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture
def review(tmp_path: Path) -> object:
    from analysis import Review

    header = [child("KID0001", dob="01/06/2012"), child("KID0002", dob="01/01/2020")]
    rows = [episode("KID0001", "01/04/2023"), episode("KID0002", "15/05/2023", "20/01/2024", rec="E4A")]
    return Review(write_folder(tmp_path / "inputs", header, rows), "2024-03")


def test_review_building_blocks(review: object) -> None:
    assert review.end == MAR24
    assert review.children_on()["CHILD"].to_list() == ["KID0001"]
    assert review.children_on(["2023-06-30", "2024-03-31"]).height == 3
    assert review.periods_of_care.height == 2
    assert review.tracker is None
    with pytest.raises(ValueError, match="no permanence tracker"):
        review.tracker_status()
    aged = explore.age_on(review.children_on(), review.header)
    assert aged["age"].to_list() == [11]


def test_review_displays_a_short_summary_without_child_identifiers(review: object) -> None:
    _ = review.children_in_care
    for text in (repr(review), review._repr_html_(), review._repr_markdown_()):
        assert "KID000" not in text
        assert len(text) < 6_000
    md = review._repr_markdown_()
    assert "| inputs | `episodes` | 2 × " in md and "one row per 903 episode" in md
    assert "children_in_care | `series`" in md  # a computed section's frames, with their grain
    assert "no workforce snapshot" in md and "review.validation" in md
    frames = explore.fields(review.children_in_care)
    assert frames.filter(pl.col("field") == "series")["grain"][0].startswith("one row per month end")


# --- Warnings: the analyst's own always show; a build silences only known third-party ones ------------


def test_report_start_leaves_warnings_alone(review: object) -> None:
    from analysis.sections import report

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        report.start(review.inputs, "2024-03", "A page")
        warnings.warn("the analyst's own warning", UserWarning, stacklevel=1)
        warnings.warn("another library's deprecation", DeprecationWarning, stacklevel=1)
    assert [str(w.message) for w in caught] == ["the analyst's own warning", "another library's deprecation"]


def test_a_build_silences_only_the_known_third_party_warnings(review: object, tmp_path: Path) -> None:
    from analysis.sections import report
    from analysis.sections.review import Review

    saved = review.save(tmp_path / "review.pkl")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        before = list(warnings.filters)
        Review.open("", "", review_file=saved)
        added = [f for f in warnings.filters if f not in before]
        assert len(added) == len(report.KNOWN_WARNINGS)
        assert all(f[2] in {c for c, _ in report.KNOWN_WARNINGS} and f[3] is not None for f in added), added
        warnings.warn("the analyst's own warning", UserWarning, stacklevel=1)
        warnings.warn_explicit("old", FutureWarning, "pandas/core/frame.py", 1, module="pandas.core.frame")
    assert [str(w.message) for w in caught] == ["the analyst's own warning"]


# --- The API reference and the metric links -----------------------------------------------------------

API = Path(__file__).resolve().parents[1] / "docs" / "api"
ANALYST_MODULES = [
    "sections.review", "sections.explore", "core.definitions", "core.codes", "metrics.cla", "metrics.care_periods",
    "metrics.cla_mix", "metrics.discharges", "metrics.sgo", "metrics.workforce", "metrics.permanence",
    "metrics.permanence_ageing", "metrics.permanence_applications", "metrics.reconciliation", "core.periods",
    "load.inputs", "metrics.national", "metrics.tidy",
]  # fmt: skip


@pytest.mark.parametrize("name", ANALYST_MODULES)
def test_the_api_reference_covers_every_public_function(name: str) -> None:
    import importlib
    import inspect

    module = importlib.import_module(f"analysis.{name}")
    page = API / "analysis" / f"{name.replace('.', '/')}.html"
    assert page.exists(), "run `make docs`"
    text = page.read_text(encoding="utf-8")
    public = [
        n for n, obj in vars(module).items()
        if not n.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
        and obj.__module__ == module.__name__
    ]  # fmt: skip
    missing = [n for n in public if f'id="{n}"' not in text]
    assert not missing, f"run `make docs`: analysis.{name} has {missing} not in docs/api"
    assert "http://" not in text.replace("http://www.w3.org", "")  # offline: nothing fetched


def test_every_metric_names_the_functions_computing_it_and_links_them() -> None:
    import importlib

    from analysis.core.definitions import METRICS, api_link

    unlinked = [m.id for m in METRICS.values() if not m.computed_by]
    assert not unlinked, f"add these ids to analysis.core.definitions.COMPUTED_BY: {unlinked}"
    for metric in METRICS.values():
        for dotted in metric.computed_by:
            module, _, name = dotted.rpartition(".")
            assert callable(getattr(importlib.import_module(module), name)), dotted
            link = api_link(dotted)
            target = link.split("](")[1].rstrip(")")
            page, anchor = target.split("#")
            assert f'id="{anchor}"' in (API.parent / page).read_text(encoding="utf-8"), link


def test_the_readme_s_door_in_works() -> None:
    # The README tells analysts to start with `from analysis import Review, explore`.
    from analysis import Review, explore

    assert Review.__name__ == "Review" and callable(explore.children_on)
