"""Outcome odds at each sweep point, one small panel per point (small multiples)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from negotiation.output.plots.data import is_grid, numeric_params, point_outcomes
from negotiation.output.plots.style import figure, interval_marks, outcome_label, outcome_style, styled, suptitle

MAX_POINTS = 12


def point_title(k: int, pt: dict) -> str:
    """``point 0: US.reservation=0.5`` (with every swept parameter of the point)."""
    params = ", ".join(f"{n}={v:g}" if isinstance(v, float) else f"{n}={v}" for n, v in pt["params"].items())
    return f"point {k}: {params}" if params else f"point {k}"


def panel_layout(points: list[dict]) -> tuple[int, int, list[int]]:
    """Rows, columns and the panel (row-major index) of each point: a full grid over two
    parameters is laid out as that grid (columns: the first parameter's values, rows: the
    second's), otherwise points fill rows of three (two for four points)."""
    names = numeric_params(points)
    if len(points) <= MAX_POINTS and len(names) == 2 and is_grid(points, *names):
        a, b = names
        xs = sorted({pt["params"][a] for pt in points})
        ys = sorted({pt["params"][b] for pt in points})
        return len(ys), len(xs), [ys.index(pt["params"][b]) * len(xs) + xs.index(pt["params"][a]) for pt in points]
    n = min(len(points), MAX_POINTS)
    ncols = 2 if n == 4 else min(3, n)
    return -(-n // ncols), ncols, list(range(n))


def odds_per_point(loaded, points: list[dict]) -> Figure | None:
    """One bar chart per sweep point (the first twelve of ``summary.json``'s ``points``, each with
    ``params``, ``n_draws`` and ``outcomes``) of every observed outcome class's probability with
    its 95% Wilson interval, on one shared probability axis, so that the points read side by side
    instead of pooled. None for fewer than two points."""
    if len(points) < 2:
        return None
    order = point_outcomes(loaded, points)
    seen = [o for o in order if any(pt["outcomes"][o]["n"] for pt in points)] or order
    shown = points[:MAX_POINTS]
    nrows, ncols, at = panel_layout(shown)
    top = max(float(pt["outcomes"][o]["ci95"][1]) for pt in shown for o in seen)
    with styled():
        fig = figure((4.4 * ncols + 0.6, 3.3 * nrows + 0.9))
        axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True)
        for j, ax in enumerate(axes.flat):
            ax.set_visible(j in at)
        x = np.arange(len(seen))
        for k, pt in enumerate(shown):
            ax = axes.flat[at[k]]
            v = [pt["outcomes"][o] for o in seen]
            p = np.array([e["p"] for e in v])
            lo = np.array([e["ci95"][0] for e in v])
            hi = np.array([e["ci95"][1] for e in v])
            for j, o in enumerate(seen):
                s = outcome_style(order, o)
                ax.bar(x[j], p[j], 0.65, color=s["color"], edgecolor="black", hatch=s["hatch"], linewidth=0.7)
            interval_marks(ax, x, p, lo, hi, width=1.0, cap=3, lift=2, size=8)
            ax.set_xticks(x, [outcome_label(o) for o in seen], rotation=30, ha="right", fontsize=8)
            ax.set_title(f"{point_title(k, pt)}\n({pt['n_draws']:,} draws)", fontsize=9.5)
            ax.grid(axis="x", visible=False)
        for row in axes:
            row[0].set_ylabel("Probability")
        axes[0][0].set_ylim(0, min(1.0, top * 1.2 + 0.04))
        more = f" (first {len(shown)} of {len(points)} points)" if len(points) > len(shown) else ""
        suptitle(fig, f"{loaded.scenario.name}: outcome odds at each sweep point{more}; bars: 95% Wilson intervals")
        fig.tight_layout()
    return fig
