"""The Great Expectations suites, built from the code lists in `analysis.core.codes` and `analysis.core.vocabularies`.

The suites are stored as JSON in `expectations/` (that is what validation runs); this module
is how they are written (`review-pack suites`), and `tests/test_expectations.py` fails if
the stored JSON and this definition drift apart.

Each expectation carries, in `meta`: `rule` (the DfE 903 rule number where there is one,
otherwise an `RP` number of ours), `title` (plain English, for the data-quality page) and
`fix` (what the analyst should do). GX's own `severity` says whether a failure is an
**error** (`critical`: the figures cannot be trusted, nothing is built) or a **warning**.

Validation frames are the files as text, plus helper columns the suites refer to:
`<column> (unreadable)` holds the text of a date or number that could not be read (null
otherwise), `<column> (date)` the parsed date and `<column> (number)` the parsed number.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path

import great_expectations as gx
import great_expectations.expectations as gxe

from analysis.core import codes, vocabularies
from analysis.load.inputs import (
    ALLOCATION_COLUMNS,
    ALLOCATION_DATES,
    COMPARATOR_COLUMNS,
    INDICATOR_COLUMNS,
    PERMANENCE_COLUMNS,
    PERMANENCE_DATES,
    POPULATION_COLUMNS,
    WORKFORCE_COLUMNS,
)
from analysis.load.ssda903 import DATE_COLUMNS, EPISODE_COLUMNS, HEADER_COLUMNS, UASC_COLUMNS

ERROR, WARNING = "critical", "warning"

#: DfE UPN format: a check letter, 3-digit LA, 4-digit establishment, 2-digit year, 2 digits and a digit or
#: letter (temporary UPNs end in a letter); or UN1-UN5 where the UPN is not known (903 rule 168, CBDS 100001).
#: A UK postcode, full ("HR1 2AB") or outward code only ("HR1"), as the 903 allows (rule 1021 checks format).
POSTCODE_PATTERN = r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?([0-9][A-Z]{2})?$"
UPN_PATTERN = r"^([A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]|UN[1-5])$"

#: For each suite: the columns that must exist, the date columns and the number columns.
TABLES: dict[str, dict[str, list[str]]] = {
    "ssda903_header": {"columns": HEADER_COLUMNS, "dates": DATE_COLUMNS["header"], "numbers": []},
    "ssda903_episodes": {
        "columns": EPISODE_COLUMNS,
        "dates": DATE_COLUMNS["episodes"],
        "numbers": [],
    },
    "ssda903_uasc": {"columns": UASC_COLUMNS, "dates": DATE_COLUMNS["uasc"], "numbers": []},
    "workforce": {
        "columns": WORKFORCE_COLUMNS,
        "dates": ["snapshot_date"],
        "numbers": ["fte", "caseload"],
    },
    "permanence": {"columns": PERMANENCE_COLUMNS, "dates": PERMANENCE_DATES, "numbers": []},
    "population": {
        "columns": POPULATION_COLUMNS,
        "dates": [],
        "numbers": ["mid_year", "population_0_17"],
    },
    "comparators": {"columns": COMPARATOR_COLUMNS, "dates": ["period"], "numbers": ["value"]},
    "indicators": {"columns": INDICATOR_COLUMNS, "dates": [], "numbers": ["value", "target"]},
    "allocations": {"columns": ALLOCATION_COLUMNS, "dates": ALLOCATION_DATES, "numbers": []},
}

UNREADABLE = "{} (unreadable)"
AS_DATE = "{} (date)"
AS_NUMBER = "{} (number)"

#: Every column checked against a code list: (suite, column) -> the allowed values, taken from
#: `analysis.core.codes` (the DfE's 903 lists) and `analysis.core.vocabularies` (the data contract's own), never
#: written here (`tests/test_vocabularies.py` fails on a list or bound typed into this module).
CODE_LISTS: dict[tuple[str, str], Collection[str]] = {
    ("allocations", "contract"): vocabularies.ALLOCATION_CONTRACTS,
    ("ssda903_header", "SEX"): codes.SEX,
    ("ssda903_header", "ETHNIC"): codes.ETHNIC,
    ("ssda903_episodes", "RNE"): codes.RNE,
    ("ssda903_episodes", "LS"): codes.LS,
    ("ssda903_episodes", "CIN"): codes.CIN,
    ("ssda903_episodes", "PLACE"): codes.PLACE,
    ("ssda903_episodes", "REC"): codes.REC_ACCEPTED,
    ("ssda903_episodes", "PLACE_PROVIDER"): codes.PLACE_PROVIDER,
    ("ssda903_episodes", "REASON_PLACE_CHANGE"): codes.REASON_PLACE_CHANGE,
    ("workforce", "role"): vocabularies.WORKFORCE_ROLES,
    ("workforce", "contract"): vocabularies.WORKFORCE_CONTRACTS,
    ("permanence", "route"): vocabularies.PERMANENCE_ROUTES,
    ("permanence", "outcome"): vocabularies.PERMANENCE_OUTCOMES,
    ("permanence", "assessment_outcome"): vocabularies.ASSESSMENT_OUTCOMES,
    ("permanence", "carers_agree"): vocabularies.CARERS_AGREE,
    ("comparators", "area"): vocabularies.COMPARATOR_AREAS,
}


def _make(name: str, meta: dict[str, str], expectations: list[gxe.Expectation]) -> gx.ExpectationSuite:
    return gx.ExpectationSuite(name=name, meta=meta, expectations=expectations)


def _meta(rule: str, title: str, fix: str) -> dict[str, str]:
    return {"rule": rule, "title": title, "fix": fix}


def _columns_exist(table: str) -> gxe.Expectation:
    return gxe.ExpectTableColumnsToMatchSet(
        column_set=TABLES[table]["columns"],
        exact_match=False,
        severity=ERROR,
        meta=_meta(
            "RP01",
            "All the required columns are present",
            "Add the missing columns; see data/README.md.",
        ),
    )


def _no_extra_columns(table: str) -> gxe.Expectation:
    return gxe.ExpectTableColumnsToMatchSet(
        column_set=TABLES[table]["columns"],
        exact_match=True,
        severity=WARNING,
        meta=_meta(
            "RP04",
            "No columns beyond the data contract's (extra columns are ignored)",
            "Remove the column, or check it is not a renamed required column.",
        ),
    )


def _readable(table: str) -> list[gxe.Expectation]:
    """Every date and number can be read."""
    spec = TABLES[table]
    return [
        gxe.ExpectColumnValuesToBeNull(
            column=UNREADABLE.format(column),
            severity=ERROR,
            meta=_meta(
                "RP02",
                f"{column} is a real {'date' if column in spec['dates'] else 'number'}",
                "Correct the value: dates as dd/mm/yyyy (903) or yyyy-mm-dd, numbers without text.",
            ),
        )
        for column in spec["dates"] + spec["numbers"]
    ]


def _not_null(column: str, rule: str, severity: str = ERROR) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToNotBeNull(
        column=column,
        severity=severity,
        meta=_meta(rule, f"{column} is filled in", f"Fill in {column} on every row."),
    )


def _in_set(table: str, column: str, rule: str, severity: str) -> gxe.Expectation:
    """The column holds only codes of its list in `CODE_LISTS`."""
    return gxe.ExpectColumnValuesToBeInSet(
        column=column,
        value_set=sorted(CODE_LISTS[(table, column)]),
        severity=severity,
        meta=_meta(rule, f"{column} uses a valid code", f"Correct {column} to a code from the DfE list."),
    )


def header_suite() -> gx.ExpectationSuite:
    """SSDA903 header: one row per child (rules INT32, 101, 102, 103)."""
    return _make(
        "ssda903_header",
        {"file": "ssda903 header.csv"},
        [
            _columns_exist("ssda903_header"),
            _no_extra_columns("ssda903_header"),
            *_readable("ssda903_header"),
            _not_null("CHILD", "RP03"),
            _not_null("DOB", "102"),
            gxe.ExpectColumnValuesToBeUnique(
                column="CHILD",
                severity=ERROR,
                meta=_meta(
                    "INT32",
                    "Each child appears once in a header file",
                    "Remove the repeated header rows.",
                ),
            ),
            _in_set("ssda903_header", "SEX", "101", WARNING),
            gxe.ExpectColumnValuesToMatchRegex(
                column="UPN",
                regex=UPN_PATTERN,
                severity=WARNING,
                meta=_meta(
                    "168",
                    "UPN is 13 characters (a letter, 11 digits, a digit or letter) or UN1 to UN5",
                    "Correct the UPN, or use the UN code that explains why it is not known.",
                ),
            ),
            _in_set("ssda903_header", "ETHNIC", "103", WARNING),
        ],
    )


def episodes_suite() -> gx.ExpectationSuite:
    """SSDA903 episodes: codes (rules 143-149, 178, 1009) and DEC not before DECOM (356)."""
    return _make(
        "ssda903_episodes",
        {"file": "ssda903 episodes.csv"},
        [
            _columns_exist("ssda903_episodes"),
            _no_extra_columns("ssda903_episodes"),
            *_readable("ssda903_episodes"),
            _not_null("CHILD", "RP03"),
            _not_null("DECOM", "141"),
            _in_set("ssda903_episodes", "RNE", "143", ERROR),
            _not_null("LS", "RP03", WARNING),  # a blank LS is counted as looked after, not as a short break
            _in_set("ssda903_episodes", "LS", "144", ERROR),
            _in_set("ssda903_episodes", "CIN", "145", WARNING),
            _in_set("ssda903_episodes", "PLACE", "146", ERROR),
            _in_set("ssda903_episodes", "REC", "149", ERROR),
            _in_set("ssda903_episodes", "PLACE_PROVIDER", "178", WARNING),
            _in_set("ssda903_episodes", "REASON_PLACE_CHANGE", "1009", WARNING),
            *[
                gxe.ExpectColumnValuesToMatchRegex(
                    column=column,
                    regex=POSTCODE_PATTERN,
                    severity=WARNING,
                    meta=_meta(
                        "1021",
                        f"{column} is a valid postcode or outward code (like HR1 2AB or HR1)",
                        f"Correct {column}: capital letters, with the outward code first.",
                    ),
                )
                for column in ("HOME_POST", "PL_POST")
            ],
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=AS_DATE.format("DEC"),
                column_B=AS_DATE.format("DECOM"),
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                severity=ERROR,
                meta=_meta(
                    "356",
                    "The episode ends (DEC) on or after it starts (DECOM)",
                    "Correct DEC or DECOM.",
                ),
            ),
        ],
    )


def uasc_suite() -> gx.ExpectationSuite:
    """SSDA903 UASC table."""
    return _make(
        "ssda903_uasc",
        {"file": "ssda903 uasc.csv"},
        [_columns_exist("ssda903_uasc"), *_readable("ssda903_uasc"), _not_null("CHILD", "RP03")],
    )


def workforce_suite() -> gx.ExpectationSuite:
    """Workforce snapshot: known roles and contracts, FTE within its bounds (`analysis.core.vocabularies`)."""
    return _make(
        "workforce",
        {"file": "workforce"},
        [
            _columns_exist("workforce"),
            _no_extra_columns("workforce"),
            *_readable("workforce"),
            _not_null("snapshot_date", "RP03"),
            _not_null("team", "RP03"),
            _not_null("role", "RP03"),
            _not_null("contract", "RP03"),
            _not_null("fte", "RP03"),
            _in_set("workforce", "role", "RP10", ERROR),
            _in_set("workforce", "contract", "RP11", ERROR),
            gxe.ExpectColumnValuesToBeBetween(
                column=AS_NUMBER.format("fte"),
                min_value=vocabularies.FTE_MIN,
                max_value=vocabularies.FTE_MAX,
                severity=ERROR,
                meta=_meta(
                    "RP12",
                    f"FTE is between {vocabularies.FTE_MIN} and {vocabularies.FTE_MAX}",
                    "Correct the FTE (1.0 = full time).",
                ),
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column=AS_NUMBER.format("caseload"),
                min_value=vocabularies.CASELOAD_MIN,
                max_value=vocabularies.CASELOAD_MAX,
                severity=WARNING,
                meta=_meta(
                    "RP13",
                    f"Caseload is between {vocabularies.CASELOAD_MIN} and {vocabularies.CASELOAD_MAX}",
                    "Check the caseload figure.",
                ),
            ),
        ],
    )


def permanence_suite() -> gx.ExpectationSuite:
    """Permanence tracker: known routes and outcomes, stage dates in order."""
    ordered = [
        ("assessing_date", "identified_date"),
        ("assessment_complete_date", "assessing_date"),
        ("sent_to_legal_date", "identified_date"),
        ("filed_with_court_date", "sent_to_legal_date"),
        ("outcome_date", "identified_date"),
    ]
    return _make(
        "permanence",
        {"file": "permanence"},
        [
            _columns_exist("permanence"),
            *_readable("permanence"),
            _not_null("child_id", "RP03"),
            _not_null("identified_date", "RP03"),
            _in_set("permanence", "route", "RP20", ERROR),
            _in_set("permanence", "outcome", "RP21", ERROR),
            _in_set("permanence", "assessment_outcome", "RP22", WARNING),
            _in_set("permanence", "carers_agree", "RP22", WARNING),
            *[
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A=AS_DATE.format(later),
                    column_B=AS_DATE.format(earlier),
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                    severity=WARNING,
                    meta=_meta("RP23", f"{later} is not before {earlier}", "Correct the stage dates."),
                )
                for later, earlier in ordered
            ],
        ],
    )


def population_suite() -> gx.ExpectationSuite:
    """Under-18 population: positive counts for known years."""
    return _make(
        "population",
        {"file": "context/population.csv"},
        [
            _columns_exist("population"),
            *_readable("population"),
            gxe.ExpectColumnValuesToBeBetween(
                column=AS_NUMBER.format("population_0_17"),
                min_value=vocabularies.POPULATION_MIN,
                severity=ERROR,
                meta=_meta("RP30", "The population is a positive number", "Correct the population."),
            ),
        ],
    )


def comparators_suite() -> gx.ExpectationSuite:
    """Published comparators: known areas."""
    return _make(
        "comparators",
        {"file": "context/comparators.csv"},
        [
            _columns_exist("comparators"),
            *_readable("comparators"),
            _in_set("comparators", "area", "RP31", ERROR),
        ],
    )


def indicators_suite() -> gx.ExpectationSuite:
    """Other indicators: a metric id, a YYYY-MM period and a number on every row."""
    return _make(
        "indicators",
        {"file": "context/indicators.csv"},
        [
            _columns_exist("indicators"),
            *_readable("indicators"),
            _not_null("metric", "RP03"),
            _not_null("value", "RP03"),
            gxe.ExpectColumnValuesToMatchRegex(
                column="period",
                regex=r"^\d{4}-(0[1-9]|1[0-2])$",
                severity=ERROR,
                meta=_meta("RP32", "period is a month written YYYY-MM", "Write the period as YYYY-MM, e.g. 2024-03."),
            ),
        ],
    )




def allocations_suite() -> gx.ExpectationSuite:
    """Social worker allocations: every field filled in (but the end date), known contracts, end not before start.

    The checks across rows (overlaps beyond a hand-over, children not in the 903) are rules RP42 and
    RP43 in `analysis.checks.rules`.
    """
    return _make(
        "allocations",
        {"file": "allocations"},
        [
            _columns_exist("allocations"),
            _no_extra_columns("allocations"),
            *_readable("allocations"),
            *[_not_null(c, "RP03") for c in ("child_id", "worker_id", "team", "contract", "start_date")],
            _in_set("allocations", "contract", "RP40", ERROR),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=AS_DATE.format("end_date"),
                column_B=AS_DATE.format("start_date"),
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                severity=ERROR,
                meta=_meta(
                    "RP41",
                    "The allocation ends (end_date) on or after it starts (start_date)",
                    "Correct end_date or start_date; leave end_date blank while the allocation is current.",
                ),
            ),
        ],
    )


SUITES = {
    "ssda903_header": header_suite,
    "ssda903_episodes": episodes_suite,
    "ssda903_uasc": uasc_suite,
    "workforce": workforce_suite,
    "permanence": permanence_suite,
    "population": population_suite,
    "comparators": comparators_suite,
    "indicators": indicators_suite,
    "allocations": allocations_suite,
}


def as_json(suite: gx.ExpectationSuite) -> str:
    """Stable JSON for the repository: no generated ids, sorted keys."""
    data = suite.to_json_dict()
    data.pop("id", None)
    for e in data["expectations"]:
        e.pop("id", None)
    return json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"


def write_suites(folder: Path) -> list[Path]:
    """Write every suite as `<name>.json` into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in SUITES.items():
        path = folder / f"{name}.json"
        path.write_text(as_json(build()), encoding="utf-8")
        written.append(path)
    return written


