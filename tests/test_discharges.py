"""Care order discharges, re-entry after reunification, children placed with parents, and the section
on the synthetic data (with and without the permanence tracker)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from factories import episode, episodes_frame

from analysis.core.definitions import METRICS
from analysis.core.disclosure import identifiers_found, pack_identifiers
from analysis.load.inputs import load_inputs
from analysis.metrics import discharges
from analysis.metrics.care_periods import periods_of_care
from analysis.sections import discharges_section
from analysis.sections.discharges_section import latest_complete
from analysis.sections.small_counts import pct_text, rate_shown, row_protected_text

# --- Routes -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ls", "rec", "route"),
    [
        ("C2", "E4A", "reunification"),
        ("C2", "E4B", "reunification"),
        ("C2", "E45", "special_guardianship_order"),
        ("C2", "E46", "special_guardianship_order"),
        ("C2", "E47", "special_guardianship_order"),
        ("C2", "E48", "special_guardianship_order"),
        ("C2", "E43", "special_guardianship_order"),  # legacy SGO codes
        ("C2", "E44", "special_guardianship_order"),
        ("C2", "E41", "child_arrangements_order"),
    ],
)
def test_each_route_is_a_care_order_discharge(ls: str, rec: str, route: str) -> None:
    rows = [episode("A", "01/01/2022", "15/06/2023", ls=ls, place="U4", rec=rec)]
    found = discharges.care_order_discharges(periods_of_care(episodes_frame(rows)))
    assert found.select("route", "end").rows() == [(route, date(2023, 6, 15))]


@pytest.mark.parametrize(
    ("ls", "rec"),
    [
        ("V2", "E4A"),  # home from section 20: no order to discharge
        ("V2", "E4B"),
        ("C2", "E13"),  # to someone without parental responsibility
        ("C2", "E17"),
        ("C2", "E8"),
        ("V3", "E4A"),  # short breaks are not care
        ("C1", "E4A"),  # an interim order ends at the final hearing: it is not discharged
        ("C1", "E41"),
        ("C1", "E45"),
        ("E1", "E11"),  # adoption ends the placement order: counted with the routes out of care, not here
        ("E1", "E12"),
        ("D1", "E11"),
    ],
)
def test_what_is_not_a_care_order_discharge(ls: str, rec: str) -> None:
    rows = [episode("A", "01/01/2022", "15/06/2023", ls=ls, rec=rec)]
    assert discharges.care_order_discharges(periods_of_care(episodes_frame(rows))).height == 0


def test_an_interim_order_ending_is_counted_on_its_own() -> None:
    rows = [
        episode("A", "01/01/2023", "15/06/2023", ls="C1", rec="E41"),  # final hearing: CAO instead of a care order
        episode("B", "01/01/2023", "20/06/2023", ls="C1", rec="E4A"),  # home at the final hearing
        episode("C", "01/01/2023", "01/03/2023", ls="C1", rec="X1"),  # interim order replaced by a full order:
        episode("C", "01/03/2023", "25/06/2023", ls="C2", rne="L", rec="E41"),  # a care order discharge
        episode("D", "01/01/2023", "01/07/2023", ls="C1", rec="E13"),
    ]
    periods = periods_of_care(episodes_frame(rows))
    assert discharges.care_order_discharges(periods)["CHILD"].to_list() == ["C"]
    ended = discharges.interim_orders_ended(periods)
    assert ended.select("CHILD", "route").rows() == [
        ("A", "child_arrangements_order"), ("B", "reunification"), ("D", "other"),
    ]  # fmt: skip
    monthly = discharges.monthly_interim_ended(ended, date(2023, 7, 31), 2, start=date(2023, 4, 1))
    june = dict(monthly.filter(pl.col("date") == date(2023, 6, 30)).select("route", "ended").iter_rows())
    assert june == {
        "reunification": 1, "special_guardianship_order": 0, "child_arrangements_order": 1, "other": 0, "all": 2,
    }  # fmt: skip


def test_the_routes_add_up_to_all_care_order_discharges() -> None:
    rows = [
        episode("A", "01/01/2022", "10/06/2023", rec="E4A"),
        episode("B", "01/01/2022", "11/06/2023", rec="E45"),
        episode("C", "01/01/2022", "12/06/2023", rec="E41"),
        episode("D", "01/01/2022", "13/06/2023", ls="E1", place="A5", rec="E11"),  # adoption: not here
        episode("E", "01/01/2022", "14/06/2023", ls="C1", rec="E41"),  # interim order: not here
    ]
    cods = discharges.care_order_discharges(periods_of_care(episodes_frame(rows)))
    frame = discharges.monthly_discharges(cods, date(2023, 6, 30), 1, start=date(2022, 4, 1))
    june = dict(frame.select("route", "discharges").iter_rows())
    assert june == {"reunification": 1, "special_guardianship_order": 1, "child_arrangements_order": 1, "all": 3}
    assert june["all"] == sum(june[r] for r in discharges.ROUTES)


def test_sgo_from_section_20_is_an_exit_but_not_a_care_order_discharge() -> None:
    rows = [episode("A", "01/01/2022", "15/06/2023", ls="V2", rec="E47")]
    exits = discharges.order_exits(periods_of_care(episodes_frame(rows)))
    assert exits.select("route", "care_order").rows() == [("special_guardianship_order", False)]


def test_the_legal_status_that_counts_is_the_last_one_of_the_period() -> None:
    rows = [
        episode("A", "01/01/2022", "01/03/2022", ls="C1", rec="X1"),
        episode("A", "01/03/2022", "15/06/2023", ls="C2", rne="L", rec="E4A"),
        episode("B", "01/01/2022", "01/03/2022", ls="C2", rec="X1"),
        episode("B", "01/03/2022", "15/06/2023", ls="V2", rne="L", rec="E4A"),  # order discharged earlier, then home
    ]
    found = discharges.care_order_discharges(periods_of_care(episodes_frame(rows)))
    assert found["CHILD"].to_list() == ["A"]


def test_monthly_discharges_and_the_rolling_year() -> None:
    rows = [episode(f"C{m}", "01/01/2021", f"10/{m:02d}/2023", rec="E4A") for m in range(1, 13)]
    rows += [episode("S", "01/01/2021", "20/12/2023", rec="E45")]
    cods = discharges.care_order_discharges(periods_of_care(episodes_frame(rows)))
    frame = discharges.monthly_discharges(cods, date(2023, 12, 31), 3, start=date(2023, 1, 1))
    dec = dict(frame.filter(pl.col("date") == date(2023, 12, 31)).select("route", "discharges").iter_rows())
    assert dec == {"reunification": 1, "special_guardianship_order": 1, "child_arrangements_order": 0, "all": 2}
    rolling = dict(frame.filter(pl.col("date") == date(2023, 12, 31)).select("route", "discharges_12m").iter_rows())
    assert rolling["all"] == 13 and rolling["reunification"] == 12
    # Before a full 12 months of returns lie behind a month, there is no rolling figure.
    assert frame.filter(pl.col("date") == date(2023, 11, 30))["discharges_12m"].null_count() == 4


# --- Re-entry within 12 months -----------------------------------------------------------------------


def test_reentry_with_censoring_and_a_child_discharged_twice() -> None:
    rows = [
        # A: home in January 2022, back in June 2022 (re-entered), home again in January 2023 (stayed out).
        episode("A", "01/06/2021", "15/01/2022", rec="E4A"),
        episode("A", "10/06/2022", "15/01/2023", rec="E4A"),
        # B: home in July 2023; the return ends in March 2024, so their 12 months are not over: censored.
        episode("B", "01/01/2022", "01/07/2023", rec="E4A"),
        # C: home in May 2022, back 13 months later: stayed out for the 12 months that count.
        episode("C", "01/01/2021", "01/05/2022", rec="E4A"),
        episode("C", "02/06/2023"),
        # D: home in December 2023 and back in February 2024: re-entered, although the 12 months are not over.
        episode("D", "01/01/2022", "01/12/2023", rec="E4A"),
        episode("D", "01/02/2024"),
    ]
    periods = periods_of_care(episodes_frame(rows))
    re = discharges.reentries(discharges.care_order_discharges(periods), periods, date(2024, 3, 31))
    got = sorted((c, e.isoformat(), o) for c, e, o in re.select("CHILD", "end", "outcome").iter_rows())
    assert got == [
        ("A", "2022-01-15", "re_entered"),
        ("A", "2023-01-15", "stayed_out"),
        ("B", "2023-07-01", "censored"),
        ("C", "2022-05-01", "stayed_out"),
        ("D", "2023-12-01", "re_entered"),
    ]
    cohort = discharges.reentry_cohort(re, date(2022, 1, 1), date(2023, 12, 31))
    # The censored child is neither a success nor a failure: 2 of the 4 with a known outcome came back.
    assert (cohort["left"], cohort["re_entered"], cohort["stayed_out"], cohort["censored"]) == (5, 2, 2, 1)
    assert cohort["rate"] == pytest.approx(50.0) and cohort["complete"] is False


def test_reentry_cannot_be_seen_after_the_day_observed() -> None:
    rows = [episode("A", "01/01/2021", "15/01/2022", rec="E4A"), episode("A", "10/06/2022")]
    periods = periods_of_care(episodes_frame(rows))
    re = discharges.reentries(discharges.care_order_discharges(periods), periods, date(2022, 3, 31))
    assert re["outcome"].to_list() == ["censored"]


def test_reentry_cohorts_are_complete_only_with_full_follow_up() -> None:
    rows = [episode(f"C{m}", "01/01/2021", f"10/{m:02d}/2023", rec="E4A") for m in range(1, 13)]
    periods = periods_of_care(episodes_frame(rows))
    re = discharges.reentries(discharges.care_order_discharges(periods), periods, date(2024, 3, 31))
    series = discharges.reentry_cohorts(re, date(2024, 3, 31), 15, start=date(2022, 4, 1))
    done = series.filter(pl.col("complete"))
    assert done["date"].max() == date(2023, 3, 31) == latest_complete(date(2024, 3, 31))
    assert done.filter(pl.col("date") == date(2023, 3, 31)).select("left", "rate").row(0) == (3, 0.0)
    assert series.filter(pl.col("date") == date(2024, 3, 31))["rate"].item() is None  # all 12 censored
    assert latest_complete(date(2024, 3, 15)) == date(2023, 2, 28)


# --- Placed with parents --------------------------------------------------------------------------------


def test_children_placed_with_parents_under_a_care_order() -> None:
    rows = [
        episode("A", "01/01/2022", "01/06/2022", place="U4", rec="X1"),
        episode("A", "01/06/2022", "01/09/2023", rne="P", place="P1", rec="X1"),
        episode("A", "01/09/2023", None, rne="L", ls="C2", place="P1"),  # still at home: run since June 2022
        episode("B", "01/02/2024", None, ls="C1", place="P1"),
        episode("C", "01/02/2023", None, ls="E1", place="A5"),
    ]
    frame = episodes_frame(rows)
    dates = pl.Series("date", [date(2024, 3, 31)])
    on = discharges.placed_with_parents(frame, dates)
    assert sorted(on.select("CHILD", "home_since", "months_home").rows()) == [
        ("A", date(2022, 6, 1), 21),
        ("B", date(2024, 2, 1), 1),
    ]
    assert discharges.placed_with_parents_counts(on, dates).select("children", "home_12m_or_more").row(0) == (2, 1)
    groups = dict(discharges.time_at_home(on, date(2024, 3, 31)).iter_rows())
    assert groups == {"Under 6 months": 1, "6 to 12 months": 0, "1 to 2 years": 1, "2 years or more": 0}


# --- Small counts -----------------------------------------------------------------------------------------


def test_rates_and_row_parts_on_small_counts_are_hidden() -> None:
    # The default policy hides 1 to 5: a rate on 5 children would reveal them, on 6 it does not.
    assert not rate_shown(2, 20) and not rate_shown(0, 3) and rate_shown(0, 20) and not rate_shown(5, 20)
    assert rate_shown(6, 20)
    assert pct_text(10.0, 2, 20) == "c" and pct_text(25.0, 5, 20) == "c" and pct_text(30.0, 6, 20) == "30%"
    frame = pl.DataFrame({"left": [10, 22], "re": [0, 2], "out": [9, 20], "cens": [1, 0]})
    shown = row_protected_text(frame, ["re", "out", "cens"])
    assert shown.rows() == [(10, "0", "c", "c"), (22, "c", "c", "0")]


# --- The section on the synthetic data ------------------------------------------------------------------


def test_synthetic_discharges_reproduce_the_published_order_of_magnitude(synthetic: Path) -> None:
    dis = discharges_section.prepare(load_inputs(synthetic), "2024-03")
    year = dict(dis.year.select("route", "discharges").iter_rows())
    # Seed 000 line 241: 22 children had their care orders discharged and were reunified in 2023/24.
    assert 20 <= year["reunification"] <= 25
    assert sum(year.values()) > year["reunification"]  # SGOs and CAOs come on top
    # Children and Young People Scrutiny Committee agenda pack, 1 December 2020: "From November 2019 to end
    # October 2020, 32 children have had their care order discharged": 11 reunified and 21 SGOs.
    cods = discharges.care_order_discharges(periods_of_care(load_inputs(synthetic).episodes))
    span = dict(
        discharges.discharges_by_route(cods, date(2019, 11, 1), date(2020, 10, 31))
        .select("route", "discharges")
        .iter_rows()
    )
    assert span["reunification"] + span["special_guardianship_order"] == pytest.approx(32, abs=3)
    assert sum(span.values()) == cods.filter(pl.col("end").is_between(date(2019, 11, 1), date(2020, 10, 31))).height
    assert sum(span.values()) == pytest.approx(32, abs=4)  # every route, child arrangements orders included
    # Seed 002 line 250: nearly 40 identified for discharge in late 2023.
    late_2023 = dis.pipeline.history.filter((pl.col("date") == date(2023, 11, 30)) & (pl.col("position") == "all"))
    assert 30 <= late_2023["children"].item() <= 45
    sentences = discharges_section.headlines(dis)
    assert 3 <= len(sentences) <= 5 and all(s.endswith(".") for s in sentences)


def test_section_metrics_are_defined_and_cover_the_issue(synthetic: Path) -> None:
    metrics = discharges_section.section_metrics(load_inputs(synthetic), "2024-03")
    assert set(metrics["metric"]) <= set(METRICS)
    cod = metrics.filter(pl.col("metric") == "care_order_discharges")
    assert set(cod["breakdown"]) == {"all", *discharges.ROUTES}
    by_month = cod.pivot(on="breakdown", index="period", values="value")
    assert (by_month["all"] == sum(by_month[r] for r in discharges.ROUTES)).all()
    interim = metrics.filter(pl.col("metric") == "interim_care_order_ended")
    assert set(interim["breakdown"]) == {"all", *discharges.INTERIM_ROUTES}
    assert cod["period"].str.contains(r"^\d{4}-\d{2}$").all()
    march = cod.filter(
        (pl.col("period").is_between(pl.lit("2023-04"), pl.lit("2024-03"))) & (pl.col("breakdown") == "reunification")
    )
    assert march["value"].sum() == pytest.approx(22, abs=3)
    reentry = metrics.filter(pl.col("metric") == "reunification_reentry_12m_rate")
    # The latest 12 months with complete follow-up end in 2023-03, and every complete cohort is written (the pack
    # hides those built on a small count, the analyst's metrics hold them). Children do come back: over every
    # return home, 6 to 8 a year from late 2022.
    assert reentry.filter(pl.col("breakdown") == "all")["period"].max() == "2023-03"
    assert (reentry.filter(pl.col("breakdown") == "all_returns_home")["value"] > 0).any()
    counts = metrics.filter(pl.col("metric") == "care_order_discharge_reentry_12m_count")
    by_route = counts.pivot(on="breakdown", index="period", values="value")
    assert (by_route["all"] == sum(by_route[r] for r in discharges.ROUTES)).all()  # the routes add up to all
    same = counts.filter(pl.col("breakdown") == "reunification").join(
        metrics.filter((pl.col("metric") == "reunification_reentry_12m_count") & (pl.col("breakdown") == "all")),
        on="period",
    )
    assert same.height and (same["value"] == same["value_right"]).all()  # one figure under two names
    assert {"discharge_pipeline_count", "tracker_903_reconciliation"} <= set(metrics["metric"])


# --- The notebooks, with and without the tracker ------------------------------------------------------------


def _run(notebook: str, data: Path, out: Path, **parameters: str) -> str:
    import papermill as pm

    from analysis.core import paths

    pm.execute_notebook(
        str(paths.NOTEBOOKS / notebook),
        str(out),
        parameters={"data_dir": str(data), "period": "2024-03", **parameters},
        kernel_name="python3",
        cwd=str(paths.NOTEBOOKS),
        progress_bar=False,
    )
    cells = json.loads(out.read_text())["cells"]
    return "\n".join(
        "".join(o.get("data", {}).get("text/html", "")) + "".join(o.get("text", ""))
        for c in cells
        for o in c.get("outputs", [])
    )


@pytest.mark.e2e
def test_notebooks_run_without_the_tracker(synthetic: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(synthetic, data)
    (data / "permanence.csv").unlink()
    inputs = load_inputs(data)
    assert (
        discharges_section.section_metrics(inputs, "2024-03")
        .filter(pl.col("metric") == "discharge_pipeline_count")
        .height
        == 0
    )
    extra = {"02_care_order_discharges.ipynb": {"analyst_dir": str(tmp_path / "analyst")}, "04_sgo_pipeline.ipynb": {}}
    for notebook, parameters in extra.items():
        text = _run(notebook, data, tmp_path / notebook, **parameters)
        assert "permanence.csv" in text and "is not shown" in text, notebook
        assert "Headlines" in text and "Traceback" not in text
    assert not (tmp_path / "analyst").exists()


@pytest.mark.e2e
def test_notebook_writes_the_child_list_only_to_the_analyst_folder(synthetic: Path, tmp_path: Path) -> None:
    analyst = tmp_path / "analyst"
    text = _run("02_care_order_discharges.ipynb", synthetic, tmp_path / "02.ipynb", analyst_dir=str(analyst))
    written = analyst / discharges_section.ANALYST_FILE
    lines = written.read_text().splitlines()
    assert lines[0] == "# OFFICIAL-SENSITIVE, analyst only"
    listed = pl.read_csv(written, comment_prefix="#")
    assert set(listed["child_id"]) == {"SYN001486", "SYN000714", "SYN001276"}
    # The page itself names no child.
    assert identifiers_found(text, pack_identifiers(load_inputs(synthetic))) == set()
    # Without analyst_dir, nothing is written.
    _run("02_care_order_discharges.ipynb", synthetic, tmp_path / "02b.ipynb")
    assert [p.name for p in analyst.iterdir()] == [discharges_section.ANALYST_FILE]


def test_route_words_protect_the_parts_of_the_total() -> None:
    year = pl.DataFrame({"route": discharges.ROUTES, "discharges": [22, 8, 2]})
    # The 2 child arrangements orders are hidden, so the 8 SGOs are too; together they make 10.
    assert discharges_section.routes_words(year, "discharges") == (
        "22 reunified with their families and 10 by special guardianship or child arrangements orders"
    )
    year = pl.DataFrame({"route": discharges.ROUTES, "discharges": [22, 8, 0]})
    assert discharges_section.routes_words(year, "discharges") == (
        "22 reunified with their families, 8 by special guardianship order and 0 by child arrangements order"
    )


def test_the_interim_table_counts_the_last_12_months_and_the_12_before() -> None:
    from types import SimpleNamespace

    from analysis.sections import discharges_figures

    rows = [
        episode("A", "01/01/2023", "15/06/2023", ls="C1", rec="E41"),  # the 12 months before
        episode("B", "01/01/2023", "20/06/2023", ls="C1", rec="E4A"),
        episode("C", "01/01/2024", "20/02/2025", ls="C1", rec="E4A"),  # the last 12 months
        episode("D", "01/01/2024", "20/03/2025", ls="C1", rec="E8"),
    ]
    ended = discharges.interim_orders_ended(periods_of_care(episodes_frame(rows)))
    end = date(2025, 3, 31)
    dis = SimpleNamespace(end=end, interim=discharges.monthly_interim_ended(ended, end, 24, start=date(2022, 4, 1)))
    table = discharges_figures.interim_table(dis)["frame"]
    assert table.rows() == [
        ("Reunification", 1, 1), ("Special guardianship order", 0, 0), ("Child arrangements order", 0, 1),
        ("Any other reason", 1, 0),
    ]  # fmt: skip


def test_every_complete_cohort_is_written_for_the_analyst() -> None:
    # Two children of 10 came back (a small count): the analyst's metrics keep the cohort's count and rate (before
    # issue 17 the rate was dropped from the metrics themselves, so the scorecard fell back years); the pack hides
    # them by the pack-wide decision. A cohort with no child gets a count of 0 and no rate, once its 12 months of
    # follow-up are over (not the one to March 2024: "no child" there says nothing yet); an incomplete one neither.
    series = pl.DataFrame(
        {
            "date": [date(2023, 1, 31), date(2023, 2, 28), date(2023, 3, 31), date(2023, 4, 30), date(2024, 3, 31)],
            "left": [10, 0, 12, 9, 0],
            "re_entered": [2, 0, 7, 1, 0],
            "stayed_out": [8, 0, 5, 3, 0],
            "censored": [0, 0, 0, 5, 0],
            "rate": [20.0, None, 7 / 12 * 100, 25.0, None],
            "complete": [True, True, True, False, True],
        }
    )
    done, rated = discharges_section._cohorts(series, "all", date(2023, 3, 31))
    assert done.select("date", "re_entered", "b").rows() == [
        (date(2023, 1, 31), 2, "all"), (date(2023, 2, 28), 0, "all"), (date(2023, 3, 31), 7, "all"),
    ]  # fmt: skip
    assert rated["rate"].to_list() == pytest.approx([20.0, 7 / 12 * 100])
