"""Outcome odds over a grid of two swept parameters: one annotated heatmap per outcome."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from negotiation.output.plots.data import per_point, point_outcomes
from negotiation.output.plots.style import figure, outcome_label, styled, suptitle


def odds_heatmaps(loaded, points: list[dict], a: str, b: str) -> Figure:
    """One heatmap per outcome class of its probability over the grid ``a`` (x) by ``b`` (y) of
    the sweep points (``summary.json``'s ``points``, a full grid), each cell annotated with the
    probability and, on small grids, its 95% interval."""
    order = point_outcomes(loaded, points)
    xs = sorted({pt["params"][a] for pt in points})
    ys = sorted({pt["params"][b] for pt in points})
    cells = len(xs) * len(ys)
    ncols = 3 if len(order) > 4 else 2
    nrows = -(-len(order) // ncols)
    w = min(5.2, 1.0 + 0.75 * len(xs))
    h = min(4.4, 1.2 + 0.55 * len(ys))
    with styled():
        fig = figure((ncols * (w + 1.3), nrows * (h + 0.9)))
        axes = fig.subplots(nrows, ncols, squeeze=False)
        for ax in axes.flat[len(order) :]:
            ax.set_visible(False)
        for ax, o in zip(axes.flat, order, strict=False):
            grid = np.full((len(ys), len(xs)), np.nan)
            ci = {}
            for pt in points:
                i, j = ys.index(pt["params"][b]), xs.index(pt["params"][a])
                grid[i, j] = pt["outcomes"][o]["p"]
                ci[i, j] = pt["outcomes"][o]["ci95"]
            vmax = max(0.01, float(np.nanmax(grid)))
            im = ax.imshow(grid, origin="lower", cmap="viridis", vmin=0, vmax=vmax, aspect="auto")
            ax.grid(False)
            for (i, j), (lo, hi) in ci.items():
                v = grid[i, j]
                dark = v / vmax < 0.55
                txt = f"{v:.2f}" if cells > 30 else f"{v:.2f}\n[{lo:.2f}, {hi:.2f}]"
                ax.text(j, i, txt, ha="center", va="center", fontsize=8, color="white" if dark else "black")
            ax.set_xticks(range(len(xs)), [f"{v:g}" for v in xs])
            ax.set_yticks(range(len(ys)), [f"{v:g}" for v in ys])
            ax.set_xlabel(a)
            ax.set_ylabel(b)
            ax.set_title(f"P({outcome_label(o)})")
            cb = fig.colorbar(im, ax=ax, fraction=0.06, pad=0.03)
            cb.set_label("probability", fontsize=8.5)
        per = per_point(points).replace("point", "cell")
        suptitle(fig, f"Outcome odds over the grid {a} x {b} ({per}; brackets: 95% intervals)")
        fig.tight_layout()
    return fig
