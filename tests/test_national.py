"""National scale: the multi-authority generator, and multi-authority metrics equal to the single-authority ones.

The "done when" of issue 9: on a small multi-authority data set, the functions of `analysis.metrics.cla`
and `analysis.metrics.care_periods` grouped by authority (`by=BY`) give what they give ungrouped (the
default) on each authority's episodes alone. No timings here: those are in `benchmarks/`.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from factories import episode, episodes_frame
from polars.testing import assert_frame_equal

from analysis import cli
from analysis.checks import rules
from analysis.checks.validation import _Runner
from analysis.core import grouping
from analysis.core.periods import month_ends
from analysis.load import ssda903
from analysis.load.inputs import load_inputs
from analysis.load.readers import read_raw
from analysis.metrics import care_periods, cla, national
from analysis.metrics.national import BY
from analysis.synth.national import generate_national

AUTHORITIES, YEARS, LAST_YEAR = 3, 2, 2024
END, START = date(LAST_YEAR, 3, 31), date(LAST_YEAR - YEARS, 4, 1)
MONTHS = 12 * YEARS


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 authorities × 2 collection years of national synthetic data."""
    folder = tmp_path_factory.mktemp("national")
    generate_national(folder, authorities=AUTHORITIES, years=YEARS, seed=7)
    return folder


@pytest.fixture(scope="module")
def loaded(small: Path) -> national.National:
    return national.load_national(small)


# --- The generator ----------------------------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(small: Path, tmp_path: Path) -> None:
    again = generate_national(tmp_path / "again", authorities=AUTHORITIES, years=YEARS, seed=7)
    other = generate_national(tmp_path / "other", authorities=AUTHORITIES, years=YEARS, seed=8)
    assert sorted(again) == ["README.txt", "context/authorities.csv", "context/population.csv",
                             "ssda903/episodes.csv", "ssda903/header.csv"]  # fmt: skip
    for name, path in again.items():
        assert path.read_bytes() == (small / name).read_bytes(), name
    assert other["ssda903/episodes.csv"].read_bytes() != again["ssda903/episodes.csv"].read_bytes()


def test_one_la_code_per_authority_in_every_file(small: Path) -> None:
    header = pl.read_csv(small / "ssda903" / "header.csv", infer_schema=False)
    episodes = pl.read_csv(small / "ssda903" / "episodes.csv", infer_schema=False)
    population = pl.read_csv(small / "context" / "population.csv", infer_schema=False)
    codes = [f"E99{i:06d}" for i in range(1, AUTHORITIES + 1)]
    assert episodes.columns == ["LA", *ssda903.EPISODE_COLUMNS]
    assert header.columns == ["LA", *ssda903.HEADER_COLUMNS]
    assert sorted(episodes["LA"].unique()) == sorted(header["LA"].unique()) == codes
    # Each child belongs to one authority, and every child in the episodes is in the header once.
    assert episodes.group_by("CHILD").agg(pl.col("LA").n_unique())["LA"].max() == 1
    assert header["CHILD"].is_unique().all()
    assert set(episodes["CHILD"]) == set(header["CHILD"])
    # Population: one row per authority and mid-year, covering every 31 March's mid-year before it.
    assert population.columns == ["la_code", "mid_year", "population_0_17", "source"]
    assert population.select("la_code", "mid_year").is_unique().all()
    assert (
        population.group_by("la_code").agg(pl.col("mid_year").sort())["mid_year"].to_list()
        == [[str(y) for y in range(LAST_YEAR - YEARS - 1, LAST_YEAR)]] * AUTHORITIES
    )
    # Each authority has a plausible number of children in care at the last 31 March (rate 20 to 200 per 10,000).
    data = national.load_national(small)
    table = national.national_metrics(data.episodes, data.population, LAST_YEAR, YEARS).table
    assert table.filter(pl.col("date") == END)["rate_per_10k"].is_between(20, 200).all()


