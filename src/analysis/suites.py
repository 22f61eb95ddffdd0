"""The Great Expectations suites, built from the code lists in `analysis.codes`.

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
from pathlib import Path

import great_expectations as gx
import great_expectations.expectations as gxe

from analysis import codes
from analysis.inputs import (
    ALLOCATION_COLUMNS,
    ALLOCATION_DATES,
    COMPARATOR_COLUMNS,
    INDICATOR_COLUMNS,
    PERMANENCE_COLUMNS,
    PERMANENCE_DATES,
    POPULATION_COLUMNS,
    WORKFORCE_COLUMNS,
)
from analysis.ssda903 import DATE_COLUMNS, EPISODE_COLUMNS, HEADER_COLUMNS, UASC_COLUMNS

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

WORKFORCE_ROLES = [
    "social_worker", "senior_practitioner", "advanced_practitioner", "team_manager", "service_manager",
]  # fmt: skip
WORKFORCE_CONTRACTS = ["permanent", "fixed_term", "agency", "vacant"]
PERMANENCE_ROUTES = [
    "special_guardianship_order",
    "discharge_to_parents",
    "child_arrangements_order",
]


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


def _in_set(column: str, values: list[str], rule: str, severity: str) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeInSet(
        column=column,
        value_set=sorted(values),
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
            _in_set("SEX", list(codes.SEX), "101", WARNING),
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
            _in_set("ETHNIC", list(codes.ETHNIC), "103", WARNING),
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
            _in_set("RNE", list(codes.RNE), "143", ERROR),
            _in_set("LS", list(codes.LS), "144", ERROR),
            _in_set("CIN", list(codes.CIN), "145", WARNING),
            _in_set("PLACE", list(codes.PLACE), "146", ERROR),
            _in_set("REC", list(codes.EPISODE_CODE_LISTS["REC"]), "149", ERROR),
            _in_set("PLACE_PROVIDER", list(codes.PLACE_PROVIDER), "178", WARNING),
            _in_set("REASON_PLACE_CHANGE", list(codes.REASON_PLACE_CHANGE), "1009", WARNING),
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
    """Workforce snapshot: known roles and contracts, FTE between 0 and 1.5."""
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
            _in_set("role", WORKFORCE_ROLES, "RP10", ERROR),
            _in_set("contract", WORKFORCE_CONTRACTS, "RP11", ERROR),
            gxe.ExpectColumnValuesToBeBetween(
                column=AS_NUMBER.format("fte"),
                min_value=0,
                max_value=1.5,
                severity=ERROR,
                meta=_meta("RP12", "FTE is between 0 and 1.5", "Correct the FTE (1.0 = full time)."),
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column=AS_NUMBER.format("caseload"),
                min_value=0,
                max_value=60,
                severity=WARNING,
                meta=_meta("RP13", "Caseload is between 0 and 60", "Check the caseload figure."),
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
            _in_set("route", PERMANENCE_ROUTES, "RP20", ERROR),
            _in_set("outcome", ["order_made", "refused", "withdrawn"], "RP21", ERROR),
            _in_set("assessment_outcome", ["positive", "negative"], "RP22", WARNING),
            _in_set("carers_agree", ["yes", "no"], "RP22", WARNING),
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
                min_value=1,
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
            _in_set("area", ["england", "statistical_neighbours", "region"], "RP31", ERROR),
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


ALLOCATION_CONTRACTS = ["permanent", "fixed_term", "agency"]


def allocations_suite() -> gx.ExpectationSuite:
    """Social worker allocations: every field filled in (but the end date), known contracts, end not before start.

    The checks across rows (overlaps beyond a hand-over, children not in the 903) are rules RP42 and
    RP43 in `analysis.rules`.
    """
    return _make(
        "allocations",
        {"file": "allocations"},
        [
            _columns_exist("allocations"),
            _no_extra_columns("allocations"),
            *_readable("allocations"),
            *[_not_null(c, "RP03") for c in ("child_id", "worker_id", "team", "contract", "start_date")],
            _in_set("contract", ALLOCATION_CONTRACTS, "RP40", ERROR),
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
    from analysis import dfe_rules, rules

    lines = [
        "# Validation checks",
        "",
        "Generated from `src/analysis/suites.py` and `src/analysis/rules/` by `review-pack docs`; do not edit by hand.",
        "",
        "**Error** means the figures cannot be trusted: the build stops, names the file, rows and column, and exits",
        "non-zero. **Warning** means a problem to fix that does not change the pack's figures: it is counted on the",
        "data-quality page. Rule numbers are the DfE's 903 validation rules; `RP` rules are this project's own.",
        "",
        *dfe_rules.DOCS.splitlines(),
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
        "## Rules across rows and tables (src/analysis/rules/)",
        "",
        "| rule | check | severity |",
        "|---|---|---|",
    ]
    for rule in rules.RULES:
        module = __import__(rule.__module__, fromlist=["RULE"])
        lines.append(f"| {module.RULE} | {module.TITLE} | {module.SEVERITY} |")
    return "\n".join(lines) + "\n"
