"""Provenance: what a pack was built from — input file hashes, code version, metric definitions."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from analysis.core import paths
from analysis.core.definitions import METRICS


def sha256(path: Path) -> str:
    """The file's SHA-256, hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def input_hashes(folder: Path, files: list[Path]) -> dict[str, str]:
    """Input file (relative to the folder) → SHA-256."""
    return {str(p.relative_to(folder)): sha256(p) for p in files}


def combined_hash(hashes: dict[str, str]) -> str:
    """One short fingerprint of all the inputs: the first 12 hex digits of a hash of the sorted file hashes."""
    text = "\n".join(f"{name} {digest}" for name, digest in sorted(hashes.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def definition_hashes() -> dict[str, str]:
    """Metric id → a short hash of its definition, source and unit: a change means the metric changed meaning."""
    return {
        m.id: hashlib.sha256(f"{m.definition}|{m.source}|{m.unit}|{m.period}".encode()).hexdigest()[:12]
        for m in METRICS.values()
    }


def git_commit() -> str:
    """The checkout's commit, or "unknown" outside git."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=paths.ROOT, capture_output=True, text=True, check=True, timeout=10
        )
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
