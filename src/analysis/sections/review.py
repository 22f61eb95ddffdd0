"""One review: the inputs read once, every section computed once, every view rendered from that.

`Review` is the one door in, for the build and for analysts alike::

    from analysis import Review
    review = Review("data/local/herefordshire", "2024-03")
    review.children_in_care.series      # a section, computed on first use and kept
    review.metrics                      # every headline figure, tidy and unsuppressed
    review.children_on("2024-03-31")    # child-level building blocks (see `analysis.sections.explore`)

The build makes one `Review`, computes every section, saves it to the staging folder
(`save`), and each notebook opens that file (`Review.open(..., review_file=...)`) instead of
reading the inputs and computing again. A notebook run on its own in JupyterLab, with only
`data_dir` and `period`, computes the same objects through the same functions.
"""

from __future__ import annotations

import html
import pickle
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from analysis.core.periods import parse_period
from analysis.load import ssda903
from analysis.load.inputs import Inputs, load_inputs
from analysis.metrics import relations
from analysis.metrics.tidy import combine
from analysis.sections import children_in_care, discharges_section, sgo_section, stability_section, workforce_section

if TYPE_CHECKING:  # pragma: no cover
    from analysis.core.findings import ValidationReport

#: The sections a review computes, in page order (attribute names of `Review`).
SECTION_NAMES = ("children_in_care", "discharges", "workforce", "sgo", "stability")


@dataclass(frozen=True)
class Parameters:
    """Every choice a section takes beyond the data and the period; each reaches the pages and metrics.csv alike."""

    #: A plan open at a stage for longer than this many days is "stuck" (discharge and SGO pipelines).
    stuck_days: int = sgo_section.STUCK_DAYS
    #: A caseload above this many children counts as high (workforce).
    caseload_threshold: int = workforce_section.CASELOAD_THRESHOLD


