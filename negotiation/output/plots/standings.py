"""A tournament's standings: each strategy's mean utility and deal rate with 95% intervals, and
the pairwise table of mean utilities as a heatmap."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from negotiation.output.plots.style import OUTCOME_COLORS, figure, styled, suptitle


def tournament_standings(loaded, summary: dict) -> Figure | None:
    """Three panels from a tournament's ``summary.json``: the strategies' mean utilities (95% t
    intervals) and deal rates (95% Wilson intervals), best first, and the pairwise heatmap (row
    strategy's mean utility against the column strategy, every cell annotated). None without
    standings (a tournament of an older version)."""
    rows = summary.get("standings") or []
    pair = summary.get("pairwise") or {}
    if not rows:
        return None
    names = [r["strategy"] for r in rows]  # ranked, best first
    n = len(names)
    y = np.arange(n)[::-1]  # best at the top
    with styled():
        fig = figure((13.5, 1.9 + 0.45 * max(n, 3)))
        ax1, ax2, ax3 = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1, 1.15]})
        for ax, key, ci, label, color in (
            (ax1, "mean_utility", "mean_utility_ci95", "Mean utility (0-1; bars: 95% t intervals)", "#0072B2"),
            (ax2, "deal_rate", "deal_rate_ci95", "Deal rate (bars: 95% Wilson intervals)", OUTCOME_COLORS["deal"]),
        ):
            v = np.array([r[key] for r in rows], dtype=float)
            lo = np.array([(r[ci] or [r[key]] * 2)[0] for r in rows], dtype=float)
            hi = np.array([(r[ci] or [r[key]] * 2)[1] for r in rows], dtype=float)
            ax.barh(y, v, 0.65, color=color, edgecolor="black", lw=0.6)
            ax.errorbar(v, y, xerr=[v - lo, hi - v], fmt="none", ecolor="black", capsize=3, elinewidth=1)
            for k in range(n):
                ax.annotate(f"{v[k]:.3f}", (hi[k], y[k]), xytext=(4, 0), textcoords="offset points", va="center")
            ax.set_yticks(y, [f"{k + 1}. {name}" for k, name in enumerate(names)])
            ax.set_xlim(0, 1.12)
            ax.set_xlabel(label)
            ax.grid(axis="y", visible=False)
        ax1.set_title("Mean utility per strategy")
        ax2.set_title("Deal rate per strategy")
        ax2.set_yticks(y, [""] * n)
        grid = np.full((n, n), np.nan)
        for i, a in enumerate(names):
            for j, b in enumerate(names):
                cell = (pair.get(a) or {}).get(b)
                if cell:
                    grid[i, j] = cell["mean_utility"]
        im = ax3.imshow(grid, cmap="viridis", vmin=0, vmax=1, aspect="auto")
        ax3.grid(False)
        for i in range(n):
            for j in range(n):
                if not np.isnan(grid[i, j]):
                    v = grid[i, j]
                    ax3.text(j, i, f"{v:.3f}", ha="center", va="center", color="white" if v < 0.55 else "black")
        ax3.set_xticks(range(n), names, rotation=30 if n > 3 else 0, ha="right" if n > 3 else "center")
        ax3.set_yticks(range(n), names)
        ax3.set_xlabel("against (every other party plays)")
        ax3.set_ylabel("strategy")
        ax3.set_title("Pairwise: mean utility of the row strategy")
        fig.colorbar(im, ax=ax3, fraction=0.05, pad=0.03).set_label("mean utility")
        draws = rows[0].get("n_draws")
        suptitle(fig, f"{loaded.scenario.name}: tournament standings ({draws:,} draw rows per assignment)")
        fig.tight_layout()
    return fig
