"""SGOs from the 903 by carer type, the tracker side by side, support plans, and the SGO pipeline on the
synthetic data against the published October 2020 snapshot."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from factories import child, episode, episodes_frame, write_csv, write_folder

from analysis.core.definitions import METRICS
from analysis.load.inputs import PERMANENCE_COLUMNS, load_inputs
from analysis.metrics import sgo
from analysis.metrics.care_periods import periods_of_care
from analysis.metrics.permanence import for_route, snapshot, status_on
from analysis.sections import sgo_section

SGO = "special_guardianship_order"


def test_sgo_codes_split_by_carer_and_relationship() -> None:
    rows = [episode(c, "01/01/2022", "15/06/2023", rec=c) for c in ("E45", "E46", "E47", "E48")]
    rows += [episode("X", "01/01/2022", "15/06/2023", rec="E41")]
    exits = sgo.sgo_exits(periods_of_care(episodes_frame(rows)))
    assert exits.sort("REC").select("REC", "carer", "relationship").rows() == [
        ("E45", "former_foster_carer", "relative_or_friend"),
        ("E46", "former_foster_carer", "other"),
        ("E47", "other_carer", "relative_or_friend"),
        ("E48", "other_carer", "other"),
    ]


def test_legacy_sgo_codes_keep_the_carer_but_not_the_relationship() -> None:
    # E43 (SGO to former foster carers) and E44 (to other carers) predate E45-E48: they do not record
    # whether the special guardians are relatives or friends.
    rows = [episode(c, "01/01/2018", "15/06/2019", rec=c) for c in ("E43", "E44")]
    exits = sgo.sgo_exits(periods_of_care(episodes_frame(rows)))
    assert exits.sort("REC").select("REC", "carer", "relationship").rows() == [
        ("E43", "former_foster_carer", "not_recorded"),
        ("E44", "other_carer", "not_recorded"),
    ]
    monthly = sgo.monthly_sgos(exits, date(2019, 6, 30), 1, start=date(2018, 4, 1))
    counts = dict(monthly.select("breakdown", "sgos").iter_rows())
    assert counts["all"] == 2 and counts["relationship:not_recorded"] == 2
    assert counts["relationship:relative_or_friend"] == counts["relationship:other"] == 0


def test_monthly_sgos_by_breakdown_and_by_year() -> None:
    recs = ["E45", "E45", "E46", "E47", "E48", "E45"]
    rows = [episode(f"C{i}", "01/01/2021", f"10/{i + 1:02d}/2023", rec=r) for i, r in enumerate(recs)]
    exits = sgo.sgo_exits(periods_of_care(episodes_frame(rows)))
    monthly = sgo.monthly_sgos(exits, date(2023, 12, 31), 12, start=date(2023, 1, 1))
    totals = dict(monthly.group_by("breakdown").agg(pl.col("sgos").sum()).iter_rows())
    assert totals == {
        "all": 6, "carer:former_foster_carer": 4, "carer:other_carer": 2,
        "relationship:relative_or_friend": 4, "relationship:other": 2, "relationship:not_recorded": 0,
    }  # fmt: skip
    years = sgo.sgos_by_year(exits, date(2024, 3, 31), start=date(2022, 4, 1))
    assert years["date"].to_list() == [date(2023, 3, 31), date(2024, 3, 31)]
    assert years["all"].to_list() == [3, 3]
    assert years["carer:former_foster_carer"].to_list() == [3, 1]  # E45, E45, E46 then E47, E48, E45


def test_side_by_side_shows_where_the_tracker_and_the_903_disagree() -> None:
    monthly = pl.DataFrame(
        {"date": [date(2024, 1, 31), date(2024, 2, 29)], "breakdown": ["all", "all"], "sgos": [2, 1]}
    )
    tracker = pl.DataFrame({"date": [date(2024, 1, 31), date(2024, 2, 29)], "orders": [1, 1]})
    side = sgo.side_by_side(monthly, tracker)
    assert side.select("sgos_903", "orders_tracker", "difference").rows() == [(2, 1, -1), (1, 1, 0)]


@pytest.mark.usefixtures("threshold_4")  # the hand-worked counts below are for a 1-to-4 policy
def test_support_share_is_hidden_when_it_would_reveal_a_small_count() -> None:
    orders = pl.DataFrame(
        {
            "order_date": [date(2024, 1, 1)] * 12,
            "support_plan": ["yes"] * 8 + ["no"] * 2 + [None, "maybe"],
        }
    )
    support = sgo.support_plans(orders, date(2023, 4, 1), date(2024, 3, 31))
    assert support.select("answer", "children").rows() == [("yes", 8), ("no", 2), ("not_recorded", 2)]
    assert support["share"].to_list()[:2] == [pytest.approx(80.0), pytest.approx(20.0)]
    assert sgo_section.support_share(support) is None  # 80% of 10 would reveal the 2 without a plan
    more = pl.concat([orders, pl.DataFrame({"order_date": [date(2024, 1, 1)] * 3, "support_plan": ["no"] * 3})])
    assert sgo_section.support_share(sgo.support_plans(more, date(2023, 4, 1), date(2024, 3, 31))) == pytest.approx(
        8 / 13 * 100
    )


@pytest.mark.usefixtures("threshold_4")  # the hand-worked counts below are for a 1-to-4 policy
def test_carer_split_words_protect_each_pair() -> None:
    year = pl.DataFrame(
        {
            "breakdown": sgo.BREAKDOWNS,
            "label": [sgo.BREAKDOWN_LABEL[b] for b in sgo.BREAKDOWNS],
            "sgos": [12, 10, 2, 6, 6, 0],
        }
    )
    words = sgo_section.split_words(year, "sgos")
    # 2 to other carers is hidden, so 10 to former foster carers is too (12 − 10 = 2); the other pair shows.
    assert words == "6 to relatives or friends and 6 to others (not relatives or friends)"
    # With legacy codes, the relationship split has a third part, protected with the other two (2 is hidden, and
    # so is one more part, or 12 − 5 − 5 would give it away).
    legacy = year.with_columns(pl.Series("sgos", [12, 6, 6, 5, 5, 2]))
    assert sgo_section.split_words(legacy, "sgos") == (
        "6 to former foster carers and 6 to other carers; c to relatives or friends and 5 to others (not relatives "
        "or friends) and c relationship not recorded (legacy codes E43/E44)"
    )


def test_an_order_made_without_a_tracker_row(tmp_path: Path) -> None:
    header = [child(c) for c in ("TSA001", "TSB002", "TSC003")]
    episodes = [
        episode("TSA001", "01/01/2022", "20/03/2024", rec="E45"),  # no tracker row
        episode("TSB002", "01/01/2022", "10/02/2024", rec="E47"),
        episode("TSC003", "01/01/2022"),
    ]
    folder = write_folder(tmp_path / "in", header, episodes)
    plans = [
        {"child_id": "TSB002", "route": SGO, "identified_date": "2023-01-10", "outcome": "order_made",
         "outcome_date": "2024-02-12", "support_plan": "yes"},
        {"child_id": "TSC003", "route": SGO, "identified_date": "2023-06-01", "assessing_date": "2023-07-01"},
    ]  # fmt: skip
    write_csv(folder / "permanence.csv", plans, PERMANENCE_COLUMNS)
    s = sgo_section.prepare(load_inputs(folder), "2024-03")
    counts = dict(s.reconciled.select("status", "children").iter_rows())
    assert (counts["matched"], counts["no_tracker_row"], counts["date_differs"]) == (1, 1, 0)
    last = s.side.row(-1, named=True)
    assert (last["date"], last["sgos_903"], last["orders_tracker"], last["difference"]) == (date(2024, 3, 31), 1, 0, -1)
    assert (
        s.pipeline is not None and s.pipeline.snapshot.filter(pl.col("position") == "assessing")["children"].item() == 1
    )
    sentences = sgo_section.headlines(s)
    assert 3 <= len(sentences) <= 5


# --- The synthetic data -----------------------------------------------------------------------------


def test_pipeline_at_october_2020_against_the_published_snapshot(synthetic: Path) -> None:
    # [HC-SCRUTINY-2020-12] (Herefordshire Council, Children and Young People Scrutiny Committee agenda pack,
    # 1 December 2020), reduction update and Appendix 1: at the end of October 2020, 46 children had a plan for SGO,
    # 6 were in best-interests assessment, 5 SGO applications were with legal services and 8 filed with court, and
    # for 17 the assessment was complete but the carers were unwilling.
    tracker = for_route(load_inputs(synthetic).permanence, SGO)
    snap = dict(snapshot(status_on(tracker, date(2020, 10, 31))).select("position", "children").iter_rows())
    # The tracker is simulated from the 903 histories, not fitted to these figures: it hits the 46 and misses the
    # stages by 1 to 3. Each is held exactly at the simulated value docs/data_log.md records (published figure in
    # the comment), so a shifted stage, date or month fails; a change to the generator updates both together.
    assert sum(snap.values()) == 46
    assert snap["assessing"] == 9  # published 6
    assert snap["with_legal"] == 6  # published 5
    assert snap["filed_with_court"] == 7  # published 8
    assert snap["carers_unwilling"] == 18  # published 17
    # The same table's plan-for-SGO counts at the end of February, August and September 2020 are 45, 51 and 48;
    # the simulation gives 44, 54 and 50.
    for day, simulated in [(date(2020, 2, 29), 44), (date(2020, 8, 31), 54), (date(2020, 9, 30), 50)]:
        assert snapshot(status_on(tracker, day))["children"].sum() == simulated, day


def test_sgos_granted_match_the_published_counts(synthetic: Path) -> None:
    exits = sgo.sgo_exits(periods_of_care(load_inputs(synthetic).episodes))
    # Both are targets of the generator. [HC-SCRUTINY-2020-12], reduction update: 21 SGOs granted November 2019 to
    # October 2020. [HSCP-2021-22] (Herefordshire Safeguarding Children Partnership, Annual report 2021/22), Leaving
    # Care: 10 children made subject to special guardianship orders in 2021/22.
    assert exits.filter(pl.col("end").is_between(date(2019, 11, 1), date(2020, 10, 31))).height == 21
    assert exits.filter(pl.col("end").is_between(date(2021, 4, 1), date(2022, 3, 31))).height == 10


def test_section_metrics_are_defined_and_cover_the_issue(synthetic: Path) -> None:
    metrics = sgo_section.section_metrics(load_inputs(synthetic), "2024-03")
    # Every SGO metric. The support-plan share is written because neither count is small: all 8 SGOs the tracker
    # records in the 12 months to March 2024 have a support plan (8 yes, 0 no), so 100%.
    assert set(metrics["metric"]) == {m for m in METRICS if m.startswith("sgo_")}
    share = metrics.filter(pl.col("metric") == "sgo_support_plan_share")
    assert share.select("period", "value").rows() == [("2024-03", 100.0)]
    granted = metrics.filter(pl.col("metric") == "sgo_granted")
    assert set(granted["breakdown"]) == set(sgo.BREAKDOWNS)
    assert granted["period"].str.contains(r"^\d{4}-\d{2}$").all()
    pipeline = metrics.filter((pl.col("metric") == "sgo_pipeline_count") & (pl.col("period") == "2024-03-31"))
    assert set(pipeline["breakdown"]) >= {"all", "assessing", "carers_unwilling", "with_legal", "filed_with_court"}
    parts = pipeline.filter(pl.col("breakdown") != "all")["value"].sum()
    assert parts == pipeline.filter(pl.col("breakdown") == "all")["value"].item()


@pytest.mark.parametrize("with_tracker", [False, True])
def test_both_sections_work_on_a_tiny_folder(tmp_path: Path, with_tracker: bool) -> None:
    from analysis.sections import discharges_figures, discharges_section, pipeline_section, sgo_figures

    folder = write_folder(tmp_path / "in")
    if with_tracker:
        plan = [
            {
                "child_id": "TST001",
                "route": SGO,
                "identified_date": "2023-06-01",
                "planned_application_month": "2024-05",
            }
        ]
        write_csv(folder / "permanence.csv", plan, PERMANENCE_COLUMNS)
    inputs = load_inputs(folder)
    dis = discharges_section.prepare(inputs, "2024-03")
    s = sgo_section.prepare(inputs, "2024-03")
    figures = [
        discharges_figures.routes_figure(dis), discharges_figures.monthly_figure(dis),
        discharges_figures.reentry_figure(dis), discharges_figures.home_figure(dis),
        discharges_figures.home_groups_figure(dis), sgo_figures.sgo_figure(s), sgo_figures.carers_figure(s),
    ]  # fmt: skip
    tables = [discharges_figures.reentry_routes_table(dis), discharges_figures.interim_table(dis)]
    if with_tracker:
        for p in (dis.pipeline, s.pipeline):
            figures += [
                pipeline_section.pipeline_figure(p, "t"), pipeline_section.history_figure(p, "t"),
                pipeline_section.applications_figure(p, "t"),
            ]  # fmt: skip
            tables.append(pipeline_section.ageing_table(p))
        figures += [
            sgo_figures.funnel_figure(s),
            sgo_figures.plan_to_order_figure(s),
            sgo_figures.side_by_side_figure(s),
        ]
        tables += [discharges_figures.reconciliation_table(dis), sgo_figures.lost_table(s)]
        tables += [sgo_figures.reconciliation_table(s), sgo_figures.support_table(s)]
    assert all(len(f.alt) > 20 for f in figures) and all(t["frame"].height for t in tables)
    for sentences in (discharges_section.headlines(dis), sgo_section.headlines(s)):
        assert 2 <= len(sentences) <= 5 and all(x.endswith(".") for x in sentences)
    metrics = pl.concat(
        [discharges_section.section_metrics(inputs, "2024-03"), sgo_section.section_metrics(inputs, "2024-03")]
    )
    from_903 = {
        "care_order_discharges", "care_order_discharges_12m", "placed_with_parents_care_order", "sgo_granted",
        "interim_care_order_ended",
    }  # fmt: skip
    from_tracker = {
        "discharge_pipeline_count", "discharge_pipeline_stuck", "tracker_903_reconciliation", "sgo_orders_tracker",
        "sgo_pipeline_count", "sgo_pipeline_stuck", "sgo_applications_planned", "sgo_applications_sent",
    }  # fmt: skip
    # The tiny folder has one discharge (TST002 home by E4A in January 2024) and no complete re-entry cohort.
    assert set(metrics["metric"]) == (from_903 | from_tracker if with_tracker else from_903)
    discharged = metrics.filter((pl.col("metric") == "care_order_discharges") & (pl.col("value") > 0))
    assert discharged.select("breakdown", "period", "value").rows() == [
        ("all", "2024-01", 1.0),
        ("reunification", "2024-01", 1.0),
    ]