@dataclass
class Review:
    """The inputs of one review, loaded once, and each section computed once on first use.

    Fields: `data_dir`, `period` ("YYYY-MM"; default: the month of the latest date in the 903),
    `parameters`. Attributes computed on first use and kept: `inputs` (typed frames, see
    `analysis.load.inputs.Inputs`), the sections `children_in_care`, `discharges`, `workforce` (None
    without a workforce snapshot), `sgo` and `stability` (None without allocations), and
    `metrics` (every section's tidy metrics, unsuppressed: metric, breakdown, period, value).
    `timings` records seconds per step.

    The child-level building blocks (`analysis.sections.explore`), on this review's inputs: `episodes` (one
    row per 903 episode), `header` (one row per child), `periods_of_care` (one row per period of
    care, computed once), `children_on(dates)` (one row per child looked after at each date, with
    the open episode: the status on a date), `tracker` (one row per child per tracker route) and
    `tracker_status(day)` (where each plan stood on a day: the tracker positions). `end` is the
    review period's last day. `validation` runs the full input checks once, on first use.

    In a notebook a review shows a short summary (inputs, period, warnings, sections and each
    frame's grain and size: `describe`), never the frames themselves; `explore.fields(section)`
    lists what a section holds.
    """

    data_dir: Path
    period: str = ""
    parameters: Parameters = field(default_factory=Parameters)
    timings: dict[str, float] = field(default_factory=dict)
    _inputs: Inputs | None = None

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)
        if self._inputs is None:
            self._inputs = self._timed("load", lambda: load_inputs(self.data_dir))
        if not self.period:
            self.period = default_period(self._inputs)
        # A malformed period is a ValueError; one the returns do not cover, an InputError naming their coverage.
        ssda903.check_period(self._inputs.episodes, self.period, self.data_dir / "ssda903")

    @classmethod
    def from_inputs(cls, inputs: Inputs, period: str, parameters: Parameters | None = None) -> Review:
        """A review of inputs already loaded (the build loads once, after validating)."""
        return cls(inputs.folder, period, parameters or Parameters(), _inputs=inputs)

    @classmethod
    def open(cls, data_dir: str | Path, period: str = "", review_file: str | Path = "", **parameters: Any) -> Review:
        """The review a notebook renders: the build's saved one when `review_file` is given, else computed here."""
        from analysis.core import disclosure

        if review_file:
            from analysis.sections.report import quiet_build

            quiet_build()  # a build's kernel: silence known third-party warnings, nothing else
            review = cls.load(review_file)
        else:
            review = cls(Path(data_dir), period, Parameters(**parameters))
        # One disclosure decision for every table and chart this kernel shows (computed here on first use when
        # the notebook runs on its own; the build's review holds it already).
        disclosure.set_policy(review.inputs.authority.disclosure)
        disclosure.set_figures(lambda: review.figures)
        return review

    # --- the sections, each computed once ------------------------------------------------------

    @property
    def inputs(self) -> Inputs:
        assert self._inputs is not None
        return self._inputs

    @cached_property
    def children_in_care(self) -> children_in_care.ChildrenInCare:
        return self._timed(
            "children_in_care",
            lambda: children_in_care.prepare(self.inputs, self.period),
        )

    @cached_property
    def discharges(self) -> discharges_section.DischargesSection:
        return self._timed(
            "discharges",
            lambda: discharges_section.prepare(self.inputs, self.period, stuck_days=self.parameters.stuck_days),
        )

    @cached_property
    def workforce(self) -> workforce_section.WorkforceSection | None:
        if workforce_section.missing_input(self.inputs, self.period) is not None:
            return None
        return self._timed(
            "workforce",
            lambda: workforce_section.prepare(
                self.inputs, self.period, caseload_threshold=self.parameters.caseload_threshold
            ),
        )

    @cached_property
    def sgo(self) -> sgo_section.SgoSection:
        return self._timed(
            "sgo", lambda: sgo_section.prepare(self.inputs, self.period, stuck_days=self.parameters.stuck_days)
        )

    @cached_property
    def stability(self) -> stability_section.StabilitySection | None:
        if stability_section.missing_input(self.inputs, self.period) is not None:
            return None
        return self._timed("stability", lambda: stability_section.prepare(self.inputs, self.period))

    @cached_property
    def metrics(self) -> pl.DataFrame:
        """Every section's metrics (see docs/metrics.md), unsuppressed, from the sections above."""

        def compute() -> pl.DataFrame:
            frames = [
                children_in_care.metrics(self.children_in_care),
                discharges_section.metrics(self.discharges),
                sgo_section.metrics(self.sgo),
            ]
            if self.workforce is not None:
                frames.append(workforce_section.metrics(self.workforce))
            if self.stability is not None:
                frames.append(stability_section.metrics(self.stability))
            return combine(frames)

        return self._timed("metrics", compute)

    @cached_property
    def figures(self) -> relations.Figures:
        """The pack-wide disclosure decision: every figure published and the ones hidden ("c"), primary and
        complementary, over every relation between them (`analysis.metrics.relations`). Computed once; every
        page table, chart, tables.xlsx and the pack's metrics.csv take their hidden cells from it."""
        return self._timed(
            "disclosure_control", lambda: relations.figures(self.metrics, self.inputs.authority.disclosure)
        )

    def compute(self) -> Review:
        """Compute every section, the metrics and the disclosure decision now (the build does this once,
        before rendering)."""
        for name in SECTION_NAMES:
            getattr(self, name)
        _ = self.metrics
        _ = self.figures
        return self

    # --- the child-level building blocks (analysis.sections.explore), on these inputs ------------------------

    @property
    def end(self) -> date:
        """The last day of the review period (31 March 2024 for "2024-03")."""
        return parse_period(self.period)

    @property
    def episodes(self) -> pl.DataFrame:
        """The 903 episodes, merged across the years: one row per episode (CHILD, DECOM, LS, PLACE, DEC, REC, …)."""
        return self.inputs.episodes

    @property
    def header(self) -> pl.DataFrame:
        """The 903 header, merged across the years: one row per child (CHILD, SEX, DOB, ETHNIC, …)."""
        return self.inputs.header

    @property
    def tracker(self) -> pl.DataFrame | None:
        """The permanence tracker as read: one row per child per route; None without `permanence.csv`."""
        return self.inputs.permanence

    @cached_property
    def periods_of_care(self) -> pl.DataFrame:
        """One row per period of care (`analysis.sections.explore.periods_of_care`), computed once."""
        from analysis.sections import explore

        return self._timed("periods_of_care", lambda: explore.periods_of_care(self.episodes))

    def children_on(self, dates: Any = None) -> pl.DataFrame:
        """The children looked after at the end of each of `dates` (default: `end`), with their open episode:
        one row per (date, CHILD). See `analysis.sections.explore.children_on`; feeds `cla_count`."""
        from analysis.sections import explore

        return explore.children_on(self.episodes, self.end if dates is None else dates)

    def tracker_status(self, day: Any = None, route: str | None = None) -> pl.DataFrame:
        """Where each tracker plan stood on `day` (default: `end`), with `stuck` at this review's `stuck_days`:
        one row per tracker row. See `analysis.sections.explore.tracker_status`; feeds the pipeline metrics."""
        from analysis.sections import explore

        if self.tracker is None:
            raise ValueError(f"{self.data_dir} has no permanence tracker (permanence.csv)")
        return explore.tracker_status(
            self.tracker, self.end if day is None else day, route, stuck_days=self.parameters.stuck_days
        )

    @cached_property
    def validation(self) -> ValidationReport:
        """The full input checks (Great Expectations suites and the 903 rules), run once: errors and warnings."""
        from analysis.checks.validation import validate_inputs

        return self._timed("validation", lambda: validate_inputs(self.data_dir))

    # --- saving for the notebooks of one build -------------------------------------------------

    def save(self, path: str | Path) -> Path:
        """Write the computed review to `path`: a pickle in the build's staging folder (never published)."""
        path = Path(path)
        with path.open("wb") as handle:
            pickle.dump(self, handle, protocol=pickle.HIGHEST_PROTOCOL)
        return path

    @classmethod
    def load(cls, path: str | Path) -> Review:
        """Read a review written by `save` in this build (only ever a file this package wrote)."""
        with Path(path).open("rb") as handle:
            review = pickle.load(handle)
        if not isinstance(review, cls):
            raise TypeError(f"{path} does not hold a review")
        return review

    # --- display -------------------------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        """What the review holds, in brief: inputs, period, parameters, sections computed so far, each frame's size."""
        inputs = self.inputs
        frames = {
            name: f"{frame.height:,} rows × {frame.width} columns"
            for name, frame in [
                ("header (one row per child)", inputs.header),
                ("episodes (one row per episode)", inputs.episodes),
                ("uasc", inputs.uasc),
                ("workforce", inputs.workforce),
                ("permanence", inputs.permanence),
                ("allocations", inputs.allocations),
            ]
            if frame is not None
        }
        return {
            "data": str(self.data_dir),
            "authority": inputs.authority.name,
            "period": self.period,
            "parameters": asdict(self.parameters),
            "inputs": frames,
            "sections computed": [n for n in SECTION_NAMES if n in self.__dict__],
        }

    def warnings(self) -> list[str]:
        """What a reader of these figures should know about the inputs: missing optional inputs, merging
        notes, and (once `validation` has run) the checks' error and warning counts."""
        inputs = self.inputs
        notes = []
        for frame, what in [
            (inputs.population, "no population estimates (context/population.csv): rates per 10,000 are blank"),
            (inputs.workforce, "no workforce snapshot (workforce.csv): the workforce section is empty"),
            (inputs.permanence, "no permanence tracker (permanence.csv): the pipelines are empty"),
            (inputs.comparators, "no comparators (context/comparators.csv)"),
        ]:
            if frame is None:
                notes.append(what)
        merge = inputs.merge
        if merge.conflicts:
            notes.append(f"{merge.conflicts:,} episodes had two different closed versions in one return")
        if merge.legacy_rec_mapped:
            notes.append(f"{merge.legacy_rec_mapped:,} legacy REC codes read as current codes")
        if "validation" in self.__dict__:
            report = self.validation
            notes.append(f"input checks: {len(report.errors):,} errors, {len(report.warnings):,} warnings")
        else:
            notes.append("input checks not run here: `review.validation` runs them (the build always does)")
        return notes

    def frames(self) -> pl.DataFrame:
        """Every frame the review holds so far, without showing any: one row per frame.

        Columns: part (inputs, blocks, or a section name), field, rows, columns, grain.
        """
        from analysis.sections import explore

        inputs = self.inputs
        rows = [
            ("inputs", "header", inputs.header, "one row per child"),
            ("inputs", "episodes", inputs.episodes, "one row per 903 episode"),
            ("inputs", "uasc", inputs.uasc, "one row per unaccompanied asylum-seeking child"),
            ("inputs", "workforce", inputs.workforce, "one row per post per snapshot"),
            ("inputs", "permanence", inputs.permanence, "one row per child per tracker route"),
            ("inputs", "population", inputs.population, "one row per mid-year estimate"),
        ]
        if "periods_of_care" in self.__dict__:
            rows.append(("blocks", "periods_of_care", self.periods_of_care, "one row per period of care"))
        out = [
            {"part": part, "field": name, "rows": f.height, "columns": f.width, "grain": grain}
            for part, name, f, grain in rows
            if f is not None
        ]
        for name in SECTION_NAMES:
            section = self.__dict__.get(name)
            if section is None:
                continue
            for row in explore.fields(section).filter(pl.col("rows").is_not_null()).iter_rows(named=True):
                out.append({"part": name, **{k: row[k] for k in ("field", "rows", "columns", "grain")}})
        schema = {"part": pl.String, "field": pl.String, "rows": pl.Int64, "columns": pl.Int64, "grain": pl.String}
        return pl.DataFrame(out, schema=schema)

    def _repr_markdown_(self) -> str:
        d = self.describe()
        lines = [
            f"**Review of {d['authority']}** for {d['period']} (`{d['data']}`)",
            "",
            "| part | frame | rows × columns | grain |",
            "|---|---|---|---|",
        ]
        for row in self.frames().iter_rows(named=True):
            lines.append(f"| {row['part']} | `{row['field']}` | {row['rows']:,} × {row['columns']} | {row['grain']} |")
        computed = ", ".join(d["sections computed"]) or "none yet"
        lines += ["", f"Parameters: {d['parameters']}. Sections computed: {computed}."]
        lines += ["", "Warnings:", *[f"- {w}" for w in self.warnings()]]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        d = self.describe()
        esc = html.escape
        frames = self.frames()
        body = "".join(
            f"<tr><td>{esc(r['part'])}</td><td><code>{esc(r['field'])}</code></td>"
            f"<td style='text-align:right'>{r['rows']:,} × {r['columns']}</td><td>{esc(r['grain'])}</td></tr>"
            for r in frames.iter_rows(named=True)
        )
        warnings = "".join(f"<li>{esc(w)}</li>" for w in self.warnings())
        computed = ", ".join(d["sections computed"]) or "none yet (each is computed on first use)"
        return (
            f"<div class='rp-review'><p><strong>Review of {esc(d['authority'])}</strong> for {esc(d['period'])} "
            f"(<code>{esc(d['data'])}</code>)</p>"
            f"<p>Sections computed: {esc(computed)}. Parameters: {esc(str(d['parameters']))}.</p>"
            f"<details><summary>{frames.height} frames held (grain and size)</summary><table>"
            f"<thead><tr><th>part</th><th>frame</th><th>rows × columns</th><th>grain</th></tr></thead>"
            f"<tbody>{body}</tbody></table></details>"
            f"<p>Warnings:</p><ul>{warnings}</ul></div>"
        )

    def __repr__(self) -> str:
        d = self.describe()
        lines = [f"Review of {d['authority']} for {d['period']} ({d['data']})"]
        lines += [f"  {k}: {v}" for k, v in d["inputs"].items()]
        lines.append(f"  parameters: {d['parameters']}")
        lines.append(f"  sections computed: {', '.join(d['sections computed']) or 'none yet'}")
        return "\n".join(lines)

    def _timed(self, step: str, work: Any) -> Any:
        t0 = time.perf_counter()
        result = work()
        self.timings[step] = round(time.perf_counter() - t0, 3)
        return result


def default_period(inputs: Inputs) -> str:
    """The month of the latest date in the episodes (normally the return's 31 March)."""
    latest = inputs.episodes.select(pl.max_horizontal(pl.col("DECOM").max(), pl.col("DEC").max())).item()
    return f"{latest.year:04d}-{latest.month:02d}"