def test_the_files_pass_the_903_suites_and_rules_without_a_single_finding(small: Path) -> None:
    runner = _Runner()
    tables = {}
    for table in ("header", "episodes"):
        path = small / "ssda903" / f"{table}.csv"
        raw = read_raw(path, [])  # as validate_inputs reads it
        findings, checks = runner.run(f"ssda903_{table}", raw, str(path))
        assert checks >= 9
        # The one finding allowed: the LA column itself, where a suite warns about columns beyond the contract's.
        la_column = [f for f in findings if f.severity == "warning" and f.examples == ["extra: LA"]]
        assert [(f.rule, f.title, f.failed, f.examples) for f in findings if f not in la_column] == []
        tables[table] = raw.with_columns(pl.lit(str(path)).alias(ssda903.FILE), pl.lit(0).alias(ssda903.YEAR))
    # Rules across rows: continuity with X1 (433/388), no overlaps (501), nobody over 18 (352), DOB (302), …
    for rule in rules.RULES:
        assert rule(tables) == [], rule.__module__


def test_dates_codes_and_periods_are_as_the_903_requires(small: Path) -> None:
    raw = pl.read_csv(small / "ssda903" / "episodes.csv", infer_schema=False)
    dmy = r"^\d{2}/\d{2}/\d{4}$"
    assert raw["DECOM"].str.contains(dmy).all()
    assert raw["DEC"].drop_nulls().str.contains(dmy).all()
    episodes = raw.with_columns(pl.col("DECOM", "DEC").str.to_date("%d/%m/%Y")).sort("CHILD", "DECOM")
    nxt = pl.col("DECOM").shift(-1).over("CHILD")
    checked = episodes.with_columns(nxt.alias("next"))
    assert checked.filter(pl.col("DEC") < pl.col("DECOM")).height == 0  # DEC ≥ DECOM
    assert checked.filter(pl.col("next") < pl.col("DEC")).height == 0  # no overlaps
    assert checked.filter(pl.col("DEC").is_null() & pl.col("next").is_not_null()).height == 0  # open = last
    assert (checked["DEC"].is_null() == checked["REC"].is_null()).all()
    # Joined with X1 exactly when the next episode starts the day this one ceased.
    joined = checked.filter(pl.col("DEC").is_not_null())
    assert ((joined["next"] == joined["DEC"]).fill_null(False) == (joined["REC"] == "X1")).all()
    # Every date lies in the collection years (an episode may have started before them).
    assert checked["DEC"].min() >= START and checked["DEC"].max() <= END and checked["DECOM"].max() <= END
    # Short breaks (V3) are there, and so is every route out of care ("unknown" only comes from faulty X1s).
    assert "V3" in set(episodes["LS"])
    routes = care_periods.periods_of_care(national.load_national(small).episodes, by=BY)["route"]
    assert set(routes.drop_nulls()) == set(care_periods.ROUTES) - {"unknown"}


