"""Reading what the figures draw: sweep rows (a ``pyarrow.Table`` with the columns of
``outcomes.parquet``) and the points of ``summary.json``."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from negotiation.kernel.efficiency import ON_FRONTIER

MAX_SCATTER = 20_000  # agreements drawn in the utility-space plot (an even subsample beyond)


def column_array(table: pa.Table, name: str) -> np.ndarray:
    """A column of a table as a numpy array (None -> NaN for numbers, None kept for strings)."""
    col = table.column(name)
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        col = col.dictionary_encode()
    if pa.types.is_dictionary(col.type):
        # via each chunk's dictionary, so equal strings share one Python object (8 bytes a row)
        out = []
        for chunk in col.chunks if isinstance(col, pa.ChunkedArray) else [col]:
            values = np.array(chunk.dictionary.to_pylist() + [None], dtype=object)
            out.append(values[chunk.indices.fill_null(len(values) - 1).to_numpy(zero_copy_only=False).astype(np.int64)])
        return np.concatenate(out) if out else np.array([], dtype=object)
    if pa.types.is_date(col.type):
        return col.cast(pa.date32()).to_numpy(zero_copy_only=False).astype("datetime64[D]")
    return col.to_numpy(zero_copy_only=False).astype(float) if col.null_count else col.to_numpy()


def agreement_outcomes(st) -> list[str]:
    """The outcome classes with an agreement: deal and every bilateral pair."""
    return st.outcomes[: st.termination]


def gap_groups(st, table: pa.Table) -> list[tuple[str, np.ndarray]]:
    """The Pareto gaps (``pareto_gap`` of ``outcomes.parquet``) of the agreements, by kind of
    agreement: ``deal``, then every bilateral pooled (named by its pair when there is only one);
    only kinds with at least one agreement. Empty for rows without the column (older runs)."""
    if "pareto_gap" not in table.column_names:
        return []
    outcome = column_array(table, "outcome")
    gap = column_array(table, "pareto_gap").astype(float)
    bilateral = [o for o in agreement_outcomes(st)[1:] if np.any(outcome == o)]
    groups = [("deal", outcome == "deal")]
    if bilateral:
        groups.append((bilateral[0] if len(bilateral) == 1 else "bilateral", np.isin(outcome, bilateral)))
    return [(name, gap[rows]) for name, rows in groups if rows.any()]


def gap_stats(gaps: np.ndarray) -> dict:
    """Number, mean, median and the share on the frontier (gap below ``ON_FRONTIER``) of Pareto gaps."""
    if not len(gaps):
        return {"n": 0, "mean": float("nan"), "median": float("nan"), "frontier": float("nan")}
    return {
        "n": len(gaps),
        "mean": float(np.mean(gaps)),
        "median": float(np.median(gaps)),
        "frontier": float(np.mean(gaps < ON_FRONTIER)),
    }


def even_subsample(n: int, limit: int) -> np.ndarray:
    """At most ``limit`` indices of ``range(n)``, evenly spread (all of them when n <= limit)."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(int))


# --- sweep points (summary.json's "points") ----------------------------------------------------


def numeric_params(points: list[dict]) -> list[str]:
    """The names of the numeric parameters of the points, in order of first appearance."""
    names: list[str] = []
    for pt in points:
        for n, v in pt["params"].items():
            if n not in names and isinstance(v, (int, float)) and not isinstance(v, bool):
                names.append(n)
    return names


def is_grid(points: list[dict], a: str, b: str) -> bool:
    """Whether the points are a full grid over parameters ``a`` and ``b``, each cell once."""
    keys = {(pt["params"].get(a), pt["params"].get(b)) for pt in points}
    xs = {k[0] for k in keys}
    ys = {k[1] for k in keys}
    return None not in xs and None not in ys and len(keys) == len(points) == len(xs) * len(ys)


def point_outcomes(loaded, points: list[dict]) -> list[str]:
    """The outcome classes the points carry, in the scenario's order."""
    have = points[0]["outcomes"]
    return [o for o in loaded.structure.outcomes if o in have]


def per_point(points: list[dict]) -> str:
    """``1,000 draws per point``, or the range when points have different numbers of draws."""
    n = [pt["n_draws"] for pt in points]
    return f"{min(n):,} draws per point" if min(n) == max(n) else f"{min(n):,} to {max(n):,} draws per point"
