"""The authority's settings file, `la.toml`: who the authority is and the targets set at review."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import InputError


@dataclass(frozen=True)
class Authority:
    """One local authority's settings, read from `la.toml` (see data/README.md)."""

    code: str
    name: str
    dfe_code: int | None = None
    region: str | None = None
    synthetic: bool = False
    #: metric id → {period "YYYY-MM" → target value}
    targets: dict[str, dict[str, float]] = field(default_factory=dict)


def load_authority(path: Path) -> Authority:
    """Read `la.toml`; a missing file or a missing `[authority]` code or name is an InputError."""
    if not path.exists():
        raise InputError(path, "the authority settings file is missing; see data/README.md")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, f"not valid TOML ({exc})") from exc
    auth = raw.get("authority", {})
    for key in ("code", "name"):
        if not auth.get(key):
            raise InputError(path, f"[authority] needs a '{key}'", column=key)
    targets = {
        metric: {str(k): float(v) for k, v in values.items()} for metric, values in raw.get("targets", {}).items()
    }
    return Authority(
        code=str(auth["code"]),
        name=str(auth["name"]),
        dfe_code=auth.get("dfe_code"),
        region=auth.get("region"),
        synthetic=bool(auth.get("synthetic", False)),
        targets=targets,
    )
