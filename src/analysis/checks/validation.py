"""Check every input with the Great Expectations suites in `expectations/` before any analysis.

Outcomes are split in two:
- **errors** (GX severity `critical`): the figures cannot be trusted (a missing file or
  column, an unreadable date, an unknown code in a field a metric groups by, DEC before
  DECOM). The build stops, names the file, column and rows, and exits non-zero.
- **warnings**: everything else. Counted per rule on the pack's data-quality page.

Rules that need more than one row or table at a time (for example, every child in the
episodes is in the header) are Python functions in `analysis.checks.rules`, reporting the same way.

Then the DfE's full 903 rule set (`analysis.checks.dfe_rules`: the validator council analysts already
run, in its own environment) checks each year's return; its findings are merged with the
suite's, one per rule and file under the DfE's code.
"""

from __future__ import annotations

import json
import logging
import os
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import polars as pl

from analysis.checks import dfe_rules, rules
from analysis.core import paths
from analysis.core.errors import InputError
from analysis.core.findings import Finding, ValidationReport
from analysis.load import ssda903, ssda903_xml, tidy_codes
from analysis.load.config import MISSING_LA_TOML, load_authority
from analysis.load.inputs import MISSING_POPULATION
from analysis.load.readers import ROW, date_expr, find_table, read_raw

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
log = logging.getLogger("review_pack")

#: Columns allowed beyond the contract without a warning: the row number we add, and LA, which
#: stacked multi-authority returns carry (see analysis.metrics.national).
OPTIONAL_COLUMNS = {ROW, "LA"}


def _suite(name: str) -> object:
    import great_expectations as gx

    path = paths.EXPECTATIONS / f"{name}.json"
    return gx.ExpectationSuite(**json.loads(path.read_text(encoding="utf-8")))


def validation_frame(raw: pl.DataFrame, table: str) -> pd.DataFrame:
    """The frame a suite checks: text columns, parsed helpers, indexed by file row number."""
    from analysis.checks.suites import AS_DATE, AS_NUMBER, TABLES, UNREADABLE  # here: suites imports Great Expectations

    spec = TABLES[table]
    helpers: list[pl.Expr] = []
    for column in spec["dates"]:
        if column in raw.columns:
            parsed = date_expr(column)
            helpers += [
                parsed.alias(AS_DATE.format(column)),
                pl.when(pl.col(column).is_not_null() & parsed.is_null())
                .then(pl.col(column))
                .alias(UNREADABLE.format(column)),
            ]
    for column in spec["numbers"]:
        if column in raw.columns:
            number = pl.col(column).cast(pl.Float64, strict=False)
            helpers += [
                pl.when(pl.col(column).is_not_null() & number.is_null())
                .then(pl.col(column))
                .alias(UNREADABLE.format(column)),
                number.alias(AS_NUMBER.format(column)),
            ]
    frame = raw.with_columns(helpers).to_pandas()
    for column in frame.columns:
        if column.endswith("(date)"):
            frame[column] = pd.to_datetime(frame[column])
    return frame.set_index(ROW)


def _gx_findings(results: list, file: str, checked: int) -> list[Finding]:
    found = []
    for r in results:
        if r.success:
            continue
        cfg = r.expectation_config
        meta = cfg.meta or {}
        res = r.result or {}
        column = cfg.kwargs.get("column") or cfg.kwargs.get("column_A")
        if cfg.type == "expect_table_columns_to_match_set":
            mismatched = res.get("details", {}).get("mismatched", {})
            exact = cfg.kwargs.get("exact_match") is not False  # GX leaves out its default (True)
            missing = [] if exact else mismatched.get("missing", [])
            extra = [c for c in mismatched.get("unexpected", []) if c not in OPTIONAL_COLUMNS and not c.endswith(")")]
            if extra and exact:
                found.append(_columns_finding(file, meta, cfg.type, "warning", extra, checked, "extra"))
            if missing:
                found.append(_columns_finding(file, meta, cfg.type, "error", missing, checked, "missing"))
            continue
        severity = "error" if str(cfg.severity).lower().endswith("critical") else "warning"
        examples = [_example(v) for v in (res.get("partial_unexpected_list") or [])[:5]]
        found.append(
            Finding(
                file=file,
                rule=meta.get("rule", ""),
                title=meta.get("title", cfg.type),
                severity=severity,
                failed=int(res.get("unexpected_count") or 0),
                checked=checked,
                column=re.sub(r" \((unreadable|date|number)\)$", "", column or "") or None,
                rows=[int(i[ROW] if isinstance(i, dict) else i) for i in (res.get("unexpected_index_list") or [])][:50],
                examples=examples,
                fix=meta.get("fix", ""),
            )
        )
    return found


