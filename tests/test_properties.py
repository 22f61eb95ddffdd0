"""Property-based tests (hypothesis): figures from generated 903 histories obey their invariants, and no
malformed input gives a traceback.

The histories have several children over several years, with X1 changes of episode, re-entries (the
same day and after a gap), X1 followed by a gap (rule 433), short breaks (LS V3/V4) and open episodes.
Examples are capped and no example database is kept (`database=None`), so the file runs in seconds and
leaves nothing in the repository.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis is a dev dependency: pip install -e '.[dev]'")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from analysis.core.codes import REC_ROUTE  # noqa: E402
from analysis.core.errors import InputError  # noqa: E402
from analysis.core.periods import month_ends  # noqa: E402
from analysis.load.ssda903 import EPISODE_COLUMNS  # noqa: E402
from analysis.metrics.care_periods import (  # noqa: E402
    ROUTES,
    annual_ceased,
    annual_started,
    ceased_by_route,
    monthly_ceased_by_route,
    monthly_flows,
    periods_of_care,
)
from analysis.metrics.cla import cla_counts  # noqa: E402

FIRST = date(2019, 4, 1)
END = date(2024, 3, 31)
MONTHS = 61  # 31 March 2019 (before any episode) to 31 March 2024
YEARS = [2020, 2021, 2022, 2023, 2024]
CEASE_CODES = sorted(REC_ROUTE)
SETTINGS = settings(
    max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)

#: One episode: (days it lasts, legal status, how it ends). How it ends: ("x1", 0) a change of episode the same
#: day; ("x1", gap) X1 then nothing for `gap` days (rule 433); (REC, gap) the period ends, the child returning
#: `gap` days later (0: the same day, a new period); ("blank", gap) a DEC with no REC (rule 148), read as X1 would be;
#: ("open", 0) the episode is still open (the history ends).
episode_step = st.tuples(
    st.integers(min_value=1, max_value=400),
    st.sampled_from(["C2", "C1", "V2", "E1", "L1", "J1", "V3", "V4"]),
    st.one_of(
        st.tuples(st.just("x1"), st.just(0)),
        st.tuples(st.just("x1"), st.integers(min_value=1, max_value=90)),
        st.tuples(st.sampled_from(CEASE_CODES), st.integers(min_value=0, max_value=400)),
        st.tuples(st.just("blank"), st.integers(min_value=0, max_value=90)),
        st.tuples(st.just("open"), st.just(0)),
    ),
)
history = st.tuples(st.integers(min_value=0, max_value=1700), st.lists(episode_step, min_size=1, max_size=8))


def _episodes(histories: list[tuple[int, list]]) -> pl.DataFrame:
    """The episodes frame the loader gives (typed dates), from generated histories (one per child)."""
    rows = []
    for n, (offset, steps) in enumerate(histories):
        day, previous = FIRST + timedelta(days=offset), None
        for length, ls, (how, gap) in steps:
            rne = "S" if previous in (None, "ceased") else "L"
            row = {c: None for c in EPISODE_COLUMNS} | {"CHILD": f"C{n:03d}", "DECOM": day, "RNE": rne, "LS": ls}
            row |= {"CIN": "N1", "PLACE": "U6", "PLACE_PROVIDER": "PR1"}
            rows.append(row)
            if how == "open":
                break
            row["DEC"] = day + timedelta(days=length)
            row["REC"] = {"x1": "X1", "blank": None}.get(how, how)
            day = row["DEC"] + timedelta(days=gap)
            previous = "ceased" if how not in ("x1", "blank") or gap else "x1"
    frame = pl.DataFrame(rows, schema={c: pl.Date if c in ("DECOM", "DEC") else pl.String for c in EPISODE_COLUMNS})
    return frame.with_columns(pl.lit(0).alias("_year"))


@SETTINGS
@given(st.lists(history, min_size=1, max_size=12))
def test_counts_and_flows_obey_their_invariants(histories: list) -> None:
    episodes = _episodes(histories)
    periods = periods_of_care(episodes)
    ends = month_ends(END, MONTHS)
    counts = cla_counts(episodes, ends)["cla_count"].to_list()
    flows = monthly_flows(periods, END, MONTHS - 1)
    assert flows["date"].to_list() == ends.to_list()[1:]
    starts, ceases = flows["starts"].to_list(), flows["ceases"].to_list()

    # never negative
    assert min(counts) >= 0 and min(starts) >= 0 and min(ceases) >= 0
    assert counts[0] == 0  # 31 March 2019: before any episode
    # the change in the count between two month ends is the starts minus the ceases in between
    for k in range(1, len(ends)):
        assert counts[k] - counts[k - 1] == starts[k - 1] - ceases[k - 1], f"month ending {ends[k]}"

    # route breakdowns sum to their totals
    routes = ceased_by_route(periods, FIRST, END)
    assert routes["route"].to_list() == ROUTES and min(routes["ceased"]) >= 0
    assert routes["ceased"].sum() == sum(ceases)
    monthly = monthly_ceased_by_route(periods, END, MONTHS - 1).group_by("date").agg(pl.col("ceased").sum())
    assert dict(monthly.iter_rows()) == dict(zip(flows["date"], flows["ceases"], strict=True))
    annual = annual_ceased(periods, YEARS)
    for year in YEARS:
        rows = annual.filter(pl.col("year_end") == date(year, 3, 31))
        total = rows.filter(pl.col("breakdown") == "all")["ceased"].item()
        assert total == rows.filter(pl.col("breakdown") != "all")["ceased"].sum() >= 0

    # the annual counts of children never exceed the counts of periods
    started = annual_started(periods, YEARS)
    for year in YEARS:
        in_year = flows.filter(pl.col("date").is_between(date(year - 1, 4, 30), date(year, 3, 31)))
        assert 0 <= started.filter(pl.col("year_end") == date(year, 3, 31))["started"].item() <= in_year["starts"].sum()
        ceased_children = annual.filter((pl.col("year_end") == date(year, 3, 31)) & (pl.col("breakdown") == "all"))
        assert ceased_children["ceased"].item() <= in_year["ceases"].sum()


# --- malformed rows: an InputError or findings, never a traceback ------------------------------------------

BASE = Path(__file__).parent / "bad_inputs" / "_base"
EPISODES = "ssda903/2024/episodes.csv"
cell = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["c2", " C2 ", "C 2", "X1", "E4", "e4a", "ZZ", "=1+1", "-1", "0", "NaN", "\ufeff", "\t"]),
    st.sampled_from(["31/02/2023", "2023-13-01", "01/04/23", "1/4/2023", "2023-04-01", "01/04/2023 10:00", "0"]),
)
damage = st.lists(
    st.tuples(st.integers(min_value=0, max_value=3), st.sampled_from(EPISODE_COLUMNS), cell), min_size=1, max_size=6
)


def _damaged(folder: Path, changes: list) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(BASE, folder)
    path = folder / EPISODES
    frame = pl.read_csv(path, infer_schema=False)
    for row, column, value in changes:
        frame = frame.with_columns(
            pl.when(pl.int_range(pl.len()) == row)
            .then(pl.lit(value, pl.String))
            .otherwise(pl.col(column))
            .alias(column)
        )
    frame.write_csv(path)
    return folder


@SETTINGS
@given(damage)
def test_malformed_rows_load_or_raise_an_input_error(tmp_path_factory: pytest.TempPathFactory, changes: list) -> None:
    from analysis.load.inputs import load_inputs

    folder = _damaged(tmp_path_factory.getbasetemp() / "damaged", changes)
    try:
        load_inputs(folder)
    except InputError as exc:
        assert str(exc).startswith("file ")


@settings(max_examples=4, deadline=None, database=None, derandomize=True)
@given(damage)
def test_malformed_rows_give_findings_and_valid_ones_give_figures(
    tmp_path_factory: pytest.TempPathFactory, changes: list
) -> None:
    """Through validation as the build runs it: errors stop it; when there are none, the figures compute."""
    from analysis.checks.validation import validate_inputs
    from analysis.load.inputs import load_inputs
    from analysis.sections.registry import all_metrics

    folder = _damaged(tmp_path_factory.getbasetemp() / "validated", changes)
    report = validate_inputs(folder)
    if report.errors:
        return
    assert all_metrics(load_inputs(folder), "2024-03").height > 0
