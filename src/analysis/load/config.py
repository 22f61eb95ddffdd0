"""The authority's settings file, `la.toml`: who the authority is and the targets set at review.

`la.toml` is optional (data/README.md): without it everything runs, the pack calls the authority
"the authority", and there are no targets and no regional comparator. `MISSING_LA_TOML` says so.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from analysis.core.errors import InputError
from analysis.core.suppression import DEFAULT, Policy


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
    #: False when there is no la.toml and these are the defaults of `UNNAMED`
    configured: bool = True
    #: The pack's disclosure policy (`[disclosure]` in la.toml; see `analysis.core.suppression.Policy`)
    disclosure: Policy = DEFAULT
    #: How many packs of each period the build keeps in outputs/ (`keep` under `[pack]`; older ones are removed)
    keep: int = 10


#: The authority when there is no la.toml: no code, no name, no targets, no region.
UNNAMED = Authority(code="", name="the authority", configured=False)

MISSING_LA_TOML = (
    "There is no la.toml, so the pack calls the authority 'the authority' and shows no targets and no regional "
    "comparator. Add la.toml (see data/README.md) to give the authority's name and code, the targets set at "
    "review and the region whose published figures are drawn as a comparator."
)


_POLICY_KEYS = {"threshold", "audience", "suppress"}


def load_authority(path: Path) -> Authority:
    """Read `la.toml`; without it, `UNNAMED`. A file that is not TOML, or an `[authority]` without a code
    or name, is an InputError."""
    if not path.exists():
        return UNNAMED
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
    try:
        disclosure = Policy(**{k: v for k, v in raw.get("disclosure", {}).items() if k in _POLICY_KEYS})
    except (TypeError, ValueError) as exc:
        raise InputError(path, f"[disclosure]: {exc}", column="disclosure") from exc
    unknown = set(raw.get("disclosure", {})) - _POLICY_KEYS
    if unknown:
        raise InputError(path, f"[disclosure] has unknown settings: {', '.join(sorted(unknown))}", column="disclosure")
    pack = raw.get("pack", {})
    keep = pack.get("keep", Authority.keep) if isinstance(pack, dict) else pack
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
        raise InputError(path, f"[pack] keep must be a whole number of packs, at least 1; got {keep!r}", column="keep")
    return Authority(
        disclosure=disclosure,
        keep=keep,
        code=str(auth["code"]),
        name=str(auth["name"]),
        dfe_code=auth.get("dfe_code"),
        region=auth.get("region"),
        synthetic=bool(auth.get("synthetic", False)),
        targets=targets,
    )
