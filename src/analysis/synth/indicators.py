"""context/indicators.csv: the other indicators the Commissioner's reports track, month by month.

Each series is interpolated between published anchor points (cited by seed file and line),
with a little deterministic noise. Targets are invented for the synthetic data and say so.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

from ._util import month_key, months, write_csv

#: metric → (label, unit, better, target, anchors {YYYY-MM: value}, source)
INDICATORS: dict[str, tuple[str, str, str, float, dict[str, float], str]] = {
    "cp_conferences_face_to_face": (
        "Child protection conferences held face to face",
        "percent",
        "higher",
        90.0,
        {
            "2019-04": 95,
            "2020-03": 90,
            "2020-05": 5,
            "2021-06": 10,
            "2022-06": 30,
            "2023-05": 60,
            "2023-09": 80,
            "2024-03": 86,
        },
        "[DFE-COMMISSIONER-2023-12]: 125 of 157 conferences face to face (80%), Aug-Oct 2023",
    ),
    "cic_reviews_face_to_face": (
        "Children-in-care reviews held face to face",
        "percent",
        "higher",
        80.0,
        {
            "2019-04": 90,
            "2020-03": 85,
            "2020-05": 5,
            "2021-06": 15,
            "2022-06": 35,
            "2023-05": 55,
            "2023-09": 65,
            "2024-03": 72,
        },
        "[DFE-COMMISSIONER-2023-12]: 138 of 213 reviews face to face (65%), Aug-Oct 2023",
    ),
    "assessments_no_further_action": (
        "Assessments closed with no further social work",
        "percent",
        "lower",
        50.0,
        {"2019-04": 55, "2021-04": 62, "2023-03": 72, "2023-10": 66, "2024-03": 60},
        "[DFE-COMMISSIONER-2023-12]: over 70% not resulting in further support; 66% closed on completion",
    ),
    "same_social_worker_12m": (
        "Children in care with the same social worker for the last 12 months",
        "percent",
        "higher",
        40.0,
        {"2019-04": 30, "2021-04": 22, "2022-06": 14, "2023-01": 11.8, "2023-07": 19, "2024-03": 27},
        "[DFE-COMMISSIONER-2023-12]: 11.8% in January 2023 to 19% in July 2023",
    ),
    "re_referral_rate": (
        "Referrals that are re-referrals within 12 months",
        "percent",
        "lower",
        22.0,
        {"2019-04": 30, "2020-03": 26, "2020-09": 39, "2021-04": 30, "2022-06": 30, "2023-06": 28, "2024-03": 25},
        "[HC-SCRUTINY-2020-12]: 39% in September 2020; [DFE-COMMISSIONER-2023-12]: averaged 28%, benchmark about 20%",
    ),
    "cp_plans_per_10k": (
        "Children on a child protection plan per 10,000 children",
        "per_10k",
        "neutral",
        0.0,
        {"2019-04": 40, "2020-09": 35, "2022-03": 79, "2023-03": 75, "2023-10": 69, "2024-03": 62},
        "[HC-SCRUTINY-2020-12]: 35 per 10,000 (September 2020); [HSCP-2021-22]: 286 plans at 31/03/22; "
        "[DFE-COMMISSIONER-2023-12]: 69",
    ),
}

SYNTHETIC_TARGET = "target invented for the synthetic data"


def _interpolate(anchors: dict[str, float], key: str) -> float:
    keys = sorted(anchors)
    if key <= keys[0]:
        return anchors[keys[0]]
    if key >= keys[-1]:
        return anchors[keys[-1]]
    index = [int(k[:4]) * 12 + int(k[5:]) for k in keys]
    at = int(key[:4]) * 12 + int(key[5:])
    for (a, b), (ia, ib) in zip(itertools.pairwise(keys), itertools.pairwise(index), strict=True):
        if ia <= at <= ib:
            return anchors[a] + (anchors[b] - anchors[a]) * (at - ia) / (ib - ia)
    raise AssertionError(key)


def write_indicators(root: Path, seed: int, first: str = "2019-04", last: str = "2024-03") -> Path:
    """One row per indicator per month: metric, period, value, target, source, label, unit, better."""
    rows = []
    for metric, (label, unit, better, target, anchors, source) in INDICATORS.items():
        rng = random.Random(f"{seed}-indicator-{metric}")
        for year, month in months(first, last):
            key = month_key(year, month)
            value = max(0.0, _interpolate(anchors, key) + rng.uniform(-1.5, 1.5))
            rows.append(
                (
                    metric,
                    key,
                    f"{value:.1f}",
                    f"{target:.1f}" if target else "",
                    f"Synthetic, calibrated to {source}; {SYNTHETIC_TARGET}"
                    if target
                    else f"Synthetic, calibrated to {source}",
                    label,
                    unit,
                    better,
                )
            )
    columns = ("metric", "period", "value", "target", "source", "label", "unit", "better")
    return write_csv(root / "context" / "indicators.csv", columns, rows)
