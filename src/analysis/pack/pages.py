"""The pack's own pages: the contents page (`index.html`) and the data-quality page.

Both are written for the improvement advisor: plain words, no code, no child identifiers
(examples of failing values are only shown for code columns, never for identifiers or dates).
"""

from __future__ import annotations

import html
from collections import Counter
from pathlib import Path

import jinja2

from analysis.core import disclosure, paths
from analysis.core.findings import Finding, ValidationReport
from analysis.core.periods import long_month, parse_period
from analysis.load.inputs import Inputs
from analysis.sections.registry import Section
from analysis.sections.tables import html_table

#: Columns whose values could identify a child: their failing values are never shown in the pack.
IDENTIFYING = {"CHILD", "UPN", "DOB", "MC_DOB", "HOME_POST", "PL_POST", "child_id", "URN"}

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(paths.TEMPLATES)),
    autoescape=False,
    keep_trailing_newline=True,
)


def render(title: str, body: str, *, nav: list[dict], footer: str, synthetic: bool) -> str:
    """A page in the pack's house style around an HTML body (with the banner of an unsuppressed internal pack)."""
    if not disclosure.policy().suppress:
        body = disclosure.UNSUPPRESSED_BANNER + body
    return _env.get_template("page.html.j2").render(
        title=html.escape(title),
        body=body,
        nav=nav,
        footer=html.escape(footer),
        synthetic=synthetic,
    )


def index_page(
    inputs: Inputs,
    period: str,
    sections: list[Section],
    report: ValidationReport,
    nav: list[dict],
    footer: str,
) -> str:
    """The contents page: what the pack covers, links to each section, and the data checks."""
    month = long_month(parse_period(period))
    items = "".join(
        f'<li><a href="{Path(s.notebook).with_suffix(".html").name}">{html.escape(s.title)}</a>'
        f" — {html.escape(s.summary)}</li>"
        for s in sections
    )
    warn = len(report.warnings)
    checks = (
        f"All {report.checks_run:,} checks on the input data passed."
        if not report.findings
        else f"The input data passed every check that affects the figures; {warn} check"
        f"{'s' if warn != 1 else ''} found minor problems for the analyst to fix."
    )
    if inputs.merge.warnings():
        checks += (
            f" The 903 returns need checking ({len(inputs.merge.warnings())} warning"
            f"{'s' if len(inputs.merge.warnings()) != 1 else ''}, for example a missing year): some figures may be "
            "affected."
        )
    body = f"""
<h1>{html.escape(inputs.authority.name)} children's services review pack</h1>
<p class="rp-sub">Review period: {month}</p>
<h2>Sections</h2>
<ol>{items}</ol>
<h2>About the data</h2>
<p>{checks} <a href="data_quality.html">See the data quality page</a>.</p>
<h2>Using the figures elsewhere</h2>
<ul>
<li><a href="tables.xlsx">tables.xlsx</a>: every table in the pack as an Excel workbook, one sheet per table, with
notes and definitions.</li>
<li>The <code>charts</code> folder beside this page: every chart as a PNG (for slides) and an SVG, each with its
title and source inside the image.</li>
<li><a href="review-pack.pdf">review-pack.pdf</a>: the whole pack to print, with a contents page.</li>
<li><a href="metrics.csv">metrics.csv</a>: every headline figure, one row each.</li>
<li><a href="manifest.json">manifest.json</a>: how the pack was built, and from which input files.</li>
</ul>
<h2>Protecting children's privacy</h2>
<p>{html.escape(inputs.authority.disclosure.describe())}</p>
"""
    return render(f"Review pack — {month}", body, nav=nav, footer=footer, synthetic=inputs.authority.synthetic)


def _file_label(path: str, folder: str) -> str:
    try:
        return str(Path(path).relative_to(folder))
    except ValueError:
        return Path(path).name


def _row(f: Finding, folder: str, all_examples: bool = False) -> list[tuple[str, bool]]:
    shown = f.rows if all_examples else f.rows[:8]  # the analyst's report lists every row
    rows = ", ".join(str(r) for r in shown) + (" …" if len(f.rows) > len(shown) else "")
    hidden = not all_examples and (f.column in IDENTIFYING or "date" in (f.column or "").lower())
    examples = "" if hidden else ", ".join(f.examples[:3])
    return [
        (_file_label(f.file, folder), False),
        (f.rule, False),
        (f.title, False),
        (f.column or "", False),
        (f"{f.failed:,}", True),
        (f"{f.checked:,}", True),
        (rows, False),
        (examples, False),
        (f.fix, False),
    ]


def findings_table(findings: list[Finding], folder: str, caption: str, all_examples: bool = False) -> str:
    """A table of findings: file, rule, check, column, rows failed / checked, rows, examples, fix."""
    header = [
        "File",
        "Rule",
        "Check",
        "Column",
        "Rows failing",
        "Rows checked",
        "Row numbers",
        "Example values",
        "What to fix",
    ]
    return html_table(caption, header, [_row(f, folder, all_examples) for f in findings])