def _columns_finding(
    file: str, meta: dict, kind: str, severity: str, columns: list[str], checked: int, what: str
) -> Finding:
    """A finding about whole columns (missing or extra), reported on the header row (row 1)."""
    return Finding(
        file, meta.get("rule", ""), meta.get("title", kind), severity, len(columns), checked, ", ".join(columns),
        [1], [f"{what}: {', '.join(columns)}"], meta.get("fix", ""),
    )  # fmt: skip


def _example(value: object) -> str:
    """A failing value as text; a pair of dates as 'dd/mm/yyyy and dd/mm/yyyy'."""
    if isinstance(value, tuple):
        return " and ".join(_example(v) for v in value)
    if hasattr(value, "dtype") or isinstance(value, pd.Timestamp):
        return pd.Timestamp(value).strftime("%d/%m/%Y")
    return str(value)


#: Expectation types that judge each row on its own. For several files of one table with the same columns, one GX
#: run over all their rows (told apart by the index: file k's row r is k * FILE_ROWS + r) finds, file by file,
#: what a run per file finds, at a fraction of the cost: GX's cost here is per expectation, not per row.
ROW_WISE = {
    "expect_column_values_to_be_null",
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_match_regex",
    "expect_column_values_to_be_between",
    "expect_column_pair_values_a_to_be_greater_than_b",
}
FILE_ROWS = 10**9


class _Runner:
    """One ephemeral GX context for a validation run (GX is imported only when validating)."""

    def __init__(self) -> None:
        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig

            self.ctx = gx.get_context(mode="ephemeral")
        self.ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
        source = self.ctx.data_sources.add_pandas("inputs")
        self.batch = source.add_dataframe_asset("frame").add_batch_definition_whole_dataframe("whole")

    def run(self, table: str, raw: pl.DataFrame, file: str) -> tuple[list[Finding], int]:
        """The findings of the table's suite on one file, and the number of expectations checked."""
        return self.run_files(table, [(raw, file)])[0]

    def run_files(self, table: str, files: list[tuple[pl.DataFrame, str]]) -> list[tuple[list[Finding], int]]:
        """`run` for each file of one table: the same findings, file by file, with the row-wise expectations
        (`ROW_WISE`) checked in one GX run over the files that have the same columns."""
        suite = _suite(table)
        frames = [validation_frame(raw, table) for raw, _ in files]
        out: list[tuple[list[Finding], int]] = [([], 0)] * len(files)
        groups: dict[tuple[str, ...], list[int]] = {}
        for i, frame in enumerate(frames):
            groups.setdefault(tuple(sorted(map(str, frame.columns))), []).append(i)
        for columns, members in groups.items():
            present = set(columns)
            runnable = [
                e
                for e in suite.expectations  # type: ignore[attr-defined]
                if all(
                    getattr(e, k, None) in present for k in ("column", "column_A", "column_B") if getattr(e, k, None)
                )
            ]
            results = self._together(suite, [frames[i] for i in members], runnable) if len(members) > 1 else None
            for k, i in enumerate(members):
                own = results[k] if results else self._validate(suite, frames[i], runnable)
                out[i] = (_gx_findings(own, files[i][1], len(frames[i])), len(runnable))
        return out

    def _validate(self, suite: object, frame: pd.DataFrame, expectations: list) -> list:
        """GX's results of `expectations` (of `suite`) on `frame`, in the expectations' order."""
        if not expectations:
            return []
        runnable = type(suite)(name=suite.name, meta=suite.meta, expectations=expectations)  # type: ignore[attr-defined]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = self.batch.get_batch(batch_parameters={"dataframe": frame}).validate(
                runnable, result_format={"result_format": "COMPLETE", "partial_unexpected_count": 5}
            )
        return list(result.results)

    def _together(self, suite: object, frames: list[pd.DataFrame], expectations: list) -> list[list] | None:
        """Each frame's results, in the expectations' order: the row-wise ones from one run over every frame's
        rows, the others (the columns, uniqueness) frame by frame. None if the combined results cannot be told
        apart by file (then each file is run on its own)."""
        if not expectations or any(len(f) >= FILE_ROWS for f in frames):
            return None
        shared = [e for e in expectations if _row_wise(e)]
        combined = pd.concat(
            [f.set_axis(f.index.to_numpy() + k * FILE_ROWS, axis=0) for k, f in enumerate(frames)], copy=False
        )
        combined.index.name = frames[0].index.name
        together = self._validate(suite, combined, shared)
        split = [_split(r, len(frames)) for r in together]
        if any(s is None for s in split):
            return None
        results = []
        for k, frame in enumerate(frames):
            own = iter(self._validate(suite, frame, [e for e in expectations if not _row_wise(e)]))
            parts = iter(s[k] for s in split)  # type: ignore[index]
            results.append([next(parts) if _row_wise(e) else next(own) for e in expectations])
        return results


