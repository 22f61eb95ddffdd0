"""JupyterLab settings for this repository: `make lab` passes this file with `--config`.

- Saving a notebook under `notebooks/` (the pack's sections and the exploration example) strips its
  outputs and execution counts, as they are committed: outputs can hold child-level figures, and
  the tests require those notebooks clean. Your own notebooks in `work/` (git-ignored) keep theirs.
- No network: JupyterLab neither fetches its news feed nor checks for updates.

`REVIEW_PACK_ROOT` (as in `analysis.core.paths`) points the hook at another checkout (the tests use it).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

#: Notebooks saved under these folders are saved without outputs.
ROOT = Path(os.environ.get("REVIEW_PACK_ROOT") or Path(__file__).resolve().parent).resolve()
CLEAN = [ROOT / "notebooks"]


def strip_outputs(model: dict[str, Any], path: str, contents_manager: Any, **kwargs: Any) -> None:
    """Pre-save hook: empty the outputs and execution counts of a notebook saved under `CLEAN`."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    target = (Path(contents_manager.root_dir) / path.lstrip("/")).resolve()
    if not any(target.is_relative_to(folder) for folder in CLEAN):
        return
    for cell in model["content"].get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cell.get("metadata", {}).pop("execution", None)


# Jupyter reads this file twice (the server, then JupyterLab), setting the same hook twice: say nothing of it.
warnings.filterwarnings("ignore", message=r"Overriding existing pre_save_hook \(strip_outputs\)", category=UserWarning)

c = get_config()  # type: ignore[name-defined]  # noqa: F821
c.ContentsManager.pre_save_hook = strip_outputs
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.handlers.announcements.NeverCheckForUpdate"
