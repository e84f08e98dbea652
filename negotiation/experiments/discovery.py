"""Scenario discovery: the conditions under which an outcome is most likely (PRIM peeling).

Patient Rule Induction (Friedman and Fisher 1999), peeling only: starting from the box of all
sampled parameter values, repeatedly make the one cut that raises the outcome's rate in the box
the most, while the box keeps at least ``min_support`` of the draws. A parameter with few distinct
values (a grid's points, a choice, a whole number with a short range) is categorical: a cut drops
one of its values from the box. Any other parameter is cut at its ``alpha`` quantile among the
box's draws, at the low or the high end. The result is said in words.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np


def _cuts(col: np.ndarray, alpha: float, categorical: bool) -> Iterator[tuple]:
    """Candidate peels of ``col``, one parameter's values in the box: ``(side, value, keep)``
    with side "drop" (a categorical value leaves the box), "low" (keep x >= value) or "high"
    (keep x <= value), and ``keep`` the mask over ``col`` of the values the box keeps.

    A quantile that ties with the box's extreme value would cut nothing; the cut then moves to the
    next distinct value, so a column with heavy ties (whole numbers) can still be peeled.
    """
    if categorical:
        for v in np.unique(col):
            yield "drop", float(v), col != v
        return
    cmin, cmax = col.min(), col.max()
    if cmin == cmax:
        return
    q_lo, q_hi = np.quantile(col, [alpha, 1 - alpha])
    q = q_lo if q_lo > cmin else col[col > cmin].min()
    yield "low", float(q), col >= q
    q = q_hi if q_hi < cmax else col[col < cmax].max()
    yield "high", float(q), col <= q


def prim_box(
    x: np.ndarray,
    y: np.ndarray,
    names: list[str],
    alpha: float = 0.05,
    min_support: float = 0.1,
    max_restrictions: int = 3,
    min_lift: float = 0.01,
    max_levels: int = 12,
) -> dict:
    """Peel a box over the columns of ``x`` (N, D) that raises the mean of boolean ``y``.

    A column with at most ``max_levels`` distinct values is categorical and restricted to a set of
    values; any other column is restricted to an interval. Returns
    {"bounds": {name: [lo, hi]}, "ranges": {name: [full lo, full hi]} for the intervals,
    "values": {name: [kept values]}, "levels": {name: [all values]} for the value sets,
    "p_box", "p_all", "support"}. At most ``max_restrictions`` parameters are restricted, so the
    box stays readable, and a cut (one side of an interval, one dropped value) that adds less than
    ``min_lift`` to the box's rate is undone again.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n, width = x.shape
    # The peel works on the rows inside the box only, column by column: `cols` holds their
    # parameter values (one row per parameter), `hit` whether each has the outcome.
    cols, hit = np.ascontiguousarray(x.T), y != 0
    levels = {d: u for d in range(width) if len(u := np.unique(cols[d])) <= max_levels}
    full_lo, full_hi = x.min(axis=0), x.max(axis=0)
    lo, hi = full_lo.copy(), full_hi.copy()
    dropped: dict[int, set[float]] = {d: set() for d in levels}
    used: set[int] = set()

    def members(dims) -> np.ndarray:
        keep = np.ones(n, dtype=bool)
        for d in dims:
            if d in levels:
                keep &= ~np.isin(x[:, d], sorted(dropped[d]))
            else:
                keep &= (x[:, d] >= lo[d]) & (x[:, d] <= hi[d])
        return keep

    def cut(d: int, side: str, v: float, undo: bool = False) -> None:
        if side == "drop":
            (dropped[d].discard if undo else dropped[d].add)(v)
        elif side == "low":
            lo[d] = full_lo[d] if undo else v
        else:
            hi[d] = full_hi[d] if undo else v

    def restricted(d: int) -> bool:
        return bool(dropped[d]) if d in levels else bool(lo[d] > full_lo[d] or hi[d] < full_hi[d])

    while (count := hit.size) > min_support * n:
        best = None
        cur = np.count_nonzero(hit) / count  # the box's rate (counts, so exactly the mean of y)
        for d in range(width):
            if len(used) >= max_restrictions and d not in used:
                continue
            for side, v, keep in _cuts(cols[d], alpha, d in levels):
                k = np.count_nonzero(keep)
                if k < min_support * n or k == count or k == 0:
                    continue
                gain = np.count_nonzero(hit & keep) / k - cur
                if best is None or gain > best[0]:
                    best = (gain, d, side, v, keep)
        if best is None or best[0] <= 0:
            break
        _, d, side, v, keep = best
        cols, hit = cols[:, keep], hit[keep]
        used.add(d)
        cut(d, side, v)

    # Prune: undo each cut whose removal costs the box's rate less than `min_lift`; a parameter
    # left with no cut is no longer restricted.
    pruned = True
    while pruned and used:
        pruned = False
        rate = y[members(used)].mean()
        cuts = [(d, "drop", v) for d in sorted(used & set(levels)) for v in sorted(dropped[d])]
        cuts += [(d, "low", lo[d]) for d in sorted(used - set(levels)) if lo[d] > full_lo[d]]
        cuts += [(d, "high", hi[d]) for d in sorted(used - set(levels)) if hi[d] < full_hi[d]]
        for d, side, v in sorted(cuts, key=lambda c: c[0]):
            cut(d, side, v, undo=True)
            if rate - y[members(used)].mean() < min_lift:
                pruned = True
                if not restricted(d):
                    used.discard(d)
                break
            cut(d, side, v)
    inside = members(used)
    shown = [d for d in sorted(used) if restricted(d)]
    return {
        "bounds": {names[d]: [float(lo[d]), float(hi[d])] for d in shown if d not in levels},
        "ranges": {names[d]: [float(full_lo[d]), float(full_hi[d])] for d in shown if d not in levels},
        "values": {names[d]: [float(v) for v in levels[d] if v not in dropped[d]] for d in shown if d in levels},
        "levels": {names[d]: [float(v) for v in levels[d]] for d in shown if d in levels},
        "p_box": float(y[inside].mean()),
        "p_all": float(y.mean()),
        "support": float(inside.mean()),
    }