def _row_wise(expectation: object) -> bool:
    mostly = getattr(expectation, "mostly", 1)
    return getattr(expectation, "expectation_type", None) in ROW_WISE and mostly in (None, 1)


def _split(result: object, files: int) -> list[SimpleNamespace] | None:
    """A row-wise result over several files' rows as each file's result (its unexpected rows, count and first
    five values); None if the result does not list every unexpected row with its value."""
    res = result.result or {}  # type: ignore[attr-defined]
    indices, values = res.get("unexpected_index_list"), res.get("unexpected_list")
    count = int(res.get("unexpected_count") or 0)
    if indices is None or values is None or len(indices) != len(values) or len(indices) != count:
        return None
    rows: list[list] = [[] for _ in range(files)]
    found: list[list] = [[] for _ in range(files)]
    for index, value in zip(indices, values, strict=True):
        key = int(index[ROW] if isinstance(index, dict) else index)
        k, row = divmod(key, FILE_ROWS)
        rows[k].append({**index, ROW: row} if isinstance(index, dict) else row)
        found[k].append(value)
    config = result.expectation_config  # type: ignore[attr-defined]
    return [
        SimpleNamespace(
            success=not rows[k],
            expectation_config=config,
            result={
                "unexpected_count": len(rows[k]),
                "unexpected_index_list": rows[k],
                "unexpected_list": found[k],
                "partial_unexpected_list": found[k][:5],
            },
        )
        for k in range(files)
    ]


def _read(
    path: Path, table: str, report: ValidationReport, reader: Callable[[], pl.DataFrame] | None = None
) -> pl.DataFrame | None:
    """Read a file as text for validation; a file that cannot be read at all is one error."""
    if str(path) not in report.checked_files:
        report.checked_files.append(str(path))
    try:
        return reader() if reader else read_raw(path, [])
    except InputError as exc:
        xml = ssda903_xml.is_xml(path)
        if any(f.file == exc.file and f.rule == "RP00" for f in report.findings):
            return None  # one XML file holds three tables: its error is reported once
        report.findings.append(
            Finding(
                exc.file,
                "RP00",
                "The file can be read",
                "error",
                1,
                1,
                exc.column,
                exc.rows,
                [exc.detail],
                "Export the XML return again (root EXPSSDA903), or fix it where shown."
                if xml
                else "Check the file exists and is saved as CSV UTF-8 (or .xlsx).",
            )
        )
        return None


def _optional_inputs(folder: Path) -> list[Finding]:
    """A warning for each optional input whose absence changes what the pack can say: la.toml (the name,
    targets and comparator labels) and the population (every rate)."""
    found = []
    for path, title, text in [
        (folder / "la.toml", "The authority settings file is present", MISSING_LA_TOML),
        (folder / "context" / "population.csv", "The under-18 population is present", MISSING_POPULATION),
    ]:
        if not path.exists():
            found.append(Finding(str(path), "RP00", title, "warning", 1, 1, None, [], [], text))
    return found


