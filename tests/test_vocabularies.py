"""One source per vocabulary: the suites, the metric functions, the generator and the docs take every code
list and bound from `analysis.core.codes` (the DfE's 903 lists) or `analysis.core.vocabularies` (the data
contract's own).

tests/test_expectations.py checks the stored JSON against `suites.py` and against the DfE's lists typed apart
(tests/fixtures/dfe_codes.json); these tests check that `suites.py` and the metric modules hold no list of
their own.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
from pathlib import Path

import pytest

from analysis.checks import suites
from analysis.core import codes, paths, vocabularies
from analysis.metrics import comparators, permanence, reconciliation, sgo, workforce
from analysis.sections import workforce_section as wfs
from analysis.synth import model as synth_model
from analysis.synth import national as synth_national
from analysis.synth import workforce as synth_workforce

SOURCES = {"codes": codes, "vocabularies": vocabularies}


def _in_set_expectations(suite: str) -> dict[str, list[str]]:
    stored = json.loads((paths.EXPECTATIONS / f"{suite}.json").read_text(encoding="utf-8"))
    return {
        e["kwargs"]["column"]: e["kwargs"]["value_set"]
        for e in stored["expectations"]
        if e["type"] == "expect_column_values_to_be_in_set"
    }


def test_every_value_set_in_the_suites_is_a_vocabulary() -> None:
    checked = {
        (suite, column): values for suite in suites.SUITES for column, values in _in_set_expectations(suite).items()
    }
    assert set(checked) == set(suites.CODE_LISTS), "every code list in CODE_LISTS is checked, and only those"
    for key, values in checked.items():
        assert values == sorted(suites.CODE_LISTS[key]), key


@pytest.mark.parametrize("key", sorted(suites.CODE_LISTS), ids=lambda key: ".".join(key))
def test_each_code_list_is_taken_from_the_vocabulary_modules(key: tuple[str, str]) -> None:
    # By identity: a list typed into suites.py, even with the same values, fails here.
    values = suites.CODE_LISTS[key]
    owners = [
        f"{name}.{attribute}"
        for name, module in SOURCES.items()
        for attribute, value in vars(module).items()
        if value is values and not attribute.startswith("_")
    ]
    assert owners, f"{key}: the list is not an object of analysis.core.codes or analysis.core.vocabularies"


# --- No literal code list or bound in suites.py ----------------------------------------------------------------

BOUND_KEYWORDS = {"value_set", "min_value", "max_value"}


def literal_vocabularies(source: str) -> list[str]:
    """Where `source` (the text of suites.py) types a list or bound itself: a list, tuple, set or number given
    as `value_set`, `min_value` or `max_value`, or as an argument of `_in_set`, or a value of `CODE_LISTS`
    that is not an attribute of `codes` or `vocabularies`."""
    found = []
    literal = (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp, ast.SetComp)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg in BOUND_KEYWORDS and isinstance(keyword.value, (*literal, ast.Constant)):
                    found.append(f"line {node.lineno}: {keyword.arg}={ast.unparse(keyword.value)}")
            if isinstance(node.func, ast.Name) and node.func.id == "_in_set":
                found += [f"line {node.lineno}: _in_set({ast.unparse(a)})" for a in node.args if isinstance(a, literal)]
        targets = (
            [node.target] if isinstance(node, ast.AnnAssign) else node.targets if isinstance(node, ast.Assign) else []
        )
        if any(isinstance(t, ast.Name) and t.id == "CODE_LISTS" for t in targets):
            assert isinstance(node.value, ast.Dict), "CODE_LISTS is a dict written out in suites.py"
            for value in node.value.values:
                ok = (
                    isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) and value.value.id in SOURCES
                )
                if not ok:
                    found.append(f"line {value.lineno}: CODE_LISTS value {ast.unparse(value)}")
    return found


def test_suites_py_types_no_code_list_or_bound() -> None:
    assert literal_vocabularies(inspect.getsource(suites)) == []


@pytest.mark.parametrize(
    "snippet",
    [
        '_in_set("workforce", ["permanent", "agency"], "RP11", ERROR)',
        "gxe.ExpectColumnValuesToBeBetween(column='fte', min_value=0, max_value=vocabularies.FTE_MAX)",
        "gxe.ExpectColumnValuesToBeBetween(column='fte', min_value=vocabularies.FTE_MIN, max_value=1.5)",
        "gxe.ExpectColumnValuesToBeInSet(column='area', value_set=['england', 'region'])",
        'CODE_LISTS: dict = {("permanence", "route"): ("special_guardianship_order",)}',
        'CODE_LISTS = {("workforce", "role"): workforce.SOCIAL_WORK_ROLES}',
    ],
)
def test_the_scan_finds_a_typed_list_or_bound(snippet: str) -> None:
    # The scan above can fail: each of these is a list or bound typed outside the vocabulary modules.
    assert literal_vocabularies(snippet)


def test_the_bounds_in_the_stored_suites_are_the_vocabularys() -> None:
    def between(suite: str, column: str) -> dict:
        stored = json.loads((paths.EXPECTATIONS / f"{suite}.json").read_text(encoding="utf-8"))
        [e] = [
            e
            for e in stored["expectations"]
            if e["type"] == "expect_column_values_to_be_between" and e["kwargs"]["column"] == column
        ]
        return e["kwargs"]

    fte = between("workforce", "fte (number)")
    assert (fte["min_value"], fte["max_value"]) == (vocabularies.FTE_MIN, vocabularies.FTE_MAX)
    caseload = between("workforce", "caseload (number)")
    assert (caseload["min_value"], caseload["max_value"]) == (vocabularies.CASELOAD_MIN, vocabularies.CASELOAD_MAX)
    assert between("population", "population_0_17 (number)")["min_value"] == vocabularies.POPULATION_MIN


# --- The metric functions and the generator take the same objects ---------------------------------------------


def test_the_metric_modules_take_their_lists_from_the_vocabularies() -> None:
    assert workforce.SOCIAL_WORK_ROLES is vocabularies.WORKFORCE_ROLES
    assert workforce.CASE_HOLDING_ROLES is vocabularies.CASE_HOLDING_ROLES
    assert workforce.CONTRACTS is vocabularies.WORKFORCE_CONTRACTS
    assert workforce.IN_POST is vocabularies.IN_POST_CONTRACTS
    assert (workforce.MIN_FTE, workforce.MAX_FTE) == (vocabularies.FTE_MIN, vocabularies.FTE_MAX)
    assert permanence.ROUTES is vocabularies.PERMANENCE_ROUTES
    assert permanence.OUTCOMES is vocabularies.PERMANENCE_OUTCOMES
    assert sgo.SGO_CARER is codes.SGO_CARER
    assert sgo.SGO_RELATIONSHIP is codes.SGO_RELATIONSHIP
    assert [*vocabularies.SUPPORT_PLAN, "not_recorded"] == sgo.SUPPORT_ANSWERS
    assert list(vocabularies.COMPARATOR_AREAS) == comparators.AREAS
    assert synth_workforce.CASE_ROLES is vocabularies.CASE_HOLDING_ROLES
    assert list(codes.PLACE_PROVIDER) == synth_national.PROVIDERS
    assert set(synth_model.KINSHIP) == {c for c, g in codes.PLACE_GROUP.items() if g == "foster_kinship"}


def test_the_subsets_and_mappings_cover_their_vocabularies() -> None:
    v = vocabularies
    assert set(v.CASE_HOLDING_ROLES) < set(v.WORKFORCE_ROLES)
    assert v.TEAM_MANAGER in v.WORKFORCE_ROLES
    assert set(v.IN_POST_CONTRACTS) < set(v.FILLED_CONTRACTS) < set(v.WORKFORCE_CONTRACTS)
    assert set(v.WORKFORCE_CONTRACTS) - set(v.FILLED_CONTRACTS) == {v.VACANT}
    assert v.FTE_MIN < 1 < v.FTE_MAX
    assert set(v.CLOSED_WITHOUT_ORDER) == set(v.PERMANENCE_OUTCOMES) - {v.ORDER_MADE}
    # Every tracker route is set against a 903 route, and each route has its labels.
    assert set(reconciliation.TRACKER_ROUTE) == set(v.PERMANENCE_ROUTES)
    assert set(wfs.CONTRACT_LABELS) == set(v.WORKFORCE_CONTRACTS)
    assert set(comparators.area_labels(None)) == set(v.COMPARATOR_AREAS)
    assert set(sgo.SUPPORT_LABEL) == set(sgo.SUPPORT_ANSWERS)
    # The SGO groupings cover exactly the REC codes whose route is an SGO.
    sgo_recs = {rec for rec, route in codes.REC_ROUTE.items() if route == "special_guardianship_order"}
    assert set(codes.SGO_CARER) == set(codes.SGO_RELATIONSHIP) == sgo_recs
    assert codes.EPISODE_CODE_LISTS["REC"] is codes.REC_ACCEPTED


# --- The hand-written data contract (data/README.md) lists the same values -------------------------------------


def _readme_rows(column: str) -> list[list[str]]:
    """The codes each table row for `column` in data/README.md lists (two files can share a column name)."""
    text = (Path(paths.ROOT) / "data" / "README.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith(f"| {column} |")]
    return [re.findall(r"`([a-z_0-9]+)`", row.split("|")[3]) for row in rows]


@pytest.mark.parametrize(
    ("column", "vocabulary"),
    [
        ("role", vocabularies.WORKFORCE_ROLES),
        ("contract", vocabularies.WORKFORCE_CONTRACTS),
        ("contract", vocabularies.ALLOCATION_CONTRACTS),
        ("route", vocabularies.PERMANENCE_ROUTES),
        ("assessment_outcome", vocabularies.ASSESSMENT_OUTCOMES),
        ("carers_agree", vocabularies.CARERS_AGREE),
        ("outcome", vocabularies.PERMANENCE_OUTCOMES),
        ("support_plan", vocabularies.SUPPORT_PLAN),
    ],
)
def test_data_readme_lists_each_vocabulary(column: str, vocabulary: tuple[str, ...]) -> None:
    assert list(vocabulary) in _readme_rows(column)


def test_data_readme_states_the_bounds_and_areas() -> None:
    text = (Path(paths.ROOT) / "data" / "README.md").read_text(encoding="utf-8")
    assert f"| fte | number | {vocabularies.FTE_MIN} to {vocabularies.FTE_MAX};" in text
    areas = [f"`{a}`" for a in vocabularies.COMPARATOR_AREAS]
    assert f"`area` is {', '.join(areas[:-1])} or {areas[-1]}" in text


def test_the_upn_pattern_accepts_exactly_the_dfes_unknown_upn_codes() -> None:
    # UPN_PATTERN is a format, kept as a regex; its UN part must be the UPN_UNKNOWN list.
    pattern = re.compile(suites.UPN_PATTERN)
    accepted = {f"UN{i}" for i in range(10) if pattern.match(f"UN{i}")}
    assert accepted == set(codes.UPN_UNKNOWN)
