"""Scenario discovery: the conditions under which an outcome is most likely (PRIM peeling).

Patient Rule Induction (Friedman and Fisher 1999), peeling only: starting from the box of all
sampled parameter values, repeatedly cut away the ``alpha`` share of the draws at the low or
high end of the one parameter whose cut raises the outcome's rate in the box the most, while the
box keeps at least ``min_support`` of the draws. The result is said in words.
"""

from __future__ import annotations

import numpy as np


def prim_box(
    x: np.ndarray,
    y: np.ndarray,
    names: list[str],
    alpha: float = 0.05,
    min_support: float = 0.1,
    max_restrictions: int = 3,
    min_lift: float = 0.01,
) -> dict:
    """Peel a box over the columns of ``x`` (N, D) that raises the mean of boolean ``y``.

    Returns {"bounds": {name: [lo, hi]} for restricted parameters, "p_box", "p_all", "support"}.
    At most ``max_restrictions`` parameters are restricted, so the box stays readable, and a
    restriction that adds less than ``min_lift`` to the box's rate is dropped again.
    """
    n = len(y)
    inside = np.ones(n, dtype=bool)
    lo = x.min(axis=0).astype(float)
    hi = x.max(axis=0).astype(float)
    used: set[int] = set()
    y = np.asarray(y, dtype=float)
    while inside.sum() > min_support * n:
        best = None
        cur = y[inside].mean() if inside.any() else 0.0
        for d in range(x.shape[1]):
            if len(used) >= max_restrictions and d not in used:
                continue
            col = x[inside, d]
            for side in ("low", "high"):
                q = np.quantile(col, alpha if side == "low" else 1 - alpha)
                keep = inside & ((x[:, d] >= q) if side == "low" else (x[:, d] <= q))
                k = keep.sum()
                if k < min_support * n or k == inside.sum() or k == 0:
                    continue
                gain = y[keep].mean() - cur
                if best is None or gain > best[0]:
                    best = (gain, d, side, q, keep)
        if best is None or best[0] <= 0:
            break
        _, d, side, q, keep = best
        used.add(d)
        if side == "low":
            lo[d] = q
        else:
            hi[d] = q
        inside = keep
    full_lo, full_hi = x.min(axis=0), x.max(axis=0)

    def members(dims):
        keep = np.ones(n, dtype=bool)
        for d in dims:
            keep &= (x[:, d] >= lo[d]) & (x[:, d] <= hi[d])
        return keep

    # Prune: drop each cut (a side of a restricted parameter) whose removal costs the box's
    # rate less than `min_lift`; a parameter with neither side cut is no longer restricted.
    pruned = True
    while pruned and used:
        pruned = False
        rate = y[members(used)].mean()
        for d in sorted(used):
            for bound, full in ((lo, full_lo), (hi, full_hi)):
                if bound[d] == full[d]:
                    continue
                kept = bound[d]
                bound[d] = full[d]
                if rate - y[members(used)].mean() < min_lift:
                    pruned = True
                    break
                bound[d] = kept
            if pruned:
                if lo[d] == full_lo[d] and hi[d] == full_hi[d]:
                    used.discard(d)
                break
    inside = members(used)
    bounds = {names[d]: [float(lo[d]), float(hi[d])] for d in sorted(used) if lo[d] > full_lo[d] or hi[d] < full_hi[d]}
    ranges = {names[d]: [float(full_lo[d]), float(full_hi[d])] for d in sorted(used)}
    return {
        "bounds": bounds,
        "ranges": ranges,
        "p_box": float(y[inside].mean()),
        "p_all": float(y.mean()),
        "support": float(inside.mean()),
    }


def describe(box: dict, outcome: str) -> str:
    """The box in words."""
    if not box["bounds"] or box["p_box"] - box["p_all"] < 0.02:
        return f"No simple condition raises the chance of {outcome} above {box['p_all']:.2f}."
    parts = []
    for name, (lo, hi) in box["bounds"].items():
        full_lo, full_hi = box["ranges"][name]
        if lo > full_lo and hi < full_hi:
            parts.append(f"{name} is between {lo:.3g} and {hi:.3g}")
        elif hi < full_hi:
            parts.append(f"{name} is at most {hi:.3g}")
        else:
            parts.append(f"{name} is at least {lo:.3g}")
    return (
        f"{outcome} is most likely when "
        + " and ".join(parts)
        + f": P({outcome}) {box['p_box']:.2f} in that box, against {box['p_all']:.2f} overall,"
        + f" for {100 * box['support']:.0f}% of the draws."
    )


def conditions_from_parquet(path, outcomes=("deal", "termination"), limit: int = 50_000) -> dict:
    """PRIM boxes for some outcomes over the sampled parameters of the first ``limit`` draws of an
    outcomes.parquet (parameters that never vary are left out)."""
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    names = [n for n in pf.schema_arrow.names if n.startswith("param.")]
    if not names:
        return {}
    batches, got = [], 0
    for batch in pf.iter_batches(batch_size=min(limit, 65_536), columns=["outcome", *names]):
        batches.append(batch)
        got += batch.num_rows
        if got >= limit:
            break
    import pyarrow as pa

    table = pa.Table.from_batches(batches).slice(0, limit)
    x = np.column_stack([table.column(n).to_numpy() for n in names])
    varies = x.max(axis=0) > x.min(axis=0)
    x = x[:, varies]
    kept = [n.removeprefix("param.") for n, v in zip(names, varies, strict=True) if v]
    if not kept:
        return {}
    outcome = np.array(table.column("outcome").to_pylist())
    out = {}
    for name in outcomes:
        y = outcome == name
        if 0 < y.sum() < len(y):
            box = prim_box(x, y, kept)
            box["text"] = describe(box, name)
            box["draws"] = int(len(y))
            out[name] = box
    return out
