"""Validation findings: one failed check on one file, and the report for a whole input folder."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


@dataclass
class Finding:
    """One failed check on one file: how many rows, which rows, and what to do."""

    file: str
    rule: str
    title: str
    severity: str  # "error" or "warning"
    failed: int
    checked: int
    column: str | None = None
    rows: list[int] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    fix: str = ""

    def message(self) -> str:
        """One line for the terminal: file, rows, column and what failed."""
        where = f"{self.file}"
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:5])
            where += f", row{'s' if len(self.rows) > 1 else ''} {shown}"
            if len(self.rows) > 5:
                where += f" (+{len(self.rows) - 5} more)"
        if self.column:
            where += f", column {self.column}"
        example = f" e.g. {', '.join(self.examples[:3])}" if self.examples else ""
        return (
            f"{self.severity.upper()} [{self.rule}] {where}: {self.title} — failed {self.failed}{example}. {self.fix}"
        )


@dataclass
class DfeCheck:
    """The DfE-rules layer of a validation run (analysis.checks.dfe_rules), for the data-quality page."""

    status: str = "off"  # "checked", "not installed", "not run", "failed" or "off"
    note: str = ""  # plain English: why the rules were not checked, and how to add them
    version: str = ""  # the validator's version (csc-validator-be-903)
    years: list[str] = field(default_factory=list)  # e.g. "2024 (2023/24 rules)"
    rules_checked: int = 0  # distinct rules run on at least one year's return
    rules_crashed: list[str] = field(default_factory=list)  # rules the validator could not run on this data
    #: one dict per failing rule: rule, title, failed (rows, all returns), files, fix, severity
    failing: list[dict] = field(default_factory=list)


@dataclass
class ValidationReport:
    """All findings for one input folder, plus what was checked."""

    folder: str
    findings: list[Finding] = field(default_factory=list)
    checked_files: list[str] = field(default_factory=list)
    checks_run: int = 0
    dfe: DfeCheck = field(default_factory=DfeCheck)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, default=str)

    @classmethod
    def from_json(cls, text: str) -> ValidationReport:
        data = json.loads(text)
        data["findings"] = [Finding(**f) for f in data["findings"]]
        data["dfe"] = DfeCheck(**data.get("dfe", {}))
        return cls(**data)
