"""One review: the inputs read once, every section computed once, every view rendered from that.

`Review` is the one door in, for the build and for analysts alike::

    from analysis import Review
    review = Review("data/local/herefordshire", "2024-03")
    review.children_in_care.series      # a section, computed on first use and kept
    review.metrics                      # every headline figure, tidy and unsuppressed

The build makes one `Review`, computes every section, saves it to the staging folder
(`save`), and each notebook opens that file (`Review.open(..., review_file=...)`) instead of
reading the inputs and computing again. A notebook run on its own in JupyterLab, with only
`data_dir` and `period`, computes the same objects through the same functions.
"""

from __future__ import annotations

import pickle
import time
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import polars as pl

from analysis import children_in_care, discharges_section, sgo_section, ssda903, workforce_section
from analysis.inputs import Inputs, load_inputs
from analysis.metrics import combine

#: The sections a review computes, in page order (attribute names of `Review`).
SECTION_NAMES = ("children_in_care", "discharges", "workforce", "sgo")


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
    `analysis.inputs.Inputs`), the sections `children_in_care`, `discharges`, `workforce` (None
    without a workforce snapshot) and `sgo`, and `metrics` (every section's tidy metrics,
    unsuppressed: metric, breakdown, period, value). `timings` records seconds per step.
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
    def open(
        cls, data_dir: str | Path, period: str = "", review_file: str | Path = "", **parameters: Any
    ) -> Review:
        """The review a notebook renders: the build's saved one when `review_file` is given, else computed here."""
        if review_file:
            return cls.load(review_file)
        return cls(Path(data_dir), period, Parameters(**parameters))

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
            return combine(frames)

        return self._timed("metrics", compute)

    def compute(self) -> Review:
        """Compute every section and the metrics now (the build does this once, before rendering)."""
        for name in SECTION_NAMES:
            getattr(self, name)
        _ = self.metrics
        return self

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