def _set(values: list[float]) -> str:
    return "{" + ", ".join(f"{v:.3g}" for v in values) + "}"


def describe(box: dict, outcome: str) -> str:
    """The box in words: value sets first (the values kept, or the values left out when those
    are fewer), then intervals."""
    values = box.get("values", {})
    if not (box["bounds"] or values) or box["p_box"] - box["p_all"] < 0.02:
        return f"No simple condition raises the chance of {outcome} above {box['p_all']:.2f}."
    parts = []
    for name, kept in values.items():
        dropped = [v for v in box["levels"][name] if v not in kept]
        if len(kept) == 1:
            parts.append(f"{name} is {kept[0]:.3g}")
        elif len(kept) <= len(dropped) + 1:
            parts.append(f"{name} is in {_set(kept)}")
        elif len(dropped) == 1:
            parts.append(f"{name} is not {dropped[0]:.3g}")
        else:
            parts.append(f"{name} is not in {_set(dropped)}")
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


def spread_rows(path, columns: list[str], limit: int):
    """At most ``limit`` rows of an outcomes.parquet, every k-th one, so that all of a sweep's
    points are represented (rows are stored point by point: the first rows are the first points)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    step = max(1, -(-pf.metadata.num_rows // limit))
    parts, start = [], 0
    # one row group at a time (reading batches with pre-buffering held the whole file's columns)
    for k in range(pf.num_row_groups):
        group = pf.read_row_group(k, columns=columns)
        parts.append(group.take(pa.array(np.arange((-start) % step, group.num_rows, step))))
        start += group.num_rows
    return pa.concat_tables(parts) if parts else None


def conditions_from_parquet(path, outcomes=("deal", "termination"), limit: int = 50_000) -> dict:
    """``conditions`` of an outcomes.parquet, read from at most ``limit`` draws spread evenly
    over its rows (``spread_rows``)."""
    import pyarrow.parquet as pq

    names = [n for n in pq.ParquetFile(path).schema_arrow.names if n.startswith("param.")]
    return conditions(spread_rows(path, ["outcome", *names], limit) if names else None, outcomes)


def conditions(table, outcomes=("deal", "termination")) -> dict:
    """PRIM boxes for some outcomes over the sampled and swept parameters (the ``param.*``
    columns of ``table``, which has an ``outcome`` column; parameters that never vary are left
    out), each with its text and the number of draws it was found from."""
    names = [n for n in table.column_names if n.startswith("param.")] if table is not None else []
    if not names or table.num_rows == 0:
        return {}
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
