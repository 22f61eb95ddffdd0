"""The permanence tracker: stages, where a plan stands, the funnel, time at each stage (censored),
applications, and the reconciliation with the 903. Hand-made rows with known answers, then the
planted faults of the synthetic data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from analysis.load.inputs import PERMANENCE_COLUMNS, PERMANENCE_DATES
from analysis.metrics import reconciliation as rc
from analysis.metrics.permanence import funnel, lost_reasons, snapshot, stage_events, status_on
from analysis.metrics.permanence_ageing import ageing, km_quantile, plan_to_order_by_quarter
from analysis.metrics.permanence_applications import applications_by_month, orders, overdue

SGO = "special_guardianship_order"
REVIEW = date(2024, 3, 31)


def tracker(*rows: dict) -> pl.DataFrame:
    """Tracker rows typed as `load_permanence` returns them (dates as ISO text here)."""
    full = [{c: r.get(c) for c in PERMANENCE_COLUMNS} for r in rows]
    frame = pl.DataFrame(full, schema={c: pl.String for c in PERMANENCE_COLUMNS})
    frame = frame.with_columns(pl.col(c).str.to_date("%Y-%m-%d") for c in PERMANENCE_DATES)
    return frame.with_row_index("_row", offset=2).with_columns(pl.col("_row").cast(pl.Int64))


def row(child: str, *dates: str | None, route: str = SGO, **extra: str) -> dict:
    """identified, assessing, complete, legal, filed dates in order (None to skip); outcome etc. as keywords."""
    names = [
        "identified_date",
        "assessing_date",
        "assessment_complete_date",
        "sent_to_legal_date",
        "filed_with_court_date",
    ]
    r = {"child_id": child, "route": route, **dict(zip(names, dates, strict=False))}
    if r.get("assessment_complete_date"):
        r.setdefault("assessment_outcome", "positive")
        r.setdefault("carers_agree", "yes")
    return r | extra


# --- Stages and durations ---------------------------------------------------------------------------


def test_stage_durations_of_a_completed_plan() -> None:
    t = tracker(
        row("A", "2023-01-01", "2023-01-31", "2023-03-02", "2023-04-01", "2023-05-01", outcome="order_made",
            outcome_date="2023-07-01"),
    )  # fmt: skip
    events = stage_events(t, REVIEW)
    assert events["stage"].to_list() == [
        "identified",
        "assessing",
        "assessment_complete",
        "with_legal",
        "filed_with_court",
    ]
    assert events["days"].to_list() == [30, 30, 30, 30, 61]
    assert not events["open"].any()


def test_open_stage_is_censored_at_the_review_date() -> None:
    t = tracker(row("A", "2024-01-01", "2024-02-01"))
    events = stage_events(t, REVIEW)
    last = events.row(-1, named=True)
    assert (last["stage"], last["open"], last["days"], last["left"]) == ("assessing", True, 59, None)


def test_dates_after_the_day_looked_at_have_not_happened() -> None:
    t = tracker(row("A", "2023-01-01", "2023-06-01", "2023-09-01", outcome="withdrawn", outcome_date="2023-12-01"))
    st = status_on(t, date(2023, 7, 1)).row(0, named=True)
    assert (st["status"], st["stage"], st["position"], st["days_at_stage"]) == ("open", "assessing", "assessing", 30)
    assert status_on(t, date(2022, 12, 31)).height == 0  # not yet identified


def test_a_repeated_assessment_moves_the_child_back() -> None:
    # Assessment completed in March, a new assessment started in June: the tracker row now has an
    # assessing date after its assessment-complete date.
    t = tracker(row("A", "2023-01-01", "2023-06-01", "2023-03-01"))
    events = stage_events(t, date(2023, 7, 1))
    assert events["stage"].to_list() == ["identified", "assessment_complete", "assessing"]
    assert events["days"].to_list() == [59, 92, 30]
    assert events["backwards"].to_list() == [False, False, True]
    st = status_on(t, date(2023, 7, 1)).row(0, named=True)
    assert (st["position"], st["furthest"], st["backwards"]) == ("assessing", "carers_agree", True)
    # Before the repeat it stood at 'assessment complete'.
    assert status_on(t, date(2023, 4, 1))["position"].to_list() == ["assessment_complete"]


def test_a_withdrawn_application_is_lost_where_it_stopped_with_its_reason() -> None:
    t = tracker(
        row("A", "2022-01-01", "2022-02-01", "2022-04-01", "2022-05-01", "2022-06-01", outcome="withdrawn",
            outcome_date="2022-09-15", blocker="Parent opposes application"),
    )  # fmt: skip
    st = status_on(t, REVIEW)
    assert st.select("status", "furthest", "position").row(0) == ("withdrawn", "filed_with_court", None)
    f = funnel(st)
    assert f.filter(pl.col("step") == "filed_with_court")["lost_here"].item() == 1
    assert f.filter(pl.col("step") == "order_made")["reached"].item() == 0
    assert lost_reasons(st).rows() == [("filed_with_court", "A parent opposes the application", 1)]
    assert stage_events(t, REVIEW).row(-1, named=True)["days"] == 106  # 1 June to the outcome, 15 September


def test_a_refused_application_without_a_blocker_gets_the_courts_reason() -> None:
    t = tracker(
        row("A", "2022-01-01", None, None, "2022-03-01", "2022-04-01", outcome="refused", outcome_date="2022-06-15")
    )
    assert lost_reasons(status_on(t, REVIEW))["reason"].to_list() == ["Court refused the application"]


def test_a_tracker_row_with_no_order_date() -> None:
    t = tracker(row("A", "2023-01-01", "2023-02-01", outcome="order_made"))
    st = status_on(t, REVIEW).row(0, named=True)
    assert (st["status"], st["date_missing"], st["furthest"]) == ("order_made", True, "order_made")
    events = stage_events(t, REVIEW)
    last = events.row(-1, named=True)
    assert (last["unknown_end"], last["days"], last["open"]) == (True, None, False)
    # Its last stage has no known length, so the ageing leaves it out rather than guess.
    table = ageing(events, REVIEW)
    assert table.filter(pl.col("stage") == "assessing").select("spells", "still_open").row(0) == (0, 0)
    assert table.filter(pl.col("stage") == "identified")["spells"].item() == 1
    # And it is not an open plan.
    assert snapshot(status_on(t, REVIEW))["children"].sum() == 0


# --- The funnel and the snapshot -----------------------------------------------------------------


def six_plans() -> pl.DataFrame:
    return tracker(
        row("A", "2022-01-01", "2022-02-01", "2022-04-01", "2022-05-01", "2022-06-01", outcome="order_made",
            outcome_date="2023-01-10"),
        row("B", "2022-03-01", "2022-04-01", "2022-06-01", "2022-09-01", "2023-01-01", blocker="Awaiting court date"),
        row("C", "2022-03-01", "2022-04-01", "2022-06-01", carers_agree="no", blocker="Carers unwilling to proceed"),
        row("D", "2022-05-01", "2022-06-01", "2022-08-01", assessment_outcome="negative", outcome="withdrawn",
            outcome_date="2022-09-01", blocker="Negative assessment – plan changed to long-term fostering"),
        row("E", "2024-02-01"),
        row("F", "2023-01-01", "2023-02-01", "2023-03-01", "2023-04-01", outcome="withdrawn", outcome_date="2023-05-01",
            blocker="Left care by another route"),
    )  # fmt: skip


def test_funnel_counts_known_answer() -> None:
    f = funnel(status_on(six_plans(), REVIEW))
    reached = dict(f.select("step", "reached").iter_rows())
    assert reached == {
        "identified": 6, "assessing": 5, "assessment_complete": 5, "assessment_positive": 4,
        "carers_agree": 3, "with_legal": 3, "filed_with_court": 2, "order_made": 1,
    }  # fmt: skip
    assert f.filter(pl.col("step") == "carers_agree")["conversion"].item() == pytest.approx(75.0)
    open_here = dict(f.select("step", "open_here").iter_rows())
    lost_here = dict(f.select("step", "lost_here").iter_rows())
    assert (open_here["identified"], open_here["assessment_positive"], open_here["filed_with_court"]) == (1, 1, 1)
    assert (lost_here["assessment_complete"], lost_here["with_legal"]) == (1, 1)
    # Every plan is somewhere: reached = next step's reached + still here + lost here.
    r = f["reached"].to_list()
    assert all(r[i] == r[i + 1] + f["open_here"][i] + f["lost_here"][i] for i in range(len(r) - 1))


def test_snapshot_counts_open_plans_where_they_stand_and_the_stuck() -> None:
    snap = snapshot(status_on(six_plans(), REVIEW), threshold=180)
    counts = dict(snap.select("position", "children").iter_rows())
    stuck = dict(snap.select("position", "stuck").iter_rows())
    assert counts == {
        "identified": 1, "assessing": 0, "assessment_negative": 0, "carers_unwilling": 1,
        "assessment_complete": 0, "with_legal": 0, "filed_with_court": 1,
    }  # fmt: skip
    assert stuck == {**{k: 0 for k in counts}, "carers_unwilling": 1, "filed_with_court": 1}
    # A threshold longer than anyone has waited finds nobody stuck.
    assert snapshot(status_on(six_plans(), REVIEW), threshold=5000)["stuck"].sum() == 0


# --- Time at each stage ----------------------------------------------------------------------------


def test_kaplan_meier_median_counts_open_spells_as_still_waiting() -> None:
    days = pl.Series([10, 20, 30, 40])
    finished = pl.Series([True, True, False, True])
    assert km_quantile(days, finished, 0.5) == 20
    assert km_quantile(days, finished, 0.9) == 40
    # Three of four still waiting after 100 days: fewer than half have moved on, so no median yet
    # (leaving them out would give 10 days).
    assert km_quantile(pl.Series([10, 100, 100, 100]), pl.Series([True, False, False, False]), 0.5) is None


def test_ageing_with_open_stages_censored() -> None:
    t = tracker(
        row("A", "2023-01-01", "2023-01-11"),  # assessing since 11 January 2023: open, 445 days
        row("B", "2023-06-01", "2023-06-21", "2023-08-01"),  # assessed in 41 days
        row("C", "2023-09-01", "2023-09-11", "2023-10-31"),  # assessed in 50 days
        row("D", "2024-03-01", "2024-03-02"),  # assessing 29 days, open
    )
    table = ageing(stage_events(t, REVIEW), REVIEW, threshold=180).filter(pl.col("stage") == "assessing")
    r = table.row(0, named=True)
    assert (r["spells"], r["finished"], r["still_open"]) == (4, 2, 2)
    # KM: 29 censored; at 41 one of three moves on (2/3 left); at 50 one of two (1/3 left); 445 censored.
    assert (r["median_days"], r["p90_days"]) == (50, None)
    assert (r["over_threshold"], r["longest_open_days"]) == (1, 445)
    # Spells reached before `since` are left out of the medians but still counted as stuck.
    later = ageing(stage_events(t, REVIEW), REVIEW, since=date(2023, 6, 1), threshold=180)
    assert later.filter(pl.col("stage") == "assessing").select("spells", "over_threshold").row(0) == (3, 1)


def test_plan_to_order_median_needs_five_orders() -> None:
    rows = [
        row(f"C{i}", "2023-01-01", outcome="order_made", outcome_date=f"2023-{m:02d}-15")
        for i, m in enumerate([1, 2, 3, 4, 5, 6, 7])
    ]
    q = plan_to_order_by_quarter(orders(tracker(*rows), REVIEW), date(2023, 9, 30), quarters=3)
    assert q["date"].to_list() == [date(2023, 3, 31), date(2023, 6, 30), date(2023, 9, 30)]
    assert q["orders"].to_list() == [3, 3, 1]
    assert q["median_days"].to_list() == [None, None, None]
    assert q["orders_12m"].to_list() == [3, 6, 7]
    # Days from plan: 14, 45, 73, 104, 134, 165, 195.
    assert q["median_days_12m"].to_list() == [None, pytest.approx(88.5), pytest.approx(104.0)]


# --- Applications ---------------------------------------------------------------------------------


def test_planned_against_actual_applications() -> None:
    t = tracker(
        row("A", "2023-01-01", "2023-02-01", "2023-03-01", "2024-01-10", planned_application_month="2024-01"),
        row("B", "2023-01-01", "2023-02-01", "2023-03-01", planned_application_month="2024-02"),  # overdue
        row("C", "2023-01-01", "2023-02-01", "2023-03-01", planned_application_month="2024-05"),
        row("D", "2023-01-01", "2023-02-01", "2023-03-01", "2024-03-05"),
    )
    frame = applications_by_month(t, REVIEW, months_back=3, months_ahead=2)
    assert frame["date"].to_list() == [date(2024, m, d) for m, d in [(1, 31), (2, 29), (3, 31), (4, 30), (5, 31)]]
    assert frame["planned"].to_list() == [1, 1, 0, 0, 1]
    assert frame["sent"].to_list() == [1, 0, 1, None, None]
    assert frame["planned_cumulative"].to_list() == [1, 2, 2, 2, 3]
    assert overdue(t, REVIEW)["child_id"].to_list() == ["B"]


# --- Reconciliation with the 903 --------------------------------------------------------------------


def exits(*rows: tuple[str, str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        {"CHILD": [r[0] for r in rows], "route": [r[1] for r in rows], "end": [r[2] for r in rows]}
    ).with_columns(pl.col("end").str.to_date())


def test_reconciliation_statuses_known_answers() -> None:
    t = tracker(
        row("OK", "2022-01-01", outcome="order_made", outcome_date="2023-05-20"),
        row("LATE", "2022-01-01", outcome="order_made", outcome_date="2023-06-30"),
        row("NODATE", "2022-01-01", outcome="order_made"),
        row("GHOST", "2022-01-01", outcome="order_made", outcome_date="2023-07-01"),
        row("SWAP", "2022-01-01", route="child_arrangements_order", outcome="order_made", outcome_date="2023-08-01"),
        row("HOME", "2022-01-01", route="discharge_to_parents", outcome="order_made", outcome_date="2023-09-01"),
        row("OPEN", "2022-01-01"),  # no order: not compared
    )
    x = exits(
        ("OK", SGO, "2023-05-01"),
        ("LATE", SGO, "2023-05-16"),  # 45 days before the tracker's date
        ("NODATE", SGO, "2023-04-01"),
        ("MISSING", SGO, "2023-03-01"),  # an order made without a tracker row
        ("SWAP", SGO, "2023-08-03"),
        ("HOME", "reunification", "2023-09-01"),
    )
    detail = rc.reconcile(rc.tracker_orders(t), x)
    status = dict(detail.select("child_id", "status").iter_rows())
    assert status == {
        "OK": "matched", "LATE": "date_differs", "NODATE": "order_date_missing", "MISSING": "no_tracker_row",
        "GHOST": "no_903_exit", "SWAP": "route_differs", "HOME": "matched",
    }  # fmt: skip
    assert detail.filter(pl.col("child_id") == "LATE")["days_apart"].item() == 45
    counts = rc.counts(detail)
    assert counts.height == len(rc.ROUTES) * len(rc.STATUSES)  # zero-filled
    assert counts.filter((pl.col("route") == SGO) & (pl.col("status") == "no_tracker_row"))["children"].item() == 1
    assert set(rc.analyst_list(detail)["child_id"]) == {"LATE", "NODATE", "MISSING", "GHOST", "SWAP"}


def test_a_child_discharged_twice_with_one_tracker_row() -> None:
    # One row per child per route: the tracker keeps the latest order, so the earlier discharge has no row.
    t = tracker(row("A", "2022-06-01", route="discharge_to_parents", outcome="order_made", outcome_date="2023-09-02"))
    detail = rc.reconcile(
        rc.tracker_orders(t), exits(("A", "reunification", "2021-03-01"), ("A", "reunification", "2023-09-01"))
    )
    assert sorted(detail.select("exit_date", "status").rows()) == [
        (date(2021, 3, 1), "no_tracker_row"),
        (date(2023, 9, 1), "matched"),
    ]
    # Compared only from the tracker's first order: the 2021 discharge is before tracking began.
    starts = rc.tracking_starts(t, date(2019, 4, 1))
    assert starts == {"reunification": date(2023, 9, 2)}
    assert rc.in_window(detail, starts, REVIEW)["status"].to_list() == ["matched"]


def test_analyst_file_is_marked_and_only_written_when_asked(tmp_path: Path) -> None:
    frame = pl.DataFrame({"child_id": ["A", "=HYPERLINK(1)"], "status": ["no_tracker_row", "-1"]})
    assert rc.write_analyst_csv(frame, "", "x.csv") is None
    path = rc.write_analyst_csv(frame, tmp_path / "analyst", "x.csv")
    assert path is not None
    lines = path.read_text().splitlines()
    assert lines[0] == "# OFFICIAL-SENSITIVE, analyst only"
    # A tracker id that a spreadsheet would run as a formula is written as text; a number is left alone.
    assert lines[3] == "'=HYPERLINK(1),-1"


def test_reconciliation_finds_exactly_the_planted_faults(tmp_path: Path) -> None:
    from analysis import synth
    from analysis.load.inputs import load_inputs
    from analysis.load.ssda903 import coverage_start
    from analysis.metrics import discharges
    from analysis.metrics.care_periods import periods_of_care

    faults = synth.planted_faults(tmp_path / "synth")
    inputs = load_inputs(tmp_path / "synth")
    assert inputs.permanence is not None
    x = rc.comparable_exits(discharges.order_exits(periods_of_care(inputs.episodes)))
    detail = rc.reconcile(rc.tracker_orders(inputs.permanence), x)
    window = rc.in_window(detail, rc.tracking_starts(inputs.permanence, coverage_start(inputs.episodes)), REVIEW)
    found = {(c, s) for c, s in window.filter(pl.col("status") != "matched").select("child_id", "status").iter_rows()}
    expected = {(c, "no_tracker_row") for c in faults["sgo_exit_without_row"]} | {
        (c, "date_differs") for c in faults["outcome_date_differs_from_dec"]
    }
    assert found == expected
    # The documented ids for seed 884 (docs/data_log.md).
    assert found == {("SYN001486", "no_tracker_row"), ("SYN000714", "no_tracker_row"), ("SYN001276", "date_differs")}
    assert window.filter(pl.col("child_id") == "SYN001276")["days_apart"].item() == 45
    assert window.filter(pl.col("status") == "matched").height > 100
