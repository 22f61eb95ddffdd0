"""Children's services review pack: analysis functions shared by the notebooks, the CLI and the tests.

Start here (analysts):

- `analysis.Review` (`analysis.sections.review.Review`): one review's inputs, loaded once, with every section and
  the tidy metrics computed on first use. `Review("data/local/herefordshire", "2024-03")`.
- `analysis.sections.explore`: the child-level building blocks, documented with their grain, columns,
  units and the metric ids they feed: `children_on`, `age_on`, `periods_of_care`,
  `ceases_by_route`, `reentries`, `agency_rate`, `tracker_status`.
- `analysis.core.definitions`: every metric id, its definition, source and the function computing it.

The rest, by what it holds:

- loading and checks: `inputs`, `ssda903`, `readers`, `config`, `validation`, `suites`, `rules`;
- the 903 definitions: `codes` (code lists), `cla` (looked after on a date, rates),
  `care_periods` (periods of care, routes out), `cla_mix`, `discharges`, `sgo`;
- the workforce and the permanence tracker: `workforce`, `permanence`, `permanence_ageing`,
  `permanence_applications`, `reconciliation`;
- the pack's sections (what each page shows): `children_in_care`, `discharges_section`,
  `workforce_section`, `sgo_section`, `pipeline_section`, `summary`, `scorecard`;
- presentation and the build: `report`, `charts`, `tables`, `disclosure`, `pages`, `build`, `cli`;
- `national`: the same definitions grouped by authority; `synth`: the synthetic data.

`import analysis` stays light: `Review` is imported on first use.
"""

from __future__ import annotations

import sys as _sys
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# altair imports jsonschema, whose format checkers import `rfc3987_syntax` when it is installed (Jupyter's
# jsonschema[format-nongpl] brings it) only to check the "iri" format, which no schema here uses. Building its
# grammar takes about 1.7 s of CPU, more than everything else a notebook kernel imports (benchmarks/README.md).
# Marked absent before anything imports jsonschema, it is skipped; a process that imported it first keeps it.
_sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
# Likewise `rfc3986_validator` (about 0.1 s), which checks the "uri" format: in the Vega-Lite schema only the
# `$schema` URL altair writes itself. jsonschema skips a format it has no checker for.
_sys.modules.setdefault("rfc3986_validator", None)  # type: ignore[arg-type]

if TYPE_CHECKING:  # pragma: no cover
    from analysis.sections.review import Review as Review


def __getattr__(name: str) -> Any:
    """`from analysis import Review, explore` imports `analysis.sections.review` (and `analysis.sections.explore`)
    only then: they load polars, altair and the sections."""
    if name == "Review":
        from analysis.sections.review import Review

        return Review
    if name == "explore":
        from analysis.sections import explore

        return explore
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")
