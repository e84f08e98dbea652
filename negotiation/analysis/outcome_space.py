"""The outcome space of a set of agreements: Pareto optimality and the Nash bargaining point.

Pure numpy, no plotting: ``points`` is an (N, P) array of utilities, one row per outcome and one
column per party. Rows holding a NaN are left out of both computations.
"""

from __future__ import annotations

import numpy as np


def pareto_mask(points) -> np.ndarray:
    """Which rows of ``points`` (N, P) are Pareto optimal among the rows.

    Row ``a`` is dominated when some row ``b`` is at least as good for every party and strictly
    better for one (``b >= a`` everywhere, ``b > a`` somewhere). The mask is True for every row
    that no row dominates; identical rows do not dominate each other, so duplicates of an optimal
    row are all True. Rows with a NaN are False and dominate nothing.

    Runs in about N * F vector operations, F the size of the frontier: the rows are visited in
    decreasing lexicographic order, in which a row can only be dominated by an earlier one, and
    (domination being transitive) only the optimal earlier rows need checking.
    """
    pts = np.asarray(points, dtype=float)
    if pts.ndim != 2:
        raise ValueError(f"points must be a 2-D array (N, P), got shape {pts.shape}")
    n = pts.shape[0]
    mask = np.zeros(n, dtype=bool)
    ok = np.flatnonzero(np.all(np.isfinite(pts), axis=1))
    if ok.size == 0:
        return mask
    sub = pts[ok]
    # np.lexsort sorts by the last key first: reverse the columns so column 0 is the primary key.
    order = np.lexsort(-sub.T[::-1])
    front = np.empty((0, pts.shape[1]))
    for k in order:
        p = sub[k]
        if front.shape[0]:
            dominated = np.any(np.all(front >= p, axis=1) & np.any(front > p, axis=1))
            if dominated:
                continue
        front = np.vstack([front, p])
        mask[ok[k]] = True
    return mask


def nash_point(points, disagreement) -> int | None:
    """Index of the row of ``points`` (N, P) that maximises the Nash product.

    The Nash product of a row is ``prod_p (u_p - d_p)``, the gains over the ``disagreement``
    utilities ``d`` (P,). Only rows where every gain is >= 0 (every party at least as well off
    as without agreement) are candidates; among them the first row with the largest product wins.
    Returns None when no row qualifies (or ``points`` is empty).
    """
    pts = np.asarray(points, dtype=float)
    d = np.asarray(disagreement, dtype=float)
    if pts.ndim != 2:
        raise ValueError(f"points must be a 2-D array (N, P), got shape {pts.shape}")
    if d.shape != (pts.shape[1],):
        raise ValueError(f"disagreement must have one value per column ({pts.shape[1]}), got shape {d.shape}")
    if pts.shape[0] == 0:
        return None
    gains = pts - d
    ok = np.all(gains >= 0, axis=1) & np.all(np.isfinite(pts), axis=1)
    if not ok.any():
        return None
    product = np.where(ok, np.prod(np.where(ok[:, None], gains, 0.0), axis=1), -np.inf)
    return int(np.argmax(product))
