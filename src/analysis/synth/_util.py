"""Small date, random and CSV helpers shared by the synthetic generator's modules.

Everything here is deterministic: no global random state, no clock, no set iteration.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path

ONE_DAY = timedelta(days=1)


def month_end(year: int, month: int) -> date:
    """Return the last day of a month."""
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return nxt - ONE_DAY


def months(first: str, last: str) -> Iterator[tuple[int, int]]:
    """Yield (year, month) from `first` to `last` inclusive, both as 'YYYY-MM'."""
    y, m = (int(x) for x in first.split("-"))
    ly, lm = (int(x) for x in last.split("-"))
    while (y, m) <= (ly, lm):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def month_key(year: int, month: int) -> str:
    """Return 'YYYY-MM'."""
    return f"{year:04d}-{month:02d}"


def add_years(day: date, years: int) -> date:
    """Return the same calendar day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def age_years(dob: date, on: date) -> float:
    """Age in (fractional) years, good enough for sampling decisions."""
    return (on - dob).days / 365.25


def dmy(day: date | None) -> str:
    """Format as dd/mm/yyyy (903 files); blank for None."""
    return "" if day is None else day.strftime("%d/%m/%Y")


def iso(day: date | None) -> str:
    """Format as yyyy-mm-dd; blank for None."""
    return "" if day is None else day.isoformat()


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    """Draw one key of `weights` (insertion order matters for determinism)."""
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def spread(rng: random.Random, total: int, slots: int) -> list[int]:
    """Split `total` into `slots` non-negative integers that sum to it, roughly evenly."""
    if slots <= 0:
        return []
    base = [total // slots] * slots
    for i in rng.sample(range(slots), total % slots):
        base[i] += 1
    # Deterministic jitter that keeps the sum: move up to a third of a slot's size around.
    for _ in range(slots):
        a, b = rng.randrange(slots), rng.randrange(slots)
        move = rng.randint(0, max(0, base[a] // 3))
        base[a] -= move
        base[b] += move
    return base


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    """Write a UTF-8 CSV with a header row, `\\n` line endings and fixed column order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    """Read a CSV written by `write_csv` into a list of dicts (text values)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