def markdown() -> str:
    """docs/validation.md: every check, from the suites and the multi-row rules."""
    from analysis.checks import dfe_rules, rules
    from analysis.checks.file_rules import FILE_RULES

    lines = [
        "# Validation checks",
        "",
        "Generated from `src/analysis/checks/suites.py` and `src/analysis/checks/rules/` by `review-pack docs`; "
        "do not edit by hand.",
        "",
        "**Error** means the figures cannot be trusted: the build stops, names the file, rows and column, and exits",
        "non-zero. **Warning** means a problem to fix that does not change the pack's figures: it is counted on the",
        "data-quality page. Rule numbers are the DfE's 903 validation rules; `RP` rules are this project's own.",
        "",
        *dfe_rules.DOCS.splitlines(),
        "",
        "## Checks on the files themselves (src/analysis/checks/file_rules.py)",
        "",
        "Before any column is checked: can the file be read, and how was it read.",
        "",
        "| rule | check | severity | what happens |",
        "|---|---|---|---|",
        *[f"| {rule} | {check} | {severity} | {then} |" for rule, (check, severity, then) in FILE_RULES.items()],
        "",
        "## The contract's checks",
        "",
        "One table per Great Expectations suite, then the rules across rows and tables.",
        "",
    ]
    for name, build in SUITES.items():
        lines += [
            f"## `{name}` (expectations/{name}.json)",
            "",
            "| rule | check | severity | column |",
            "|---|---|---|---|",
        ]
        for e in build().expectations:
            cfg = e.configuration
            column = cfg.kwargs.get("column") or cfg.kwargs.get("column_A") or ""
            severity = "error" if str(e.severity).lower().endswith("critical") else "warning"
            lines.append(f"| {e.meta['rule']} | {e.meta['title']} | {severity} | {column} |")
        lines.append("")
    lines += [
        "## Code lists",
        "",
        "The values each coded column accepts, as the checks above use them: the DfE's 903 code lists from",
        "`src/analysis/core/codes.py` (with what each code means), the data contract's own from",
        "`src/analysis/core/vocabularies.py`.",
        "",
        "| file | column | values |",
        "|---|---|---|",
        *[
            f"| {table} | {column} | {', '.join(f'`{value}`' for value in values)} |"
            for (table, column), values in CODE_LISTS.items()
        ],
        "",
        "## Rules across rows and tables (src/analysis/checks/rules/)",
        "",
        "| rule | check | severity |",
        "|---|---|---|",
    ]
    for rule in rules.RULES:
        module = __import__(rule.__module__, fromlist=["RULE"])
        lines.append(f"| {module.RULE} | {module.TITLE} | {module.SEVERITY} |")
    return "\n".join(lines) + "\n"