def _xml_findings(f: ssda903.ReturnFile, report: ValidationReport) -> None:
    """Warnings about an XML return itself: elements skipped, the return year, and what was read (logged)."""
    xml = ssda903_xml.read_return(f.path)
    file = str(f.path)
    counts = ", ".join(f"{n:,} {table}" for table, n in xml.counts().items())
    log.debug("read %s: %s", f.path.name, counts)
    for (rule, title, fix), issues in _group_issues(xml.issues).items():
        report.findings.append(
            Finding(
                file, rule, title, "warning", len(issues), xml.children, None,
                sorted({i.child for i in issues})[:50], [i.describe() for i in issues[:5]], fix,
            )
        )  # fmt: skip
    if f.year is None:
        year = f.return_year
        report.findings.append(
            Finding(
                file, "RPX4", "The return year of a file in the stacked folder comes from its episodes' dates",
                "warning", 1, 1, None, [],
                [f"read as the return for the year to 31 March {year}" if year else "no episode dates: year unknown"],
                f"To say the year, put the file in ssda903/{year or '<year>'}/.",
            )
        )  # fmt: skip
    else:
        late = xml.dates_after(f.year)
        if late:
            report.findings.append(
                Finding(
                    file, "RPX5", f"No episode starts or ends after 31 March {f.year}, the end of the return year",
                    "warning", late, xml.tables["episodes"].height, None, [], [],
                    "Check the file is in the right year folder, or correct the dates.",
                )
            )  # fmt: skip


_EXPORT = "Check the export from the case-management system against the DfE's XML schema."
_ISSUE_RULES = {
    "unknown": ("RPX1", "Every element is one of the SSDA903 schema's (unknown ones are not read)", _EXPORT),
    "misplaced": ("RPX2", "Every element is where the schema puts it (misplaced ones are not read)", _EXPORT),
    "repeated": ("RPX2", "No element is repeated where the schema allows one (the first is read)", _EXPORT),
    "missing": ("RPX2", "Every CHILD has a HEADER", "Check the export: each CHILD needs a HEADER with CHILDID."),
    "order": ("RPX2", "Each CHILD's HEADER comes before its EPISODEs", _EXPORT),
    "uasc_flag": ("105", "UASC is 0 or 1 (other values are not counted as UASC)", "Correct the UASC flag."),
}


def _group_issues(issues: list[ssda903_xml.XmlIssue]) -> dict[tuple[str, str, str], list[ssda903_xml.XmlIssue]]:
    grouped: dict[tuple[str, str, str], list[ssda903_xml.XmlIssue]] = {}
    for issue in issues:
        grouped.setdefault(_ISSUE_RULES[issue.kind], []).append(issue)
    return grouped


def _unread_903_files(folder: Path, files: list[ssda903.ReturnFile]) -> list[Finding]:
    """A warning for each 903-looking file in a folder the loader reads that it does not read (another form won)."""
    read = {f.path for f in files}
    places = {f.path.parent for f in files}
    names = {"header.csv", "episodes.csv", "uasc.csv"}
    found = []
    for place in sorted(places):
        for path in sorted(place.iterdir()):
            suffix = path.suffix.lower()
            if path in read or path.name.startswith((".", "~$")):
                continue
            if path.name.lower() in names or suffix in (".xml", ".xlsx"):
                used = sorted({p.name for p in read if p.parent == place})
                found.append(
                    Finding(
                        str(path), "RPX6", "Every 903 file in the folder is read", "warning", 1, 1, None, [],
                        [f"not read: {', '.join(used)} in the same folder is read instead"],
                        "Keep one form of each year's return (XML, Excel or CSV) in its folder.",
                    )
                )  # fmt: skip
    return found


