"""Sweep results: per-chunk Arrow tables, outcome counts and Wilson intervals, the summary."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pyarrow as pa

from negotiation.drivers.batch import BatchResult
from negotiation.kernel.structure import Structure
from negotiation.scenario.params import ParamSpace

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


def outcome_block(st: Structure, counts: np.ndarray) -> dict:
    """``{outcome: {p, ci95, n}}`` for every outcome class, zero or not."""
    n = int(counts.sum())
    out = {}
    for k, name in enumerate(st.outcomes):
        lo, hi = wilson(int(counts[k]), n)
        out[name] = {
            "p": round(counts[k] / n, 12) if n else 0.0,
            "ci95": [round(lo, 12), round(hi, 12)],
            "n": int(counts[k]),
        }
    return out


def chunk_table(
    st: Structure, space: ParamSpace, res: BatchResult, draw: np.ndarray, n_draws: int, swept: list[str]
) -> pa.Table:
    """One chunk's rows: draw index, point, row, outcome, rounds, end date, agreement, utilities
    and the values of the uncertain and swept parameters (``swept``: the names points set)."""
    draw = np.asarray(draw, dtype=np.int64)
    cols = {
        "draw": pa.array(draw),
        "point": pa.array((draw // n_draws).astype(np.int32)),
        "row": pa.array(draw % n_draws),
        "outcome": pa.array(np.array(st.outcomes, dtype=object)[res.outcome], type=pa.string()),
        "rounds": pa.array(res.rounds.astype(np.int16)),
        "end_date": pa.array(res.end_day - dt.date(1970, 1, 1).toordinal(), type=pa.int32()).cast(pa.date32()),
    }
    agreed = res.outcome < 1 + len(st.pairs)
    for i, issue in enumerate(st.issues):
        x = res.agreement[:, i]
        if i in st.options:
            names = np.array(st.options[i], dtype=object)[np.where(agreed, np.rint(np.nan_to_num(x)), 0).astype(int)]
            cols[f"x.{issue}"] = pa.array(np.where(agreed, names, None), type=pa.string())
        else:
            cols[f"x.{issue}"] = pa.array(np.where(agreed, x, np.nan))
    for p, party in enumerate(st.parties):
        cols[f"u.{party}"] = pa.array(res.utilities[:, p])
    shown = [i for i, s in enumerate(space.slots) if s.uncertain or s.name in swept]
    for i in shown:
        cols[f"param.{space.slots[i].name}"] = pa.array(res.values[:, i])
    return pa.table(cols)