def test_generate_national_rejects_nonsense_sizes(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate_national(tmp_path, authorities=0, years=1)


# --- Multi-authority = single-authority, for each authority -----------------------------------------------------


def _per_authority(frame: pl.DataFrame, la: str) -> pl.DataFrame:
    return frame.filter(pl.col("LA") == la).drop("LA")


def _assert_multi_equals_single(episodes: pl.DataFrame, population: pl.DataFrame | None, dates: pl.Series) -> None:
    """Every grouped function, filtered to one authority, equals the single-authority function on its episodes."""
    multi = {
        "looked_after_on": cla.looked_after_on(episodes, dates, by=BY),
        "cla_counts": cla.cla_counts(episodes, dates, by=BY),
        "periods": care_periods.periods_of_care(episodes, by=BY),
    }
    multi["flows"] = care_periods.monthly_flows(multi["periods"], END, MONTHS, START, by=BY)
    multi["routes"] = care_periods.ceased_by_route(multi["periods"], START, END, by=BY)
    if population is not None:
        multi["population_on"] = cla.population_on(population, dates, by=BY)
        multi["rate"] = cla.rate_per_10k(multi["cla_counts"], population, by=BY)
    authorities = sorted(episodes["LA"].unique())
    assert sorted(multi["cla_counts"]["LA"].unique()) == authorities  # every authority, none invented
    for la in authorities:
        own = _per_authority(episodes, la)
        periods = care_periods.periods_of_care(own)
        single = {
            "looked_after_on": cla.looked_after_on(own, dates),
            "cla_counts": cla.cla_counts(own, dates),
            "periods": periods,
            "flows": care_periods.monthly_flows(periods, END, MONTHS, START),
            "routes": care_periods.ceased_by_route(periods, START, END),
        }
        if population is not None:
            own_population = _per_authority(population, la)
            single["population_on"] = cla.population_on(own_population, dates)
            single["rate"] = cla.rate_per_10k(single["cla_counts"], own_population)
        for name, expected in single.items():
            try:
                assert_frame_equal(_per_authority(multi[name], la), expected, check_dtypes=True)
            except AssertionError as exc:
                raise AssertionError(f"{name}, authority {la}: {exc}") from exc


def test_multi_authority_results_equal_single_authority_results_on_the_generated_data(
    loaded: national.National,
) -> None:
    dates = month_ends(END, MONTHS)
    assert loaded.episodes["LA"].n_unique() == AUTHORITIES
    _assert_multi_equals_single(loaded.episodes, loaded.population, dates)


def _handmade() -> pl.DataFrame:
    """Two authorities that use the same CHILD identifiers for different children, with the awkward cases."""
    a = [
        episode("C1", "01/01/2022", "01/06/2022", rec="X1"),  # joined with X1: one period
        episode("C1", "01/06/2022", "15/03/2023", rne="P", rec="E4A"),
        episode("C1", "01/09/2023"),  # comes back: a second period, open
        episode("C2", "10/10/2022", ls="V3", dec="13/10/2022", rec="E4A"),  # short break only: no period
        episode("C3", "01/05/2022", "31/03/2023", rec="E17"),  # ceases on 31 March: not counted that day
        episode("C4", "01/02/2023", "01/03/2023", rec="X1"),  # X1 but the next starts later: two periods, the
        # first ending at the gap by route "unknown" (rule 433/388)
        episode("C4", "05/03/2023"),
    ]
    b = [
        episode("C1", "01/04/2022", "20/12/2022", rec="E46"),  # the same CHILD as in A: another child
        episode("C2", "15/07/2022"),
        episode("C2", "01/01/2023", "31/01/2024", rec="E11"),  # overlaps the open one (a validation warning)
        episode("C3", "31/03/2023"),  # starts on 31 March: counted that day
    ]
    return pl.concat(
        [
            episodes_frame(a).with_columns(pl.lit("A").alias("LA")),
            episodes_frame(b).with_columns(pl.lit("B").alias("LA")),
        ]
    ).select("LA", *ssda903.EPISODE_COLUMNS)


HANDMADE_POPULATION = pl.DataFrame(
    {"LA": ["A", "A", "B"], "mid_year": [2021, 2022, 2022], "population_0_17": [1000.0, 1100.0, 2000.0]}
)


def test_multi_authority_results_equal_single_authority_results_when_child_ids_repeat_across_authorities() -> None:
    episodes = _handmade()
    dates = month_ends(END, MONTHS)
    _assert_multi_equals_single(episodes, HANDMADE_POPULATION, dates)
    # The data can tell the grouping apart: ungrouped, the repeated identifiers would merge children.
    grouped = cla.cla_counts(episodes, pl.Series([date(2022, 11, 30)]), by=BY)["cla_count"].sum()
    ungrouped = cla.cla_counts(episodes, pl.Series([date(2022, 11, 30)]), by=())["cla_count"].sum()
    assert (grouped, ungrouped) == (4, 3)
    assert care_periods.periods_of_care(episodes, by=BY).height == 9  # A: C1 twice, C3, C4 twice; B: C1, C2 twice, C3


def test_known_answers_on_the_handmade_authorities() -> None:
    episodes = _handmade()
    march = national.march_dates(2023, 1)
    counts = cla.rate_per_10k(cla.cla_counts(episodes, march, by=BY), HANDMADE_POPULATION, by=BY)
    assert counts.select("LA", "cla_count", "population_0_17", "rate_per_10k").rows() == [
        ("A", 1, 1100.0, 1 / 1100 * 10_000),  # C4 only (C1 left on 15/03, C3 ceased on 31/03)
        ("B", 2, 2000.0, 10.0),  # C2 (once, though two episodes are open) and C3
    ]
    result = national.national_metrics(episodes, HANDMADE_POPULATION, 2023, 1)
    # Starts in 2022/23: A's C3 and both of C4's periods (an X1 not followed the same day ends its period at the
    # gap, route unknown); B's C1, both of C2's (after an open episode) and C3. Ceases: A's C1, C3 and C4's first.
    assert result.table.select("LA", "starts", "ceases").rows() == [("A", 3, 3), ("B", 4, 1)]
    ceased = result.routes.filter(pl.col("ceased") > 0).select("LA", "route", "ceased").rows()
    assert ceased == [
        ("A", "returned_home", 1),
        ("A", "turned_18_or_independent", 1),
        ("A", "unknown", 1),
        ("B", "special_guardianship_order", 1),
    ]


def test_grouped_functions_with_no_grouping_are_the_single_authority_functions(synthetic: Path) -> None:
    """On the Herefordshire synthetic data, grouping by a column with one value gives exactly the ungrouped figures.

    Ungrouped (`by=()`, the default) is how the single-authority pack calls these functions; grouped is how
    `national_metrics` calls them: one implementation, and the grouping changes no figure (dtypes included).
    """
    inputs = load_inputs(synthetic)
    episodes, population = inputs.episodes, inputs.population
    one_la = pl.lit("E06000019").alias("LA")
    grouped_episodes, grouped_population = episodes.with_columns(one_la), population.with_columns(one_la)
    end = date(2024, 3, 31)
    dates = cla.review_window(episodes, end, 60)
    start = ssda903.coverage_start(episodes)
    periods = care_periods.periods_of_care(episodes)
    grouped_periods = care_periods.periods_of_care(grouped_episodes, by=BY)
    counts = cla.cla_counts(episodes, dates)
    grouped_counts = cla.cla_counts(grouped_episodes, dates, by=BY)
    pairs = [
        (cla.looked_after_on(grouped_episodes, dates, by=BY), cla.looked_after_on(episodes, dates)),
        (grouped_counts, counts),
        (cla.population_on(grouped_population, dates, by=BY), cla.population_on(population, dates)),
        (cla.rate_per_10k(grouped_counts, grouped_population, by=BY), cla.rate_per_10k(counts, population)),
        (grouped_periods, periods),
        (
            care_periods.monthly_flows(grouped_periods, end, 60, start, by=BY),
            care_periods.monthly_flows(periods, end, 60, start),
        ),
        (
            care_periods.ceased_by_route(grouped_periods, date(2023, 4, 1), end, by=BY),
            care_periods.ceased_by_route(periods, date(2023, 4, 1), end),
        ),
    ]
    for multi, single in pairs:
        assert_frame_equal(multi.drop("LA"), single)


def test_periods_do_not_depend_on_the_order_of_the_rows(loaded: national.National) -> None:
    episodes = loaded.episodes
    assert grouping.is_sorted(episodes, ["LA", "CHILD", "DECOM"])  # as written: the fast path
    shuffled = episodes.sample(fraction=1.0, shuffle=True, seed=1)
    assert not grouping.is_sorted(shuffled, ["LA", "CHILD", "DECOM"])
    assert_frame_equal(care_periods.periods_of_care(shuffled, by=BY), care_periods.periods_of_care(episodes, by=BY))
    assert_frame_equal(
        national.national_metrics(shuffled, loaded.population, LAST_YEAR, YEARS).table,
        national.national_metrics(episodes, loaded.population, LAST_YEAR, YEARS).table,
    )


def test_is_sorted_compares_whole_keys() -> None:
    frame = pl.DataFrame({"a": ["x", "x", "y", "y"], "b": [2, 3, 1, 1]})
    assert grouping.is_sorted(frame, ["a", "b"])
    assert not grouping.is_sorted(frame, ["b"])
    assert not grouping.is_sorted(frame.reverse(), ["a", "b"])
    assert not grouping.is_sorted(pl.DataFrame({"a": [None, "x"], "b": [1, 2]}), ["a", "b"])


def test_national_metrics_agree_with_the_pandas_baseline(small: Path, loaded: national.National) -> None:
    """The benchmark's pandas implementation computes the same figures (so the timing compares like with like)."""
    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    try:
        import pandas_baseline
    finally:
        sys.path.pop(0)
    episodes, population = pandas_baseline.load(small)
    table, routes = pandas_baseline.metrics(episodes, population, LAST_YEAR, YEARS)
    expected = national.national_metrics(loaded.episodes, loaded.population, LAST_YEAR, YEARS)
    assert_frame_equal(pandas_baseline.to_polars(table), expected.table, check_dtypes=False)
    assert_frame_equal(pandas_baseline.to_polars(routes), expected.routes, check_dtypes=False)


# --- Loading ----------------------------------------------------------------------------------------------------


def test_loader_keeps_one_row_per_episode_preferring_the_closed_version(tmp_path: Path) -> None:
    rows = [
        episode("C1", "01/01/2023"),  # as in the 2023 return: open at 31 March
        episode("C1", "01/01/2023", "01/06/2023", rec="E4A"),  # as in the 2024 return: closed
        episode("C2", "01/02/2023", "01/03/2023", rec="E44"),  # legacy SGO code, kept: relationship not recorded
    ]
    folder = tmp_path / "stacked"
    (folder / "ssda903").mkdir(parents=True)
    frame = pl.DataFrame(rows, schema={c: pl.String for c in ssda903.EPISODE_COLUMNS})
    frame.with_columns(pl.lit("A").alias("LA")).write_csv(folder / "ssda903" / "episodes.csv")
    loaded = national.load_national(folder)
    assert loaded.population is None
    assert loaded.episodes.select("LA", "CHILD", "DEC", "REC").rows() == [
        ("A", "C1", date(2023, 6, 1), "E4A"),
        ("A", "C2", date(2023, 3, 1), "E44"),
    ]


def test_collection_years_come_from_the_data(loaded: national.National) -> None:
    assert national.collection_years(loaded.episodes) == (LAST_YEAR, YEARS)


def test_national_command_writes_both_tables(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "metrics.csv"
    assert national.main(["--data", str(small), "--out", str(out)]) == 0
    table, routes = pl.read_csv(out), pl.read_csv(tmp_path / "metrics_routes.csv")
    assert table.height == AUTHORITIES * YEARS
    assert routes.height == AUTHORITIES * YEARS * len(care_periods.ROUTES)
    assert national.main(["--data", str(tmp_path / "missing"), "--out", str(out)]) == 1


# --- The command line -------------------------------------------------------------------------------------------


def test_synth_with_authorities_and_years_writes_national_data(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["synth", "--authorities", "2", "--years", "1", "--out", str(tmp_path), "--seed", "7"]) == 0
    assert "2 authorities, 1 years" in capsys.readouterr().out
    episodes = pl.read_csv(tmp_path / "ssda903" / "episodes.csv", infer_schema=False)
    assert episodes["LA"].n_unique() == 2
    assert cli.main(["synth", "--authorities", "0", "--out", str(tmp_path)]) == 2


def test_synth_without_the_new_options_is_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr("analysis.synth.generate", lambda out, seed: calls.append((out, seed)) or {})
    monkeypatch.setattr("analysis.synth.national.generate_national", lambda *a, **k: pytest.fail("national called"))
    assert cli.main(["synth"]) == 0
    assert cli.main(["synth", "--out", "elsewhere", "--seed", "5"]) == 0
    from analysis.core import paths

    assert calls == [(paths.SYNTHETIC_DATA, 884), (Path("elsewhere"), 5)]


def test_national_default_folder_is_data_national(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(
        "analysis.synth.national.generate_national", lambda out, **kwargs: calls.append((out, kwargs)) or {}
    )
    assert cli.main(["synth", "--years", "3"]) == 0
    from analysis.core import paths

    assert calls == [(paths.ROOT / "data" / "national", {"authorities": 153, "years": 3, "seed": 903})]


def test_typing_codes_and_authorities_as_enums_changes_no_figure(small: Path, loaded: national.National) -> None:
    assert loaded.episodes.schema["LS"] == pl.Enum(list(national.CODE_ENUMS["LS"]))
    assert isinstance(loaded.episodes.schema["LA"], pl.Enum)
    text = national.load_national(small, enums=False)
    assert text.episodes.schema["LA"] == pl.String
    for mine, theirs in zip(
        national.national_metrics(loaded.episodes, loaded.population, LAST_YEAR, YEARS).__dict__.values(),
        national.national_metrics(text.episodes, text.population, LAST_YEAR, YEARS).__dict__.values(),
        strict=True,
    ):
        assert_frame_equal(mine, theirs)


def test_an_unknown_code_stays_text(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    (folder / "ssda903").mkdir(parents=True)
    rows = [episode("C1", "01/01/2023", ls="XX"), episode("C2", "01/01/2023")]
    frame = pl.DataFrame(rows, schema={c: pl.String for c in ssda903.EPISODE_COLUMNS})
    frame.with_columns(pl.lit("A").alias("LA")).write_csv(folder / "ssda903" / "episodes.csv")
    loaded = national.load_national(folder)
    assert loaded.episodes.schema["LS"] == pl.String and isinstance(loaded.episodes.schema["PLACE"], pl.Enum)
    assert cla.cla_counts(loaded.episodes, pl.Series([date(2023, 3, 31)]), by=BY)["cla_count"].to_list() == [2]