def validate_inputs(folder: Path | str, dfe: bool = True) -> ValidationReport:
    """Run every suite over every input file in `folder`, then the multi-row rules, then the DfE's rules.

    `dfe=False` (or REVIEW_PACK_DFE=off) leaves out the DfE's rules; without their environment they
    are left out anyway, and `report.dfe` says so.
    """
    folder = Path(folder)
    report = ValidationReport(folder=str(folder))
    runner = _Runner()
    tables: dict[str, list[pl.DataFrame]] = {}
    #: per table, the files to check with its suite: the frame, the file's name, and where its findings go (the
    #: length of report.findings then, and the file's place in the order of checking)
    pending: dict[str, list[tuple[pl.DataFrame, str, tuple[int, int]]]] = {}

    def check(
        table: str, path: Path, reader: Callable[[], pl.DataFrame] | None = None, label: str | None = None
    ) -> pl.DataFrame | None:
        raw = _read(path, table, report, reader)
        if raw is None:
            return None
        raw, tidied = tidy_codes.tidy(raw, table)  # the loader reads the same codes the same way
        if tidied.changed:
            report.findings.append(tidied_finding(label or str(path), tidied))
        place = (len(report.findings), sum(map(len, pending.values())))
        pending.setdefault(table, []).append((raw, label or str(path), place))
        return raw

    try:
        files = ssda903.discover(folder / "ssda903")
    except InputError as exc:
        report.findings.append(
            Finding(
                exc.file,
                "RP00",
                "The 903 files are present",
                "error",
                1,
                1,
                None,
                [],
                [exc.detail],
                "Add the SSDA903 header and episodes files.",
            )
        )
        files = []
    report.findings += _unread_903_files(folder / "ssda903", files)
    for f in files:
        raw = check(f"ssda903_{f.table}", f.path, lambda f=f: f.read([]), f.label)
        if raw is None:
            continue
        if f.is_xml and f.table == "header":
            _xml_findings(f, report)
        tables.setdefault(f.table, []).append(
            raw.with_columns(pl.lit(str(f.path)).alias(ssda903.FILE), pl.lit(f.return_year).alias(ssda903.YEAR))
        )
    for table, path in [
        ("workforce", find_table(folder, "workforce")),
        ("permanence", find_table(folder, "permanence")),
        ("population", folder / "context" / "population.csv"),
        ("comparators", folder / "context" / "comparators.csv"),
        ("indicators", folder / "context" / "indicators.csv"),
        ("allocations", find_table(folder, "allocations")),
    ]:
        if path is not None and path.exists():
            raw = check(table, path)
            if raw is not None and table == "allocations":
                tables["allocations"] = [raw.with_columns(pl.lit(str(path)).alias(ssda903.FILE))]
    placed: list[tuple[tuple[int, int], list[Finding]]] = []
    for table, files in pending.items():
        checked = runner.run_files(table, [(raw, label) for raw, label, _ in files])
        for (_, _, slot), (found, n) in zip(files, checked, strict=True):
            placed.append((slot, found))
            report.checks_run += n
    for (slot, _), found in sorted(placed, key=lambda p: p[0], reverse=True):  # where a check per file put them
        report.findings[slot:slot] = found
    report.findings += _optional_inputs(folder)
    stacked = {t: pl.concat(frames, how="diagonal") for t, frames in tables.items()}
    for rule in rules.RULES:
        report.checks_run += 1
        report.findings += rule(stacked)
    if dfe:
        report.findings, report.dfe = dfe_rules.check(folder, _authority_code(folder), report.findings)
        report.checks_run += report.dfe.rules_checked
    return report


def tidied_finding(file: str, tidied: tidy_codes.Tidied) -> Finding:
    """The warning (RP05) for codes read in another case: how many rows, which, and examples."""
    return Finding(
        file, tidy_codes.RULE, tidy_codes.TITLE, "warning", tidied.changed, tidied.checked,
        ", ".join(tidied.rows), tidied.row_numbers[:50], tidied.examples[:5], tidy_codes.FIX,
    )  # fmt: skip


def _authority_code(folder: Path) -> str | None:
    """The authority's code from la.toml (E06000019), or None when la.toml cannot be read."""
    try:
        return load_authority(folder / "la.toml").code
    except InputError:
        return None