def dfe_block(report: ValidationReport) -> str:
    """The DfE-rules part of the data-quality page: rules checked and failed, with counts and what to fix."""
    dfe = report.dfe
    if dfe.status != "checked":
        how = (
            " To add them, run <code>make install</code> in the repository: it sets up the DfE's validator in its"
            " own environment (<code>.venv-dfe</code>, Python 3.11), pinned in"
            " <code>requirements/dfe-constraints.txt</code>."
            if dfe.status == "not installed"
            else ""
        )
        note = html.escape(dfe.note) if dfe.note else ""
        return f"<p><strong>The DfE's validation rules were not checked.</strong> {note}{how}</p>"
    failed = len(dfe.failing)
    intro = (
        f"<p>Each year's return was also checked against the DfE's own validation rules for the 903, using the "
        f"validator council analysts run before they submit (Data to Insight's <code>csc-validator-be-903</code>, "
        f"version {html.escape(dfe.version)}): {dfe.rules_checked:,} rules were checked and "
        f"{failed} rule{'s' if failed != 1 else ''} found problems. Returns checked: "
        f"{html.escape(', '.join(dfe.years))}. Rules that need tables this pack does not read (reviews, missing "
        f"episodes, adoption, care leavers) were not run.</p>"
    )
    if dfe.rules_crashed:
        intro += (
            f"<p>{len(dfe.rules_crashed)} rule(s) could not run on this data: "
            f"{html.escape(', '.join(dfe.rules_crashed))}.</p>"
        )
    if not dfe.failing:
        return intro + "<p>Every DfE rule that was checked passed.</p>"
    table = html_table(
        "DfE validation rules that found problems",
        ["DfE rule", "What the rule checks", "Rows failing (all returns)", "Returns", "What to fix"],
        [
            [
                (r["rule"] + (" (stops the pack)" if r.get("severity") == "error" else ""), False),
                (r["title"], False),
                (f"{r['failed']:,}", True),
                (", ".join(sorted({Path(f).parent.name for f in r["files"]})), False),
                (r["fix"], False),
            ]
            for r in dfe.failing
        ],
    )
    return intro + table


def data_quality_page(report: ValidationReport, inputs: Inputs, nav: list[dict], footer: str) -> str:
    """What was checked, what failed and how many rows, and what the analyst should fix."""
    files = "".join(f"<li>{html.escape(_file_label(f, report.folder))}</li>" for f in report.checked_files)
    per_rule = Counter(f.rule for f in report.warnings)
    summary = (
        '<div class="rp-ok"><strong>No errors.</strong> Nothing found would make the figures in this pack wrong.</div>'
        if not report.errors
        else f'<div class="rp-error"><strong>{len(report.errors)} errors.</strong></div>'
    )
    warnings_part = (
        findings_table(report.warnings, report.folder, "Warnings: minor problems that do not stop the pack")
        if report.warnings
        else "<p>No warnings.</p>"
    )
    merge_table = html_table(
        "Merging the yearly returns",
        ["What", "Rows"],
        [
            [(label, False), (f"{value:,}" if isinstance(value, int) else str(value), isinstance(value, int))]
            for label, value in inputs.merge.as_rows()
        ],
    )
    merge_warnings = inputs.merge.warnings()
    returns_part = (
        '<div class="rp-error"><strong>The returns need checking.</strong><ul>'
        + "".join(f"<li>{html.escape(w)}</li>" for w in merge_warnings)
        + "</ul></div>"
        if merge_warnings
        else "<p>Every return year between the first and the last is present.</p>"
    )
    body = f"""
<h1>Data quality</h1>
<p class="rp-sub">What was checked before any figure was calculated</p>
{summary}
<h2>What was checked</h2>
<p>Every input file was checked against {report.checks_run:,} rules: the columns the DfE return requires,
that every date can be read, that every code is on the DfE's list, that no episode of care ends before it starts,
and more. Problems that would make figures wrong stop the pack from being built; smaller problems are listed
below as warnings, with what to fix. {len(per_rule)} rule{"s" if len(per_rule) != 1 else ""} gave warnings.</p>
<ul>{files}</ul>
<h2>The DfE's validation rules</h2>
{dfe_block(report)}
<h2>Warnings</h2>
{warnings_part}
<h2>Nothing dropped without being counted</h2>
<p>Each year's return repeats the episodes still open at 31 March, and councils correct earlier years when they
send the next return. The latest return is used for the year it covers: an earlier return's episode that was still
open, or ended, in that year is replaced by the later return's episodes for the child, as the DfE keeps only the
corrected history. This table shows how many rows that affected; the list of replaced episodes, child by child, is
in the analyst-only folder.</p>
{returns_part}
{merge_table}
"""
    return render(
        "Data quality",
        body,
        nav=[{**n, "current": n["href"] == "data_quality.html"} for n in nav],
        footer=footer,
        synthetic=inputs.authority.synthetic,
    )


def analyst_validation_page(report: ValidationReport, marking: str) -> str:
    """Every finding with its example values (which may identify children): analyst only."""
    body = f"""
<div class="rp-error"><strong>{html.escape(marking)}.</strong> This page can identify children. Keep it on the
analyst's machine; it is not part of the review pack.</div>
<h1>Validation: every finding</h1>
<p>Input folder: {html.escape(report.folder)}. {report.checks_run:,} checks on {len(report.checked_files)} files.</p>
{findings_table(report.findings, report.folder, "Errors and warnings, with example values", all_examples=True)}
"""
    return render("Validation (analyst only)", body, nav=[], footer=marking, synthetic=False)
