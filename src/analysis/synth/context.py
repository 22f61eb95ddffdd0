"""Write la.toml and the context files (population and published comparators)."""

from __future__ import annotations

from pathlib import Path

from . import calibration as cal
from ._util import write_csv

LA_CODE = "E06000019"


def write_la_toml(root: Path) -> Path:
    """The authority file, flagged synthetic, with the agency-rate target trajectory."""
    targets = ", ".join(f'"{k}" = {v:.1f}' for k, v in cal.AGENCY_RATE_TARGETS.items())
    text = (
        "# Synthetic input folder written by `analysis.synth.generate` (see docs/data_log.md).\n"
        "[authority]\n"
        f'code = "{LA_CODE}"\n'
        "dfe_code = 884\n"
        'name = "Herefordshire"\n'
        'region = "West Midlands"\n'
        "synthetic = true\n"
        "\n"
        "[targets]  # invented for the synthetic data: trajectories a review might set\n"
        f"agency_rate = {{ {targets} }}\n"
        'cla_rate_per_10k = { "2023-03" = 105.0, "2024-03" = 100.0 }\n'
        'vacancy_rate = { "2023-09" = 25.0, "2024-03" = 20.0 }\n'
        'caseload_over_threshold_share = { "2023-09" = 15.0, "2024-03" = 10.0 }\n'
        'permanent_team_managers = { "2023-12" = 15.0, "2024-03" = 17.0 }\n'
        'same_worker_12m_share = { "2023-12" = 25.0, "2024-03" = 30.0 }\n'
    )
    path = root / "la.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return path


def write_population(root: Path) -> Path:
    """context/population.csv: approximate under-18 population, derived, not ONS."""
    rows = [
        (LA_CODE, year, value, f"Approximate, derived for synthetic data (not an ONS estimate): {note}")
        for year, (value, note) in sorted(cal.POPULATION.items())
    ]
    return write_csv(root / "context" / "population.csv", ("la_code", "mid_year", "population_0_17", "source"), rows)


def write_comparators(root: Path) -> Path:
    """context/comparators.csv: published comparator figures only, with their sources."""
    rows = [(metric, area, period, _number(value), source) for metric, area, period, value, source in cal.COMPARATORS]
    return write_csv(root / "context" / "comparators.csv", ("metric", "area", "period", "value", "source"), rows)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
