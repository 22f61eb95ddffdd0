"""Deterministic synthetic input folder for Herefordshire, calibrated to published figures.

`generate(out_dir, seed)` writes a complete input folder in the contract of
`data/README.md`: `la.toml`, five SSDA903 returns (2020-2024), `workforce.csv`,
`permanence.csv` and `context/`. No row describes a real child or worker. The same seed
gives byte-identical files: every random draw comes from `random.Random` objects seeded
from `seed` and a fixed label, nothing depends on the clock or on set/hash ordering, and
CSVs are UTF-8 with `\\n` line endings and a fixed column order.

Calibration targets and their sources are in `calibration.py`; what the generator
achieves is in `docs/data_log.md` (recomputed by `report.calibration_table`).
"""

from __future__ import annotations

from pathlib import Path

from . import calibration
from .allocations import write_allocations
from .context import write_comparators, write_la_toml, write_population
from .indicators import write_indicators
from .permanence import write_permanence
from .returns import write_returns
from .ssda903 import short_break_children, simulate
from .workforce import write_workforce

__all__ = ["DEFAULT_SEED", "generate", "planted_faults"]

DEFAULT_SEED = 884


def generate(out_dir: Path, seed: int = DEFAULT_SEED) -> dict[str, Path]:
    """Write the synthetic input folder to `out_dir`.

    Parameters
    ----------
    out_dir
        Folder to write (created if needed; files already there are overwritten).
    seed
        Random seed; the default 884 (Herefordshire's DfE code) gives the documented data.

    Returns
    -------
    dict
        File name relative to `out_dir` (e.g. ``"ssda903/2024/episodes.csv"``) -> path.
    """
    out_dir = Path(out_dir)
    files, _ = _generate(out_dir, seed)
    return files


def planted_faults(out_dir: Path, seed: int = DEFAULT_SEED) -> dict[str, list[str]]:
    """Write the folder like `generate` and return the deliberate faults by kind.

    Kinds: ``malformed_upn`` and ``unknown_ethnic`` (CHILD ids in the latest header),
    ``sgo_exit_without_row`` and ``outcome_date_differs_from_dec`` (permanence tracker).
    """
    _, faults = _generate(Path(out_dir), seed)
    return faults


def _generate(out_dir: Path, seed: int) -> tuple[dict[str, Path], dict[str, list[str]]]:
    sim = simulate(seed)
    short_break_children(sim, seed)
    files: dict[str, Path] = {"la.toml": write_la_toml(out_dir)}
    returns, header_faults = write_returns(sim.children, out_dir, calibration.RETURN_YEARS, seed)
    files.update(returns)
    files["workforce.csv"] = write_workforce(out_dir, seed)
    files["allocations.csv"] = write_allocations(sim.children, out_dir, seed)
    files["permanence.csv"], tracker_faults = write_permanence(sim.children, out_dir, seed)
    files["context/population.csv"] = write_population(out_dir)
    files["context/comparators.csv"] = write_comparators(out_dir)
    files["context/indicators.csv"] = write_indicators(out_dir, seed)
    faults = {
        "malformed_upn": header_faults.malformed_upn,
        "unknown_ethnic": header_faults.unknown_ethnic,
        **tracker_faults,
    }
    return files, faults
