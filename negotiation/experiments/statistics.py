"""The statistics a sweep reports: outcome and path shares with Wilson 95% score intervals."""

from __future__ import annotations

import math

import numpy as np

Z95 = 1.959963984540054


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    denom = 1 + z * z / n
    center = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, center - half), min(1.0, center + half))


def outcome_block(st, counts: np.ndarray) -> dict:
    """``{outcome: {p, ci95, n}}`` for every outcome class, zero or not."""
    return odds_block(st.outcomes, counts)


def odds_block(names: list[str], counts: np.ndarray, n: int | None = None) -> dict:
    """``{name: {p, ci95, n}}`` for every name, zero or not: the share of ``n`` draws (default:
    the sum of ``counts``) counted under each name, with its Wilson 95% interval."""
    n = int(counts.sum()) if n is None else int(n)
    out = {}
    for k, name in enumerate(names):
        lo, hi = wilson(int(counts[k]), n)
        out[name] = {
            "p": round(counts[k] / n, 12) if n else 0.0,
            "ci95": [round(lo, 12), round(hi, 12)],
            "n": int(counts[k]),
        }
    return out
